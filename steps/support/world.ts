/**
 * The World: one per scenario, owning one Simulation. Steps reach the simulation and the
 * adapter under test through it; what they need to remember between steps (the shares made so
 * far) lives here too.
 */
import { After, Before, BeforeAll, World, setDefaultTimeout, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import { adapterSpec, loadAdapter, type LoadedAdapter } from '../../src/adapter/load.ts';
import type { ShareRequest } from '../../src/adapter/contract.ts';
import { Simulation, type Phone } from '../../src/sim/simulation.ts';
import { runSeed } from '../../src/seed.ts';
import type { CredentialKind } from '../../src/fakes/data.ts';

// Virtual time makes steps fast; this only bounds a step stuck outside the simulation's own guards.
setDefaultTimeout(60_000);

/** A share the scenario made, remembered so later steps can say "the car key". */
export interface Share {
  transferId: string;
  kind: CredentialKind;
  sender: Phone;
  receiver: Phone;
  request: ShareRequest;
}

let adapter: LoadedAdapter;
const seed = runSeed();

BeforeAll(async function () {
  adapter = await loadAdapter(adapterSpec());
});

export class SctWorld extends World {
  sim!: Simulation;
  adapter!: LoadedAdapter;
  readonly shares: Share[] = [];

  constructor(options: IWorldOptions) {
    super(options);
  }

  /** The latest share of a kind ("the car key"). */
  share(kind: CredentialKind): Share {
    const share = this.shares.findLast((s) => s.kind === kind);
    if (!share) throw new Error(`No ${kind} has been shared in this scenario yet`);
    return share;
  }
}
setWorldConstructor(SctWorld);

Before(async function (this: SctWorld, { pickle }) {
  this.adapter = adapter;
  this.sim = new Simulation({ seed, name: pickle.name, hangMs: Number(process.env.SCT_HANG_MS) || undefined });
});

After(async function (this: SctWorld, { pickle, result }) {
  if (!this.sim) return;
  await this.sim.dispose();
  // Every scenario, whatever it checks, also proves the server never held a credential in the clear.
  const leaks = this.sim.plaintextLeaks();
  this.attach(JSON.stringify(this.sim.trace, null, 2), { mediaType: 'application/json', fileName: 'trace.json' });
  if (result?.status === 'FAILED') {
    this.log(`Replay this scenario: SCT_SEED=${seed} npm run conformance -- --name '${pickle.name.replace(/'/g, '.')}'`);
  }
  if (leaks.length) {
    throw new Error(`The server received or stored credential plaintext: ${leaks.length} secret(s) seen in the clear`);
  }
});
