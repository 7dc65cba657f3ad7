/**
 * The World: one per scenario, owning one Simulation. Steps reach the simulation and the apps
 * through it; what they need to remember between steps (the shares made so far) lives here too.
 *
 * Roles: the run's role (SCT_ROLE, set per pass by the CLI) says where the app under test runs.
 * `sender`: on the phone of the first person the set-up step names (the one who shares), the
 * peer app on the others; `receiver`: on the second person's phone; `both`: everywhere.
 * The peer app is the reference app, or the adapter module SCT_PEER_ADAPTER names (the mutation
 * run, docs/mutation.md, sets it to a pristine copy of the reference app, so that a mutated
 * reference app under test is never judged by itself).
 * Scenarios tagged `@receiver-only` / `@sender-only` only make sense with the app under test in
 * that role and are skipped in the other.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { After, Before, BeforeAll, World, setDefaultTimeout, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import { REFERENCE_ADAPTER, adapterSpec, loadAdapter, type LoadedAdapter } from '../../src/adapter/load.ts';
import type { ShareRequest } from '../../src/adapter/contract.ts';
import { Simulation, type Phone } from '../../src/sim/simulation.ts';
import { AppAssertionError, HarnessError } from '../../src/sim/failures.ts';
import { describeViolations, monitor } from '../../src/monitor/index.ts';
import { runSeed } from '../../src/seed.ts';
import { parseRole, type Role } from '../../src/roles.ts';
import { setActiveScenario } from '../../src/run/containment.ts';
import { replayCommand } from '../../src/run/replay.ts';
import { runTransport } from '../../src/sim/transport/choice.ts';
import type { CredentialKind } from '../../src/fakes/data.ts';
import { placeLabels } from '../../src/report/labels.ts';
import { describeRequirement, requirementAttachment, requirementLink } from '../../src/report/requirements.ts';
import { requirementIds } from '../../src/requirements.ts';
import { scenarioDiagram } from '../../src/report/scenario-diagram.ts';

// Virtual time makes steps fast; this only bounds a step stuck outside the simulation's own guards.
setDefaultTimeout(60_000);

/** A share the scenario made, remembered so later steps can say "the car key". */
export interface Share {
  transferId: string;
  kind: CredentialKind;
  sender: Phone;
  /** Undefined when the recipient has no phone on Signal. */
  receiver?: Phone;
  recipientName: string;
  request: ShareRequest;
}

let implementation: LoadedAdapter;
let peer: LoadedAdapter;
/** SCT_PEER_ADAPTER as given (relative to the working directory), when it overrides the reference app as the peer; read per run (an interop run changes it between pairs). */
let peerOverride: string | undefined;
/** In an interop run (src/interop/), the names of the two apps: the sender's is the app under test's. */
let interop: { sender: string; receiver: string } | undefined;
const seed = runSeed();

BeforeAll(async function () {
  peerOverride = process.env.SCT_PEER_ADAPTER?.trim() || undefined;
  interop = process.env.SCT_INTEROP_SENDER ? { sender: process.env.SCT_INTEROP_SENDER, receiver: process.env.SCT_INTEROP_RECEIVER ?? 'the receiver' } : undefined;
  implementation = await loadAdapter(adapterSpec());
  const peerSpec = peerOverride ?? REFERENCE_ADAPTER;
  peer = resolve(peerSpec) === resolve(implementation.spec) ? implementation : await loadAdapter(peerSpec);
});

/**
 * Writes a scenario's trace to <reports>/traces/<role>/<feature>--<scenario>.json (SCT_REPORTS,
 * set by the CLI; `reports` otherwise), where CI keeps it and two runs can be compared.
 */
