/**
 * Where a scenario sits in the Allure report: Suites tab feature folder > feature > scenario
 * (parentSuite, suite, subSuite), Behaviors tab folder > feature (epic, feature). The scenario
 * World (steps/support/world.ts) and the results written for lost scenarios (src/run/allure.ts)
 * both use these, so a crashed scenario sits where its passing runs do.
 */
import { basename, dirname, relative, sep } from 'node:path';

export interface Label {
  name: string;
  value: string;
}

/** The feature's folder under features/ (`security`), or the folder's own name for a feature elsewhere. */
export function featureFolder(uri: string): string {
  const folder = dirname(uri.split(sep).join('/'));
  const under = relative('features', folder).split(sep).join('/');
  if (under === '') return 'features';
  return under.startsWith('..') || folder.startsWith('/') ? basename(folder) : under;
}

/**
 * The labels placing a scenario. The scenario's name is its subSuite too: the runs of one scenario
 * (each role pass, each example row) sit together under it.
 */
export function placeLabels(uri: string, feature: string, scenario: string): Label[] {
  const folder = featureFolder(uri);
  return [
    { name: 'parentSuite', value: folder },
    { name: 'suite', value: feature },
    { name: 'subSuite', value: scenario },
    { name: 'epic', value: folder },
  ];
}
