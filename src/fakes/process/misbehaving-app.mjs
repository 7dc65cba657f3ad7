// An app in its own process that speaks the adapter protocol until the first `share`, then
// misbehaves as MODE says: each supervision case of docs/adapter-protocol.md ("When the app
// misbehaves") has a mode, and test/process-adapter.test.ts runs them all. Plain JavaScript, so
// it starts in milliseconds.
//
// MODE: crash | exit | close-stdout | not-json | not-rpc | unknown-id | hang | flood-line | flood-lines
// SCT_TEST_PIDS: a file to append this process's pid and its child's to (the child is a `sleep`
// in the same process group, standing for whatever an app starts): the test checks none survive.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const mode = process.env.MODE ?? 'crash';
const out = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);

const child = spawn('sleep', ['300'], { stdio: 'ignore' });
if (process.env.SCT_TEST_PIDS) appendFileSync(process.env.SCT_TEST_PIDS, `${process.pid}\n${child.pid}\n`);
process.stderr.write(`misbehaving app (${mode}) started\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.method === 'initialize') return out({ id: message.id, result: { name: `misbehaving (${mode})` } });
  if (message.method !== 'share') return message.id === undefined ? undefined : out({ id: message.id, result: null });
  process.stderr.write(`about to misbehave: ${mode}\n`);
  switch (mode) {
    case 'crash':
      throw new Error('the app crashed while sharing');
    case 'exit':
      return process.exit(0);
    case 'close-stdout':
      return process.stdout.end();
    case 'not-json':
      return process.stdout.write('Sharing the car key now...\n');
    case 'not-rpc':
      return process.stdout.write('{"transferId":"0190f3c2-0000-7000-8000-000000000000"}\n');
    case 'unknown-id':
      return out({ id: 4242, result: { transferId: '0190f3c2-0000-7000-8000-000000000000' } });
    case 'hang':
      return; // never answers
    case 'flood-line':
      return process.stdout.write('x'.repeat(2 * 1024 * 1024));
    case 'flood-lines':
      for (let i = 0; i < 20_000; i++) out({ method: 'log', params: { instance: message.params.instance, message: `line ${i}` } });
      return;
  }
});