function writeTrace(role: Role, uri: string, name: string, trace: string): void {
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 120);
  const dir = join(process.env.SCT_REPORTS || 'reports', 'traces', role);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${slug(basename(uri, '.feature'))}--${slug(name)}.json`), `${trace}\n`);
}

export class SctWorld extends World {
  sim!: Simulation;
  role!: Role;
  tags: string[] = [];
  /** Attachments and trace files are written (not with `--report junit`). */
  reporting = true;
  readonly shares: Share[] = [];
  /** People the scenario named who are not on Signal, with their phone numbers. */
  readonly strangers = new Map<string, string>();
  /** People in the order their phones were set up: the first is the sender's side, the second the receiver's. */
  readonly phonesSetUpOrder: string[] = [];

  constructor(options: IWorldOptions) {
    super(options);
  }

  /** The latest share of a kind ("the car key"). */
  share(kind: CredentialKind): Share {
    const share = this.shares.findLast((s) => s.kind === kind);
    if (!share) throw new Error(`No ${kind} has been shared in this scenario yet`);
    return share;
  }

  /** The latest share a phone took part in, as sender or receiver. */
  latestShareOf(phone: Phone): Share {
    const share = this.shares.findLast((s) => s.sender === phone || s.receiver === phone);
    if (!share) throw new Error(`${phone.name} took part in no share yet`);
    return share;
  }

  /** A person's phone number, whether or not they are on Signal. */
  numberOf(name: string): string {
    return this.strangers.get(name) ?? this.sim.phone(name).device.number;
  }

  /** Which app the person at `position` (0 = first set up) runs, and how to call it. */
  appFor(position: number): { adapter: LoadedAdapter; label: string } {
    const underTest =
      this.role === 'both' || (this.role === 'sender' && position === 0) || (this.role === 'receiver' && position === 1);
    if (!underTest) return { adapter: peer, label: interop ? `the receiver's app ${interop.receiver}` : peerOverride ? `the peer app (${peerOverride})` : 'the reference app' };
    if (resolve(implementation.spec) === REFERENCE_ADAPTER) return { adapter: implementation, label: 'the reference app, as the app under test' };
    return { adapter: implementation, label: 'the app under test' };
  }
}
setWorldConstructor(SctWorld);

Before(async function (this: SctWorld, { pickle, gherkinDocument }) {
  this.role = parseRole(process.env.SCT_ROLE);
  this.tags = pickle.tags.map((t) => t.name);
  // Allure tells the passes apart by this parameter (same scenario, app under test in another role);
  // in an interop run, by the pair (Allure's grouping by parameter then shows the matrix). The
  // labels place it in the Suites tab (folder > feature > scenario), skipped ones too.
  const parameters = interop ? [{ name: 'sender -> receiver', value: `${interop.sender} -> ${interop.receiver}` }] : [{ name: 'app under test', value: this.role }];
  const labels = placeLabels(pickle.uri, gherkinDocument.feature?.name || pickle.uri, pickle.name);
  const links = requirementIds(this.tags).map(requirementLink);
  // `--report junit`: nothing reads attachments or trace files (the child still reads this scenario's log lines).
  this.reporting = process.env.SCT_REPORT !== 'junit';
  if (this.reporting) this.attach(JSON.stringify({ type: 'metadata', data: { parameters, labels, links } }), 'application/vnd.allure.message+json');
  if ((this.role === 'sender' && this.tags.includes('@receiver-only')) || (this.role === 'receiver' && this.tags.includes('@sender-only'))) {
    return 'skipped';
  }
  this.sim = new Simulation({ seed, name: pickle.name, hangMs: Number(process.env.SCT_HANG_MS) || undefined });
  // App code failing outside any harness call (its own timers, unhandled promises) fails this scenario.
  const { scheduler } = this.sim;
  setActiveScenario({ key: `${this.role} ${pickle.uri}:${pickle.location?.line}`, fail: (message) => scheduler.fail(message) });
  return undefined;
});

/*
 * What the report shows at the top and the foot of the test body, not hidden in its set-up and
 * tear-down: allure-cucumberjs gives a hook of this name no fixture of its own, so what it
 * attaches goes to the test. After hooks run last-defined first: the diagram's runs after the
 * After below, once the trace is complete.
 */
