/**
 * The network and the server misbehaving (faults, all seeded and traced), and checks of what the
 * trace shows the network and the phones did.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import assert from 'node:assert/strict';
import { isCredentialKind, type CredentialKind } from '../src/fakes/data.ts';
import type { TraceEvent } from '../src/sim/trace.ts';
import { sendAttempts } from '../src/evidence/index.ts';
import type { MessageType } from '../src/protocol/messages.ts';
import type { SctWorld } from './support/world.ts';

const UNIT_MS: Record<string, number> = { millisecond: 1, second: 1_000, minute: 60_000, hour: 3_600_000 };
const ms = (count: string, unit: string) => Number(count) * UNIT_MS[unit]!;

/** The accounts a "from X's phone to Y's phone" phrase names. */
function target(world: SctWorld, from: string | undefined, to: string | undefined) {
  return {
    ...(from ? { from: world.sim.phone(from).device.aci } : {}),
    ...(to ? { to: world.sim.phone(to).device.aci } : {}),
  };
}

const MESSAGE = /(?:from (\w+)'s phone )?to (\w+)'s phone/.source;

Given(
  new RegExp(`^the network delays the next (?:(\\d+) )?messages? ${MESSAGE} by (\\d+) (second|minute|hour)s?(?:, give or take (\\d+) (second|minute|hour)s?)?$`),
  function (this: SctWorld, count: string | undefined, from: string | undefined, to: string, n: string, unit: string, jitter?: string, jitterUnit?: string) {
    // "give or take": a seeded jitter of up to that much on top of the delay.
    const jitterMs = jitter ? ms(jitter, jitterUnit!) : undefined;
    this.sim.faults.add({ kind: 'delay', ms: ms(n, unit), ...(jitterMs ? { jitterMs } : {}) }, target(this, from, to), { count: Number(count ?? 1) });
  },
);

Given(new RegExp(`^the network delivers the next (\\d+) messages ${MESSAGE} in (reverse|a shuffled) order$`), function (this: SctWorld, count: string, from: string | undefined, to: string, order: string) {
  this.sim.faults.add({ kind: 'reorder', count: Number(count), order: order === 'reverse' ? 'reverse' : 'shuffle' }, target(this, from, to));
});

Given(new RegExp(`^the network drops the next message ${MESSAGE} on delivery$`), function (this: SctWorld, from: string | undefined, to: string) {
  this.sim.faults.add({ kind: 'drop-at-delivery' }, target(this, from, to));
});

Given(new RegExp(`^the network delivers the next message ${MESSAGE} twice$`), function (this: SctWorld, from: string | undefined, to: string) {
  this.sim.faults.add({ kind: 'duplicate' }, target(this, from, to));
});

Given(new RegExp(`^the network delivers every message ${MESSAGE} twice for the next (\\d+) (minute|hour)s?$`), function (this: SctWorld, from: string | undefined, to: string, n: string, unit: string) {
  this.sim.faults.add({ kind: 'duplicate' }, target(this, from, to), { until: this.sim.clock.now() + ms(n, unit) });
});

Given(new RegExp(`^the network flips a bit in the next message ${MESSAGE}$`), function (this: SctWorld, from: string | undefined, to: string) {
  this.sim.faults.add({ kind: 'tamper' }, target(this, from, to));
});

Then(/^(\w+)'s phone rejected (\d+) messages? it could not decrypt$/, function (this: SctWorld, owner: string, count: string) {
  const label = this.sim.phone(owner).device.label;
  const failed = this.sim.trace.find('device.decrypt-failed', (e) => e.device === label);
  const tampered = this.sim.trace.find('fault.tamper').length;
  assert.equal(
    failed.length,
    Number(count),
    `${owner}'s phone rejected ${failed.length} message(s)` +
      (tampered ? '' : ` (and no message to it was tampered with: none went over an established session, so no reply set one up?)`),
  );
});

Given("the server will lose the next acknowledgement from {person}'s phone", function (this: SctWorld, owner: string) {
  this.sim.faults.add({ kind: 'lose-ack' }, target(this, undefined, owner));
});

Given(/^the server answers (500|503) to (\w+)'s phone's next (?:(\d+) )?messages?$/, function (this: SctWorld, status: string, from: string, count: string | undefined) {
  this.sim.faults.add({ kind: 'http-error', status: Number(status) as 500 | 503 }, target(this, from, undefined), { count: Number(count ?? 1) });
});

Given(/^the server refuses (\w+)'s phone's next message as too large$/, function (this: SctWorld, from: string) {
  this.sim.faults.add({ kind: 'http-error', status: 413 }, target(this, from, undefined), { count: 1 });
});

Given(/^the server answers (500|503) to every message from (\w+)'s phone for the next (\d+) (minute|hour)s?$/, function (this: SctWorld, status: string, from: string, n: string, unit: string) {
  this.sim.faults.add({ kind: 'http-error', status: Number(status) as 500 | 503 }, target(this, from, undefined), { until: this.sim.clock.now() + ms(n, unit) });
});

