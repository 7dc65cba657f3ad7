/**
 * Throughput benchmark (`npm run bench`): 1 KiB messages one way, Alice to Bob.
 *
 * 1. raw libsignal: encrypt + decrypt on an established session, stores in memory, nothing else;
 * 2. the whole path: Alice's Signal app API -> HTTP through msw -> simulated server (auth,
 *    validation, queue) -> delivery -> Bob's device decrypts -> Bob's app handler -> ack.
 *
 * Prints both rates and their ratio; exits non-zero when the path is below half of raw libsignal.
 * To say where the rest of the time goes, it also measures the msw round trip alone (the same
 * PUT /v1/messages, nothing delivered) and, as an attribution experiment only, the whole path
 * with msw replaced by a direct call into the server's routes.
 */
import {
  IdentityKeyPair,
  KEMKeyPair,
  PreKeyBundle,
  PreKeySignalMessage,
  PrivateKey,
  ProtocolAddress,
  SignalMessage,
  CiphertextMessageType,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
  KyberPreKeyRecord,
  SignedPreKeyRecord,
} from '@signalapp/libsignal-client';
import {
  MemoryIdentityStore,
  MemoryKyberPreKeyStore,
  MemoryPreKeyStore,
  MemorySessionStore,
  MemorySignedPreKeyStore,
} from '../src/sim/device/stores.ts';
import { Simulation } from '../src/sim/simulation.ts';
import { handle } from '../src/sim/server/routes.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 3000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const payload = new Uint8Array(1024).map((_, i) => i & 0xff) as Uint8Array<ArrayBuffer>;

function party(name: string, registrationId: number) {
  const identity = IdentityKeyPair.generate();
  return {
    address: ProtocolAddress.new(name, 1),
    identity,
    registrationId,
    sessions: new MemorySessionStore(),
    identities: new MemoryIdentityStore(identity, registrationId),
    preKeys: new MemoryPreKeyStore(),
    signed: new MemorySignedPreKeyStore(),
    kyber: new MemoryKyberPreKeyStore(),
  };
}

async function rawLibsignal(): Promise<number> {
  const alice = party('aaaaaaaa-0000-4000-8000-000000000001', 1);
  const bob = party('bbbbbbbb-0000-4000-8000-000000000002', 2);
  const signed = PrivateKey.generate();
  const signedSig = bob.identity.privateKey.sign(signed.getPublicKey().serialize());
  await bob.signed.saveSignedPreKey(1, SignedPreKeyRecord.new(1, 0, signed.getPublicKey(), signed, signedSig));
  const kem = KEMKeyPair.generate();
  const kemSig = bob.identity.privateKey.sign(kem.getPublicKey().serialize());
  await bob.kyber.saveKyberPreKey(1, KyberPreKeyRecord.new(1, 0, kem, kemSig));
  const bundle = PreKeyBundle.new(2, 1, null, null, 1, signed.getPublicKey(), signedSig, bob.identity.publicKey, 1, kem.getPublicKey(), kemSig);
  await processPreKeyBundle(bundle, bob.address, alice.address, alice.sessions, alice.identities);

  const oneWay = async () => {
    const message = await signalEncrypt(payload, bob.address, alice.address, alice.sessions, alice.identities);
    if (message.type() === CiphertextMessageType.PreKey) {
      await signalDecryptPreKey(PreKeySignalMessage.deserialize(message.serialize()), alice.address, bob.address, bob.sessions, bob.identities, bob.preKeys, bob.signed, bob.kyber);
    } else {
      await signalDecrypt(SignalMessage.deserialize(message.serialize()), alice.address, bob.address, bob.sessions, bob.identities);
    }
  };
  // Bob answers once, so Alice's messages are plain Whisper messages, as on a settled session.
  await oneWay();
  const reply = await signalEncrypt(payload, alice.address, bob.address, bob.sessions, bob.identities);
  await signalDecrypt(SignalMessage.deserialize(reply.serialize()), bob.address, alice.address, alice.sessions, alice.identities);
  for (let i = 0; i < WARMUP; i++) await oneWay();
  const start = performance.now();
  for (let i = 0; i < MESSAGES; i++) await oneWay();
  return MESSAGES / ((performance.now() - start) / 1000);
}