Before({ name: 'ALLURE_FIXTURE_IGNORE' }, function (this: SctWorld) {
  // The words of each requirement checked, readable in the report without a network.
  if (this.reporting) for (const id of requirementIds(this.tags)) this.attach(requirementAttachment(id), { mediaType: 'text/html', fileName: `${id}.html` });
});

After({ name: 'ALLURE_FIXTURE_IGNORE' }, function (this: SctWorld, { pickle, result }) {
  if (!this.sim || !this.reporting) return;
  const failure = result?.status === 'FAILED' && result.message ? { message: result.message, requirements: requirementIds(this.tags) } : undefined;
  this.attach(scenarioDiagram(this.sim, pickle.name, failure), { mediaType: 'image/svg+xml', fileName: 'sequence diagram.svg' });
});

After(async function (this: SctWorld, { pickle, result }) {
  if (!this.sim) return;
  // A story that passed goes on without its users (src/sim/simulation.ts, aftermath): what the
  // apps do late is judged by the monitor below. A failure there is the app's, after the story.
  const lateFailure = result?.status === 'PASSED' && !this.sim.scheduler.failures.length ? await this.sim.aftermath().then(() => undefined, (error: unknown) => error) : undefined;
  await this.sim.dispose();
  // One turn of the event loop: a promise the app left rejected is reported now, in this scenario.
  await new Promise((resolve) => setImmediate(resolve));
  setActiveScenario(undefined);
  // Every scenario, whatever it checks, also proves the server never held a credential in the clear.
  const leaks = this.sim.plaintextLeaks();
  if (this.reporting) {
    const trace = JSON.stringify(this.sim.trace, null, 2);
    this.attach(trace, { mediaType: 'application/json', fileName: 'trace.json' });
    writeTrace(this.role, pickle.uri, pickle.name, trace);
  }
  if (result?.status === 'FAILED' || this.sim.scheduler.failures.length || leaks.length) {
    const adapter = process.env.SCT_ADAPTER_ARG || undefined;
    this.log(`Replay this scenario: ${replayCommand({ seed, role: this.role, transport: runTransport(), adapter, ignoreExpected: process.env.SCT_EXPECTED_LIST === '1', ...(interop ? { pair: interop } : {}), peer: peerOverride, name: pickle.name, uri: pickle.uri, line: pickle.location?.line ?? 0 })}`);
  }
  if (leaks.length) {
    throw new AppAssertionError(`${describeRequirement('R-CONF-1')}: the server received or stored credential plaintext: ${leaks.length} secret(s) seen in the clear`);
  }
  // Failures recorded after the last step settled (a late app error) fail the scenario here.
  if (lateFailure) throw new AppAssertionError(`After the story's last step, while simulated time ran on (the aftermath): ${lateFailure instanceof Error ? lateFailure.message : String(lateFailure)}`);
  this.sim.scheduler.throwIfFailed();
  // The protocol monitor: rules that hold in any story, whatever this scenario asserted.
  const { byAppUnderTest, byOthers } = monitor(this.sim);
  const broke = (what: string, found: typeof byAppUnderTest) => `The protocol monitor found ${what} breaking ${new Set(found.map((v) => v.invariant)).size} invariant(s) (docs/invariants.md):\n${describeViolations(found)}`;
  // In an interop run both sides are apps being judged: the receiver's violations are its own, not the harness's.
  if (interop && (byAppUnderTest.length || byOthers.length)) {
    throw new AppAssertionError([byAppUnderTest.length ? broke(`the sender ${interop.sender}`, byAppUnderTest) : '', byOthers.length ? broke(`the receiver ${interop.receiver}`, byOthers) : ''].filter(Boolean).join('\n'));
  }
  if (byOthers.length) throw new HarnessError(`The protocol monitor found the reference app breaking an invariant (a harness fault):\n${describeViolations(byOthers)}`);
  if (byAppUnderTest.length) throw new AppAssertionError(broke('the app under test', byAppUnderTest));
});
