/**
 * Parameter types for the step catalog: people, credential kinds, transfer states and the
 * defects a scripted invitation can carry. Each names what it accepts when it cannot parse.
 */
import { defineParameterType } from '@cucumber/cucumber';
import { CREDENTIAL_KINDS, isCredentialKind } from '../../src/fakes/data.ts';
import { withField, withoutField, type RawMessage } from '../../src/fakes/invitations.ts';

defineParameterType({
  name: 'person',
  regexp: /[A-Z][a-z]+/,
  transformer: (name: string) => name,
});

defineParameterType({
  name: 'people',
  regexp: /[A-Z][a-z]+(?:(?:, | and )[A-Z][a-z]+)*/,
  transformer: (list: string) => list.split(/, | and /),
});

defineParameterType({
  name: 'credential',
  regexp: new RegExp(Object.keys(CREDENTIAL_KINDS).join('|')),
  transformer: (kind: string) => {
    if (!isCredentialKind(kind)) throw new Error(`Unknown credential "${kind}"`);
    return kind;
  },
});

const STATES = ['key-requested', 'package-sent', 'invited', 'received', 'completed', 'provisioned', 'failed', 'declined', 'cancelled'];
defineParameterType({
  name: 'state',
  regexp: new RegExp(STATES.join('|')),
  transformer: (state: string) => state,
});

/** Invitation fields a scenario can name, and where they are in the message. */
const FIELDS: Record<string, string> = {
  expiration: 'expiration',
  'provisioning information': 'provisioningInformation',
  flow: 'flow',
  format: 'format',
  title: 'displayInformation.title',
  'display information': 'displayInformation',
  'protocol version': 'version',
  'message id': 'messageId',
};

function fieldPath(name: string): string {
  const path = FIELDS[name];
  if (!path) throw new Error(`Unknown invitation field "${name}"; known: ${Object.keys(FIELDS).join(', ')}`);
  return path;
}

/** "without an expiration", "with flow "telepathic"", "with an expiration of "tomorrow"". */
defineParameterType({
  name: 'defect',
  regexp: /without (?:an? |its )?[a-z ]+|with (?:an? )?[a-z ]+? (?:of )?"[^"]*"/,
  transformer: (text: string): ((m: RawMessage) => RawMessage) => {
    const without = /^without (?:an? |its )?([a-z ]+)$/.exec(text);
    if (without) {
      const path = fieldPath(without[1]!);
      return (m) => withoutField(m, path);
    }
    const withValue = /^with (?:an? )?([a-z ]+?) (?:of )?"([^"]*)"$/.exec(text)!;
    const path = fieldPath(withValue[1]!);
    const raw = withValue[2]!;
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: the text itself
    }
    return (m) => withField(m, path, value);
  },
});