/** Msg/s over the whole path; with `direct`, fetch calls the server's routes without msw. */
async function wholePath(direct = false): Promise<number> {
  const sim = new Simulation({ seed: 1, name: 'bench' });
  const mswFetch = globalThis.fetch;
  if (direct) globalThis.fetch = directFetch(sim);
  const alice = await sim.addPhone('Alice');
  const bob = await sim.addPhone('Bob');
  let received = 0;
  bob.device.api.onMessage(() => void received++);
  alice.device.api.onMessage(() => {});
  await alice.device.api.send(bob.device.aci, payload);
  await sim.settle();
  await bob.device.api.send(alice.device.aci, payload);
  await sim.settle();
  const oneWay = async () => {
    await alice.device.api.send(bob.device.aci, payload);
    await sim.settle();
  };
  for (let i = 0; i < WARMUP; i++) await oneWay();
  const before = received;
  const start = performance.now();
  for (let i = 0; i < MESSAGES; i++) await oneWay();
  const rate = MESSAGES / ((performance.now() - start) / 1000);
  if (received - before !== MESSAGES) throw new Error(`Bob's app got ${received - before} of ${MESSAGES} messages`);
  globalThis.fetch = mswFetch;
  await sim.dispose();
  return rate;
}

/** Requests/s of the msw round trip alone: the same PUT /v1/messages, Bob offline (nothing delivered). */
async function mswRoundTrip(): Promise<number> {
  const sim = new Simulation({ seed: 1, name: 'bench-http' });
  const alice = await sim.addPhone('Alice');
  const bob = await sim.addPhone('Bob');
  bob.device.goOffline();
  const content = Buffer.from(new Uint8Array(1024 + 85)).toString('base64'); // a 1 KiB Whisper message's size
  const body = new TextEncoder().encode(
    JSON.stringify({ messages: [{ type: 1, destinationDeviceId: 1, destinationRegistrationId: bob.device.registrationId, content }], timestamp: 1 }),
  );
  const put = async () => {
    const res = await fetch(`${sim.baseUrl}/v1/messages/${bob.device.aci}`, {
      method: 'PUT',
      headers: { authorization: alice.device.authorizationHeader, 'content-type': 'application/json' },
      body,
    });
    if (res.status !== 200) throw new Error(`PUT answered ${res.status}`);
    await res.arrayBuffer();
  };
  for (let i = 0; i < WARMUP; i++) await put();
  const start = performance.now();
  for (let i = 0; i < MESSAGES; i++) await put();
  const rate = MESSAGES / ((performance.now() - start) / 1000);
  await sim.dispose();
  return rate;
}

function directFetch(sim: Simulation): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const body = init?.body ? new Uint8Array(init.body as Uint8Array) : new Uint8Array();
    const res = handle(sim.server, { method: init?.method ?? 'GET', url: new URL(String(input)), headers: new Headers(init?.headers), body });
    return new Response(res.body === undefined ? null : JSON.stringify(res.body), { status: res.status, headers: res.headers });
  }) as typeof fetch;
}

const raw = await rawLibsignal();
const path = await wholePath();
const http = await mswRoundTrip();
const direct = await wholePath(true);
const ratio = path / raw;
const ms = (rate: number) => `${(1000 / rate).toFixed(3)} ms`;
console.log(`messages: ${MESSAGES} x 1 KiB, one way, after ${WARMUP} warm-up`);
console.log(`raw libsignal encrypt+decrypt:  ${raw.toFixed(0).padStart(6)} msg/s  (${ms(raw)} each)`);
console.log(`whole path:                     ${path.toFixed(0).padStart(6)} msg/s  (${ms(path)} each)`);
console.log(`ratio: ${ratio.toFixed(2)} (target >= 0.50: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
console.log('where the time goes:');
console.log(`  msw round trip alone (same PUT):  ${ms(http)} per message`);
console.log(`  whole path without msw (direct):  ${ms(direct)} per message (ratio ${(direct / raw).toFixed(2)})`);
// Even a path that did nothing but libsignal and one msw round trip could not beat this ratio.
const floor = 1 / (1 / raw + 1 / http);
console.log(`  best possible with msw in the path (libsignal + msw round trip, nothing else): ratio ${(floor / raw).toFixed(2)}`);
if (ratio < 0.5) process.exitCode = 1;
