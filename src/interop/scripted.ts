/**
 * Which scenarios an interop run leaves out: those where the harness plays or forges the other
 * side (a phone played by the harness, a crafted signing request or answer), so that one of the two
 * apps would not really be in the story. They stay in the conformance run.
 */
import { resolve } from 'node:path';
import type { FeatureChild, RuleChild } from '@cucumber/messages';
import { readFeature } from '../run/plan.ts';

/** Step sentences in which the harness, not an app, speaks for a phone (steps/scripted-*.steps.ts). */
const SCRIPTED = [
  /played by the harness, bypassing/,
  /^\w+'s \w+ asks \w+'s phone to sign (?:a|another|its) key/,
  /^\w+'s \w+ answers \w+'s phone that it (?:provisioned|declined|refused)/,
  /^\w+'s phone sends \w+ /,
  /^\w+'s phone answers \w+'s signing request with /,
];

/** `uri:line` of every scenario (and every Examples row) of these files that has a scripted step, its Background's included. */
export function scriptedScenarios(root: string, uris: string[]): Set<string> {
  const found = new Set<string>();
  for (const uri of new Set(uris)) {
    const document = readFeature(resolve(root, uri));
    const scripted = (steps: ReadonlyArray<{ text: string }>) => steps.some((step) => SCRIPTED.some((pattern) => pattern.test(step.text)));
    const visit = (items: ReadonlyArray<FeatureChild | RuleChild>, inherited: boolean) => {
      for (const child of items) {
        if (child.background) inherited ||= scripted(child.background.steps);
        if ('rule' in child && child.rule) visit(child.rule.children, inherited);
        const scenario = child.scenario;
        if (!scenario || !(inherited || scripted(scenario.steps))) continue;
        found.add(`${uri}:${scenario.location.line}`);
        for (const examples of scenario.examples) for (const row of examples.tableBody) found.add(`${uri}:${row.location.line}`);
      }
    };
    visit(document.feature?.children ?? [], false);
  }
  return found;
}
