/**
 * Path figures for `npm run bench` (bench/run.ts prints them): 1 KiB messages on a settled
 * session, each figure the median of RUNS timed runs after a warm-up (the runs of figures that
 * are compared interleaved, so they share the machine's load), everything seeded.
 *
 *   raw-libsignal    encrypt + decrypt one way, in-memory stores, nothing else (the floor)
 *   path-direct      the whole path: Alice's Signal app API -> direct transport -> simulated
 *                    server (auth, validation, queue) -> delivery -> Bob's device decrypts ->
 *                    Bob's handler -> ack
 *   path-msw         the same through msw (a real fetch, intercepted)
 *   msw-floor        raw libsignal plus one msw round trip per message, nothing else
 *   ratio-direct     path-direct / raw-libsignal
 *   ratio-msw-floor  path-msw / msw-floor
 *   ping-pong        through the direct path: Alice sends, Bob's handler answers, Alice's handler
 *                    gets it (each message counted)
 *   raw-ping-pong    the same exchange in raw libsignal (every message turns the ratchet)
 *
 * BENCH_MESSAGES (default 2000) and BENCH_WARMUP (default 500) set the sizes, BENCH_CLOCK=cpu
 * times by this process's CPU time instead of real time (see CLOCK); run alone with
 * `tsx bench/path.ts`.
 */
import {
  CiphertextMessageType,
  IdentityKeyPair,
  KEMKeyPair,
  PreKeyBundle,
  PreKeySignalMessage,
  PrivateKey,
  ProtocolAddress,
  SignalMessage,
  KyberPreKeyRecord,
  SignedPreKeyRecord,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
} from '@signalapp/libsignal-client';
import {
  MemoryIdentityStore,
  MemoryKyberPreKeyStore,
  MemoryPreKeyStore,
  MemorySessionStore,
  MemorySignedPreKeyStore,
} from '../src/sim/device/stores.ts';
import { Simulation } from '../src/sim/simulation.ts';
import { SIM_DOMAIN, ensureInterceptor, type TransportName } from '../src/sim/transport/index.ts';
import { figureLine, type Figure } from './figure.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
/** Timed runs per figure; the median is reported. */
const RUNS = 3;
/**
 * What a run is timed by: `wall` (default) real time; `cpu` this process's CPU time (all its
 * threads), for a machine shared with other work, where wall time measures the other work too.
 */
const CLOCK = process.env.BENCH_CLOCK ?? 'wall';
if (CLOCK !== 'wall' && CLOCK !== 'cpu') throw new Error(`BENCH_CLOCK "${CLOCK}" is not a clock: use wall or cpu`);
const seconds = CLOCK === 'cpu' ? () => ((u) => (u.user + u.system) / 1e6)(process.cpuUsage()) : () => performance.now() / 1000;
const payload = new Uint8Array(1024).map((_, i) => i & 0xff) as Uint8Array<ArrayBuffer>;

/** One thing to time: `step` passes `count` messages; `done` checks and tears down after the timed runs. */
interface Timed {
  step: () => Promise<void>;
  count?: number;
  done?: () => Promise<void>;
}

/**
 * Messages per second of each timed thing: WARMUP steps each, then RUNS rounds that time every
 * thing once in turn (MESSAGES steps), the median of its rounds reported. Interleaved rounds put
 * a ratio's two sides under the same load when other processes share the machine.
 */
async function rates(timed: Timed[]): Promise<number[]> {
  for (const t of timed) for (let i = 0; i < WARMUP; i++) await t.step();
  const runs: number[][] = timed.map(() => []);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, t] of timed.entries()) {
      const start = seconds();
      for (let n = 0; n < MESSAGES; n++) await t.step();
      runs[i]!.push((MESSAGES * (t.count ?? 1)) / (seconds() - start));
    }
  }
  for (const t of timed) await t.done?.();
  return runs.map((r) => r.sort((x, y) => x - y)[Math.floor(RUNS / 2)]!);
}

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
type Party = ReturnType<typeof party>;

/** Alice and Bob in raw libsignal with a settled session (Bob has answered once). */
async function rawPair() {
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
  await decrypt(alice, bob, await encrypt(alice, bob));
  await decrypt(bob, alice, await encrypt(bob, alice));
  return { alice, bob };
}

async function encrypt(from: Party, to: Party): Promise<{ type: number; bytes: Uint8Array<ArrayBuffer> }> {
  const message = await signalEncrypt(payload, to.address, from.address, from.sessions, from.identities);
  return { type: message.type(), bytes: message.serialize() };
}

