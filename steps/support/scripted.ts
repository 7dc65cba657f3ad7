/**
 * What the scripted peers share (steps/scripted-sender.steps.ts, steps/scripted-receiver.steps.ts):
 * the harness writing protocol messages itself and sending them from a phone's Signal device,
 * bypassing the credential app on it.
 */
import { newKeyPair, seedFrom, type KeyPair } from '../../src/protocol/signing.ts';
import type { Phone } from '../../src/sim/simulation.ts';
import type { SctWorld } from './world.ts';

/** A new Ed25519 key pair from the scenario's seeded random source. */
export function newKey(world: SctWorld): KeyPair {
  return newKeyPair(seedFrom(() => world.sim.random.next()));
}

/**
 * Sends bytes from a phone's Signal device to another phone's account, bypassing the app; the
 * share's credential (`secret`), when given, is watched for on the server.
 */
export async function sendScripted(world: SctWorld, from: Phone, to: Phone, bytes: Uint8Array, secret?: string): Promise<void> {
  await world.sim.sendRaw(from, to, bytes, secret);
  await world.sim.settle();
}
