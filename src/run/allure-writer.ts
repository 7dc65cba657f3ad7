/**
 * Allure's results writer, without the durability nobody here needs. allure-js-commons's
 * FileSystemWriter writes each result to a temporary file, fsyncs it and renames it, so a report
 * server watching the folder never reads half a file; a run's results are read only after its
 * process ended, and the open/fsync/rename of three files per scenario cost 10 to 15 % of a
 * whole run (measured with --cpu-prof). Same files, same names; written plainly.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileSystemWriter } from 'allure-js-commons/sdk/reporter';

type Result = Parameters<FileSystemWriter['writeResult']>[0];
type Group = Parameters<FileSystemWriter['writeGroup']>[0];

export class PlainFileWriter extends FileSystemWriter {
  private made = false;

  constructor(private readonly resultsDir: string) {
    super({ resultsDir });
  }

  private path(name: string): string {
    if (!this.made) mkdirSync(this.resultsDir, { recursive: true });
    this.made = true;
    return join(this.resultsDir, name);
  }

  override writeAttachment(name: string, content: Buffer): void {
    writeFileSync(this.path(name), content);
  }

  override writeAttachmentFromPath(name: string, from: string): void {
    copyFileSync(from, this.path(name));
  }

  override writeResult(result: Result): void {
    writeFileSync(this.path(`${result.uuid}-result.json`), JSON.stringify(result));
  }

  override writeGroup(result: Group): void {
    writeFileSync(this.path(`${result.uuid}-container.json`), JSON.stringify(result));
  }
}
