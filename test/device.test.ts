import { describe, expect, it } from 'vitest';
import { SignalSendError } from '../src/adapter/contract.ts';
import { EnvelopeType } from '../src/sim/server/wire.ts';
import { aliceAndBob, text, utf8 } from './helpers.ts';

/** Alice and Bob with a session both ways (Alice's next messages are Whisper messages); Bob's app inbox. */
async function settledSession() {
  const { sim, alice, bob } = await aliceAndBob();
  const got: string[] = [];
  bob.device.api.onMessage((m) => void got.push(text(m.bytes)));
  await alice.device.send(bob.device.aci, utf8('hello'));
  await sim.settle();
  await bob.device.send(alice.device.aci, utf8('hi'));
  await sim.settle();
  return { sim, alice, bob, got };
}

describe('virtual devices (real libsignal)', () => {
  it('sets up a PQXDH session with a PreKey message, then continues with Whisper messages both ways', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const toBob: string[] = [];
    const toAlice: string[] = [];
    bob.device.api.onMessage((m) => void toBob.push(text(m.bytes)));
    alice.device.api.onMessage((m) => void toAlice.push(`${text(m.bytes)} from ${m.from.aci}`));
    await alice.device.send(bob.device.aci, utf8('first'));
    await alice.device.send(bob.device.aci, utf8('second'));
    await sim.settle();
    await bob.device.send(alice.device.aci, utf8('reply'));
    await sim.settle();
    expect(toBob).toEqual(['first', 'second']);
    expect(toAlice).toEqual([`reply from ${bob.device.aci}`]);
    const types = sim.trace.find('server.queued').map((e) => e.envelopeType);
    // Alice's messages are PreKey messages until Bob answers; Bob's reply is a plain Whisper message.
    expect(types).toEqual([EnvelopeType.PREKEY_BUNDLE, EnvelopeType.PREKEY_BUNDLE, EnvelopeType.CIPHERTEXT]);
    await alice.device.send(bob.device.aci, utf8('third'));
    expect(sim.trace.find('server.queued').at(-1)!.envelopeType).toBe(EnvelopeType.CIPHERTEXT);
  });

  it('keeps concurrent sends from one device apart: every message decrypts, none twice', async () => {
    const { sim, alice, bob, got } = await settledSession();
    const words = Array.from({ length: 20 }, (_, i) => `message ${i}`);
    await Promise.all(words.map((w) => alice.device.send(bob.device.aci, utf8(w))));
    await sim.settle();
    expect(got.slice(1).sort()).toEqual([...words].sort());
    expect(sim.trace.find('device.decrypt-failed')).toEqual([]);
    expect(sim.trace.find('device.duplicate-dropped')).toEqual([]);
  });

  it('decrypts messages delivered out of order', async () => {
    const { sim, alice, bob, got } = await settledSession();
    sim.faults.add({ kind: 'reorder', count: 4, order: 'reverse' }, { to: bob.device.aci });
    for (const word of ['a', 'b', 'c', 'd']) await alice.device.send(bob.device.aci, utf8(word));
    await sim.settle();
    expect(got).toEqual(['hello', 'd', 'c', 'b', 'a']);
    expect(sim.trace.find('device.decrypt-failed')).toEqual([]);
  });

  it('rejects a tampered Whisper message and never hands it to the app', async () => {
    const { sim, alice, bob, got } = await settledSession();
    sim.faults.add({ kind: 'tamper' }, { to: bob.device.aci }); // one bit inside the ciphertext, before the MAC
    await alice.device.send(bob.device.aci, utf8('secret'));
    await sim.settle();
    expect(sim.trace.find('server.queued').at(-1)!.envelopeType).toBe(EnvelopeType.CIPHERTEXT);
    expect(sim.trace.find('fault.tamper')).toHaveLength(1);
    expect(got).toEqual(['hello']);
    expect(sim.trace.find('device.decrypt-failed')).toHaveLength(1);
  });

  it('lets a PreKey message through untouched: the tamper waits for the next ratchet message', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const got: string[] = [];
    bob.device.api.onMessage((m) => void got.push(text(m.bytes)));
    sim.faults.add({ kind: 'tamper' }, { to: bob.device.aci });
    await alice.device.send(bob.device.aci, utf8('first')); // no session yet: a PreKey message
    await sim.settle();
    expect(sim.trace.find('fault.tamper')).toHaveLength(0);
    expect(got).toEqual(['first']);
    await bob.device.send(alice.device.aci, utf8('reply')); // Alice's session is now confirmed
    await sim.settle();
    await alice.device.send(bob.device.aci, utf8('second'));
    await sim.settle();
    expect(sim.trace.find('server.queued').at(-1)!.envelopeType).toBe(EnvelopeType.CIPHERTEXT);
    expect(sim.trace.find('fault.tamper')).toHaveLength(1);
    expect(got).toEqual(['first']);
    expect(sim.trace.find('device.decrypt-failed')).toHaveLength(1);
  });

  it('handles a newly linked device (409) below the app: the message reaches both devices', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    await alice.device.send(bob.device.aci, utf8('before'));
    await sim.settle();
    const tablet = (await sim.linkDevice('Bob', 'tablet')).device;
    const got: string[] = [];
    bob.device.api.onMessage((m) => void got.push(`phone: ${text(m.bytes)}`));
    tablet.api.onMessage((m) => void got.push(`tablet: ${text(m.bytes)}`));
    await alice.device.send(bob.device.aci, utf8('after'));
    await sim.settle();
    expect(got.sort()).toEqual(['phone: after', 'tablet: after']);
    expect(sim.trace.find('server.mismatched-devices')).toHaveLength(1);
  });

  it('handles a removed linked device (409, extra) below the app: the message reaches the rest', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const tablet = await sim.linkDevice('Bob', 'tablet');
    await alice.device.send(bob.device.aci, utf8('to both'));
    await sim.settle();
    sim.unlinkDevice(tablet.name);
    const got: string[] = [];
    bob.device.api.onMessage((m) => void got.push(text(m.bytes)));
    await alice.device.send(bob.device.aci, utf8('to the phone'));
    await sim.settle();
    expect(got).toEqual(['to the phone']);
    expect(sim.trace.find('server.mismatched-devices', (e) => (e.extraDevices as number[]).includes(tablet.device.deviceId))).toHaveLength(1);
  });

  it('handles a re-registered device (410) below the app: the stale session is replaced', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    await alice.device.send(bob.device.aci, utf8('before'));
    await sim.settle();
    await sim.reregisterDevice("Bob's phone"); // same identity (as a linked device would keep), new registration id
    const got: string[] = [];
    bob.signal.onMessage((m) => void got.push(text(m.bytes)));
    await alice.device.send(bob.device.aci, utf8('after'));
    await sim.settle();
    expect(got).toEqual(['after']);
    expect(sim.trace.find('server.stale-devices')).toHaveLength(1);
  });

  it('meets a changed identity key with a typed error and an event, never silently; the user confirms it', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    const changed: string[] = [];
    const confirmed: string[] = [];
    alice.device.api.onIdentityChanged((aci) => void changed.push(aci));
    alice.device.api.onIdentityConfirmed((aci) => void confirmed.push(aci));
    await alice.device.send(bob.device.aci, utf8('before'));
    await sim.settle();
    await sim.reregister('Bob'); // Signal reinstalled: a new device with a new identity key
    const got: string[] = [];
    bob.signal.onMessage((m) => void got.push(text(m.bytes)));

    const error = await alice.device.send(bob.device.aci, utf8('refused')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalSendError);
    expect((error as SignalSendError).kind).toBe('identity-changed');
    expect(changed).toEqual([bob.device.aci]);
    expect(alice.device.identityStatus(bob.device.aci)).toBe('changed-unconfirmed');
    await sim.settle();
    expect(got).toEqual([]); // nothing was sent with the refused message

    // As in Signal, later sends go through; holding back is the credential app's job.
    await alice.device.send(bob.device.aci, utf8('after'));
    await sim.settle();
    expect(got).toEqual(['after']);
    alice.device.confirmIdentity(bob.device.aci);
    await sim.settle();
    expect(confirmed).toEqual([bob.device.aci]);
    expect(alice.device.identityStatus(bob.device.aci)).toBe('trusted');
    expect(() => alice.device.confirmIdentity(bob.device.aci)).toThrow(/no changed identity/);
  });

  it('accepts messages from a changed identity, marking it unconfirmed', async () => {
    const { sim, alice, bob } = await aliceAndBob();
    await alice.device.send(bob.device.aci, utf8('before'));
    await sim.settle();
    await sim.reregister('Bob');
    const got: string[] = [];
    alice.device.api.onMessage((m) => void got.push(text(m.bytes)));
    await bob.device.send(alice.device.aci, utf8('from my new phone'));
    await sim.settle();
    expect(got).toEqual(['from my new phone']);
    expect(alice.device.identityStatus(bob.device.aci)).toBe('changed-unconfirmed');
  });

  it('reports a recipient that is not on Signal as not-registered, and sends nothing', async () => {
    const { sim, alice } = await aliceAndBob();
    expect(await alice.device.api.lookup('+15550000000')).toBeUndefined();
    const error = await alice.device.send('+15550000000', utf8('x')).catch((e: unknown) => e);
    expect((error as SignalSendError).kind).toBe('not-registered');
    expect(sim.trace.find('server.queued')).toEqual([]);
  });
});