Given(/^the server answers 429 with Retry-After (\d+) to (\w+)'s phone's next (?:(\d+) )?messages?$/, function (this: SctWorld, seconds: string, from: string, count: string | undefined) {
  this.sim.faults.add({ kind: 'rate-limit', retryAfterSeconds: Number(seconds) }, target(this, from, undefined), { count: Number(count ?? 1) });
});

Given(/^the connection fails for (\w+)'s phone's next (?:(\d+) )?messages?$/, function (this: SctWorld, from: string, count: string | undefined) {
  this.sim.faults.add({ kind: 'connection-error' }, target(this, from, undefined), { count: Number(count ?? 1) });
});

Given(/^the server loses its response to (\w+)'s phone's next message$/, function (this: SctWorld, from: string) {
  this.sim.faults.add({ kind: 'lose-response' }, target(this, from, undefined));
});

Given(/^(\w+)'s phone goes offline for (\d+) (minute|hour)s?$/, function (this: SctWorld, owner: string, n: string, unit: string) {
  const { device } = this.sim.phone(owner);
  device.goOffline();
  this.sim.trace.record('fault.offline', { device: device.label, forMs: ms(n, unit) });
  this.sim.clock.setTimeout(() => device.goOnline(), ms(n, unit));
});

When('the network is quiet', async function (this: SctWorld) {
  await this.sim.quiet();
});

// ---- what the trace shows ----

const MESSAGE_TYPES: Record<string, string> = {
  invitation: 'ShareInvitation',
  'key signing request': 'KeySigningRequest',
  'final package': 'KeyImportRequest',
  answer: 'TransferComplete',
  cancel: 'ShareCancel',
};

function messageType(words: string): string {
  const type = MESSAGE_TYPES[words];
  if (!type) throw new Error(`Unknown message "${words}"; known: ${Object.keys(MESSAGE_TYPES).join(', ')}`);
  return type;
}

/**
 * Every attempt a phone's app made to send a message of a type (accepted or not), in order: the
 * devices' trace, never the app's word (see sendAttempts).
 */
function attempts(world: SctWorld, owner: string, type?: string, transferId?: string): TraceEvent[] {
  return sendAttempts(world.sim, world.sim.phone(owner), type as MessageType | undefined, transferId);
}

const MS_UNITS = '(millisecond|second|minute|hour)s?';

/** "500 milliseconds", "2 hours" in a message. */
const duration = (ms: number) => {
  const [unit, size] = Object.entries(UNIT_MS).reverse().find(([, size]) => ms >= size && ms % size === 0) ?? ['millisecond', 1];
  return `${ms / size} ${unit}${ms === size ? '' : 's'}`;
};

const seconds = (e: TraceEvent) => Date.parse(e.at) / 1000;

// "... the final package for the car key 1 time": that share's only.
Then(/^(\w+)'s phone tried to send (?:the|its) (invitation|key signing request|final package|answer|cancel)(?: for the (.+?))? (\d+) times?$/, function (this: SctWorld, owner: string, words: string, kind: string | null, times: string) {
  if (kind && !isCredentialKind(kind)) throw new Error(`Unknown credential "${kind}"`);
  const tries = attempts(this, owner, messageType(words), kind ? this.share(kind as CredentialKind).transferId : undefined);
  assert.equal(tries.length, Number(times), `${owner}'s phone tried ${tries.length} times: ${tries.map((t) => `${t.at} ${t.httpStatus}`).join(', ')}`);
});

// The protocol bounds the budget (docs/protocol.md, "Retries"); the app picks its number within them.
Then(
  /^(\w+)'s phone tried to send (?:the|its) (invitation|key signing request|final package|answer|cancel) at least (\d+) and at most (\d+) times$/,
  function (this: SctWorld, owner: string, words: string, least: string, most: string) {
    const tries = attempts(this, owner, messageType(words));
    assert.ok(
      tries.length >= Number(least) && tries.length <= Number(most),
      `${owner}'s phone tried ${tries.length} times, not between ${least} and ${most}: ${tries.map((t) => `${t.at} ${t.httpStatus}`).join(', ')}`,
    );
  },
);

// Each message's own attempts (same message id); a Retry-After longer than the maximum wins over it.
Then(
  new RegExp(`^(\\w+)'s phone waited between (\\d+) ${MS_UNITS} and (\\d+) ${MS_UNITS} before each new attempt$`),
  function (this: SctWorld, owner: string, least: string, leastUnit: string, most: string, mostUnit: string) {
    const [min, max] = [ms(least, leastUnit), ms(most, mostUnit)];
    const byMessage = new Map<unknown, TraceEvent[]>();
    for (const e of attempts(this, owner)) byMessage.set(e.messageId, [...(byMessage.get(e.messageId) ?? []), e]);
    const retried = [...byMessage.values()].filter((tries) => tries.length > 1);
    assert.ok(retried.length > 0, `${owner}'s phone never tried to send a message again`);
    for (const tries of retried) {
      for (let i = 1; i < tries.length; i++) {
        const [previous, next] = [tries[i - 1]!, tries[i]!];
        const waited = Date.parse(next.at) - Date.parse(previous.at);
        const allowed = Math.max(max, Number(previous.retryAfter ?? 0) * 1000);
        assert.ok(
          waited >= min && waited <= allowed,
          `${owner}'s phone tried its ${previous.message} again ${duration(waited)} after attempt ${i} (${previous.at}), ` +
            `not between ${duration(min)} and ${duration(allowed)}`,
        );
      }
    }
  },
);

