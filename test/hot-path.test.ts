/**
 * The send path's shortcuts keep the server's semantics: `knownGoodMessageList` accepts only
 * bodies the schema accepts, with the schema's output (defaults, unknown fields dropped, field
 * order), and leaves every other body to the schema (so a malformed one still gets its 400/422:
 * test/server.test.ts); `basicCredentials`, now remembered per header, reads as before.
 */
import { describe, expect, it } from 'vitest';
import { incomingMessageList, knownGoodMessageList } from '../src/sim/server/wire.ts';
import { basicCredentials } from '../src/sim/server/routes.ts';

const message = { type: 1, destinationDeviceId: 1, destinationRegistrationId: 42, content: 'AAECAw==' };
const good = { messages: [message], timestamp: 1_700_000_000_000 };

/** Bodies around the schema's edges: each either passes both checks alike, or the shortcut declines it. */
const bodies: unknown[] = [
  good,
  { ...good, online: true, urgent: false },
  { ...good, extra: 'dropped', messages: [{ ...message, extra: 1 }, { ...message, destinationDeviceId: 2, type: 3 }] },
  { ...good, messages: [message, message] }, // the same device twice: 422
  { ...good, messages: [] },
  { ...good, messages: [{ ...message, type: 2 }] },
  { ...good, messages: [{ ...message, type: '1' }] },
  { ...good, messages: [{ ...message, destinationDeviceId: 0 }] },
  { ...good, messages: [{ ...message, destinationDeviceId: 128 }] },
  { ...good, messages: [{ ...message, destinationDeviceId: 1.5 }] },
  { ...good, messages: [{ ...message, destinationRegistrationId: 0x4000 }] },
  { ...good, messages: [{ ...message, destinationRegistrationId: -1 }] },
  { ...good, messages: [{ ...message, content: '' }] },
  { ...good, messages: [{ ...message, content: 'not base64!' }] },
  { ...good, messages: [{ ...message, content: 'AA==' }], timestamp: -1 },
  { ...good, timestamp: 2 ** 53 },
  { ...good, timestamp: '1' },
  { messages: [message] },
  { ...good, online: null },
  { ...good, urgent: 'yes' },
  { ...good, messages: [null] },
  { ...good, messages: 'x' },
  [good],
  null,
  'text',
  { ...good, messages: [{ ...message, destinationDeviceId: undefined }] },
];

describe('hot path shortcuts', () => {
  it('knownGoodMessageList agrees with the schema: the same output when it accepts, the schema decides the rest', () => {
    let accepted = 0;
    for (const body of bodies) {
      const json = JSON.parse(JSON.stringify(body)) as unknown;
      const fast = knownGoodMessageList(json);
      const schema = incomingMessageList.safeParse(json);
      if (fast === undefined) continue;
      accepted++;
      expect(schema.success, JSON.stringify(body)).toBe(true);
      // The same value, and the same fields in the same order (what a JSON copy of it would show).
      expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.data));
    }
    expect(accepted).toBe(3);
    // Every body the schema accepts, the shortcut accepts too (else it would only cost time).
    expect(bodies.filter((b) => incomingMessageList.safeParse(JSON.parse(JSON.stringify(b))).success).length).toBe(3);
  });

  it('basicCredentials reads a header the same the first time and after', () => {
    const header = `Basic ${Buffer.from('ABCDEF01-0000-4000-8000-000000000001.2:secret:with:colons').toString('base64')}`;
    const expected = { aci: 'abcdef01-0000-4000-8000-000000000001', deviceId: 2, password: 'secret:with:colons' };
    expect(basicCredentials(header)).toEqual(expected);
    expect(basicCredentials(header)).toEqual(expected);
    expect(Object.isFrozen(basicCredentials(header))).toBe(true);
    for (const bad of [undefined, '', 'Bearer x', `Basic ${Buffer.from('no-separator').toString('base64')}`, 'Basic !!!']) {
      expect(basicCredentials(bad)).toBeUndefined();
      expect(basicCredentials(bad)).toBeUndefined();
    }
  });
});