async function decrypt(from: Party, to: Party, message: { type: number; bytes: Uint8Array<ArrayBuffer> }): Promise<void> {
  if (message.type === CiphertextMessageType.PreKey) {
    await signalDecryptPreKey(PreKeySignalMessage.deserialize(message.bytes), from.address, to.address, to.sessions, to.identities, to.preKeys, to.signed, to.kyber);
  } else {
    await signalDecrypt(SignalMessage.deserialize(message.bytes), from.address, to.address, to.sessions, to.identities);
  }
}

async function rawLibsignal(): Promise<Timed> {
  const { alice, bob } = await rawPair();
  return { step: async () => decrypt(alice, bob, await encrypt(alice, bob)) };
}

async function rawPingPong(): Promise<Timed> {
  const { alice, bob } = await rawPair();
  return {
    step: async () => {
      await decrypt(alice, bob, await encrypt(alice, bob));
      await decrypt(bob, alice, await encrypt(bob, alice));
    },
    count: 2,
  };
}

/** Raw libsignal plus one msw round trip per message (the ciphertext as the body, to a host nothing is mounted on: the cheapest answer msw can give through our handler). */
async function mswFloor(): Promise<Timed> {
  ensureInterceptor();
  const { alice, bob } = await rawPair();
  const url = `https://floor.${SIM_DOMAIN}/v1/messages/${bob.address.name()}`;
  return {
    step: async () => {
      const message = await encrypt(alice, bob);
      const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: message.bytes });
      await res.arrayBuffer();
      await decrypt(alice, bob, message);
    },
  };
}

/** Alice and Bob's Signal devices in a simulation (no credential app: the handlers are the bench's), session settled. */
async function simulatedPair(transport: TransportName) {
  const sim = new Simulation({ seed: 1, name: 'bench', transport });
  const alice = await sim.addPhone('Alice');
  const bob = await sim.addPhone('Bob');
  await alice.device.api.send(bob.device.aci, payload);
  await sim.settle();
  await bob.device.api.send(alice.device.aci, payload);
  await sim.settle();
  return { sim, alice: alice.device, bob: bob.device };
}

async function wholePath(transport: TransportName): Promise<Timed> {
  const { sim, alice, bob } = await simulatedPair(transport);
  let received = 0;
  bob.api.onMessage(() => void received++);
  return {
    step: async () => {
      await alice.api.send(bob.aci, payload);
      await sim.settle();
    },
    done: async () => {
      await sim.dispose();
      if (received !== WARMUP + RUNS * MESSAGES) throw new Error(`Bob's handler got ${received} of ${WARMUP + RUNS * MESSAGES} messages`);
    },
  };
}

async function pingPong(): Promise<Timed> {
  const { sim, alice, bob } = await simulatedPair('direct');
  let answers = 0;
  bob.api.onMessage(async (message) => void (await bob.api.send(message.from.aci, message.bytes)));
  alice.api.onMessage(() => void answers++);
  return {
    step: async () => {
      await alice.api.send(bob.aci, payload);
      await sim.settle();
    },
    count: 2,
    done: async () => {
      await sim.dispose();
      if (answers !== WARMUP + RUNS * MESSAGES) throw new Error(`Alice's handler got ${answers} of ${WARMUP + RUNS * MESSAGES} answers`);
    },
  };
}

export async function pathFigures(): Promise<Figure[]> {
  // Two groups, each interleaved: a ratio's two sides are timed side by side.
  const [raw, direct, msw, floor] = await rates([await rawLibsignal(), await wholePath('direct'), await wholePath('msw'), await mswFloor()]);
  const [pingPongDirect, rawPing] = await rates([await pingPong(), await rawPingPong()]);
  const round = (n: number) => Math.round(n);
  const ratio = (n: number) => Math.round(n * 100) / 100;
  return [
    { name: 'raw-libsignal', value: round(raw), unit: 'msg/s' },
    { name: 'path-direct', value: round(direct), unit: 'msg/s' },
    { name: 'path-msw', value: round(msw), unit: 'msg/s' },
    { name: 'msw-floor', value: round(floor), unit: 'msg/s' },
    { name: 'ratio-direct', value: ratio(direct / raw), unit: 'x', target: { op: '>=', value: 0.75 } },
    { name: 'ratio-msw-floor', value: ratio(msw / floor), unit: 'x', target: { op: '>=', value: 0.9 } },
    { name: 'ping-pong', value: round(pingPongDirect), unit: 'msg/s', target: { op: '>=', value: 2200 } },
    { name: 'raw-ping-pong', value: round(rawPing), unit: 'msg/s' },
  ];
}

// Run alone: print the figures (bench/run.ts judges the targets).
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await pathFigures()) console.log(figureLine(f));
}