Then(/^(\w+)'s phone waited at least (\d+) seconds after the 429 before trying again$/, function (this: SctWorld, owner: string, wait: string) {
  const label = this.sim.phone(owner).device.label;
  const sends = this.sim.trace.find('device.sent', (e) => e.device === label);
  const limited = sends.findIndex((e) => e.httpStatus === 429);
  assert.ok(limited >= 0, `${owner}'s phone never got a 429`);
  const next = sends.slice(limited + 1).find((e) => e.message === sends[limited]!.message && e.transferId === sends[limited]!.transferId);
  assert.ok(next, `${owner}'s phone never tried again after the 429`);
  const waited = seconds(next) - seconds(sends[limited]!);
  assert.ok(waited >= Number(wait), `${owner}'s phone tried again after ${waited.toFixed(3)} s, sooner than the ${wait} s Retry-After`);
});

// A re-request is a new message (new message id), not a retry of the first: the gap is first attempt to first attempt.
Then(
  new RegExp(`^(\\w+)'s phone sent its key signing request again between (\\d+) ${MS_UNITS} and (\\d+) ${MS_UNITS} after the first$`),
  function (this: SctWorld, owner: string, least: string, leastUnit: string, most: string, mostUnit: string) {
    const [min, max] = [ms(least, leastUnit), ms(most, mostUnit)];
    const requests = attempts(this, owner, 'KeySigningRequest');
    assert.ok(requests.length > 0, `${owner}'s phone never sent a key signing request`);
    const first = requests[0]!;
    const again = requests.find((e) => e.transferId === first.transferId && e.messageId !== first.messageId);
    assert.ok(again, `${owner}'s phone has not sent its key signing request again so far (its attempts: ${requests.map((e) => e.at).join(', ')})`);
    const waited = Date.parse(again.at) - Date.parse(first.at);
    assert.ok(waited >= min && waited <= max, `${owner}'s phone asked again ${duration(waited)} after the first, not between ${duration(min)} and ${duration(max)}`);
  },
);

/** "received the cancel before the invitation" (messages), "the authorization token before the car key" (shares). */
Then(/^(\w+)'s phone received the (.+?) before the (.+?)$/, function (this: SctWorld, owner: string, first: string, second: string) {
  const phone = this.sim.phone(owner);
  let order: unknown[];
  let a: number;
  let b: number;
  if (isCredentialKind(first) && isCredentialKind(second)) {
    order = this.sim.receivedMessages(phone, 'ShareInvitation').map((e) => e.transferId);
    [a, b] = [order.indexOf(this.share(first).transferId), order.indexOf(this.share(second).transferId)];
  } else {
    order = this.sim.receivedMessages(phone).map((e) => e.message);
    [a, b] = [order.indexOf(messageType(first)), order.indexOf(messageType(second))];
  }
  assert.ok(a >= 0 && b >= 0 && a < b, `${owner}'s phone did not receive the ${first} before the ${second} (order: ${order.join(', ')})`);
});

Then("the server delivered the invitation to {person}'s phone {int} times", function (this: SctWorld, owner: string, times: number) {
  const counts = this.sim.deliveryCounts(this.sim.phone(owner), 'ShareInvitation');
  assert.deepEqual(counts, [times], `the server delivered invitations to ${owner}'s phone ${JSON.stringify(counts)} times`);
});

// "the same key signing request": the most copies of one message (one message id), whatever other messages of that type
// (a receiver's re-requests, sent in its own time) came too.
Then(/^(\w+)'s phone received the (same )?(invitation|key signing request|final package|answer|cancel) (\d+) times$/, function (this: SctWorld, owner: string, same: string | undefined, words: string, times: string) {
  const messages = this.sim.receivedMessages(this.sim.phone(owner), messageType(words));
  const copies = (id: unknown) => messages.filter((e) => e.messageId === id).length;
  const received = same ? Math.max(0, ...messages.map((e) => copies(e.messageId))) : messages.length;
  assert.equal(received, Number(times), `${owner}'s phone received the ${same ?? ''}${words} ${received} times (message ids: ${messages.map((e) => e.messageId).join(', ')})`);
});

Then('the server never saw the {credential} in the clear', function (this: SctWorld, kind: CredentialKind) {
  const share = this.share(kind);
  const leaks = this.sim.plaintextLeaks();
  assert.ok(!leaks.includes(share.request.provisioningInformation), `the server saw the ${kind} in the clear`);
  assert.ok(this.sim.plaintext.observed > 0, 'the server saw no traffic at all, so nothing was proven');
});
