/**
 * Plays one exploration plan in a fresh simulation: Alice shares with Bob, the plan's faults and
 * disruptions happen at their moments, every phone reconnects when the fault window closes, and
 * time runs on until well past the expiration. Then the judges speak: the protocol monitor (the
 * invariants of every scenario), liveness (liveness.ts), and the harness's own checks (the
 * server saw no plaintext; the apps kept the contract; the reference peer reported no violation).
 */
import type { LoadedAdapter } from '../adapter/load.ts';
import { monitor, describeViolations } from '../monitor/index.ts';
import type { Violation } from '../monitor/invariant.ts';
import type { Phone } from '../sim/phone.ts';
import { QUIET_HORIZON_MS, Simulation } from '../sim/simulation.ts';
import { HarnessError, describeError } from '../sim/failures.ts';
import { answerCrafted, sendCrafted, sendFromBob, sendInvitationAgain, sendThirdParty, type CraftedTransfer } from './adversary.ts';
import { livenessProblems, SETTLE_MS } from './liveness.ts';
import { senderProblems } from './sender-rules.ts';
import { FAULT_WINDOW_MS, backAt, disturbedUntil, type Plan } from './plan.ts';

/** What a run found wrong, by whose fault. */
export interface Verdict {
  /** Problems of the app under test: the plan is a counterexample. */
  app: string[];
  /** Problems of the harness or the reference peer: not the app's fault. */
  harness: string[];
}

export interface Apps {
  underTest: LoadedAdapter;
  reference: LoadedAdapter;
}

/** One timeline step: at `atMs` after the share, do `act`. */
interface Step {
  atMs: number;
  /** Done before Alice shares (a phone offline from the start). */
  beforeShare?: boolean;
  /** Done as Alice shares, before her first messages are delivered (a message that overtakes them). */
  atShare?: boolean;
  act: () => void | Promise<void>;
}

/** Plays a plan; with `keepTrace`, also returns the run's trace as JSON (for a counterexample). */
export async function playPlan(plan: Plan, apps: Apps, hangMs?: number, keepTrace = false): Promise<Verdict & { trace?: string }> {
  const sim = new Simulation({ seed: plan.seed, name: 'explore', hangMs });
  try {
    let verdict: Verdict;
    try {
      verdict = await play(sim, plan, apps);
    } catch (error) {
      // Every failure of the app is recorded, not thrown: what escapes is the harness's own.
      verdict = { app: [], harness: [`the run stopped on an error of the harness: ${error instanceof Error ? error.stack : String(error)}`] };
    }
    return keepTrace ? { ...verdict, trace: JSON.stringify(sim.trace, null, 2) } : verdict;
  } finally {
    await sim.dispose().catch(() => undefined);
  }
}

async function play(sim: Simulation, plan: Plan, apps: Apps): Promise<Verdict> {
  const harness: string[] = [];
  const alice = await sim.addPhone('Alice');
  const bob = await sim.addPhone('Bob');
  const bobs: Phone[] = [bob];
  if (plan.bobHasTablet) bobs.push(await sim.linkDevice('Bob', 'tablet'));
  const mallory = plan.disruptions.some((d) => d.kind === 'third-party') ? await sim.addPhone('Mallory') : undefined;
  const carol = plan.role === 'sender' && plan.disruptions.some((d) => d.kind === 'carol') ? await sim.addPhone('Carol') : undefined;
  const install = (phone: Phone, underTest: boolean) =>
    sim.installApp(phone, underTest ? apps.underTest : apps.reference, underTest ? 'the app under test' : 'the reference app');
  await install(alice, plan.role === 'sender');
  for (const phone of bobs) await install(phone, plan.role === 'receiver');
  if (carol) {
    // Alice and Carol wrote before (Alice's device knows Carol's safety number); then Carol reinstalled.
    await sim.sendRaw(alice, carol, new TextEncoder().encode('See you on Sunday!'));
    await sim.scheduler.runUntilQuiet();
    await sim.reregister('Carol');
  }

  const start = sim.clock.now();
  const windowEnd = start + FAULT_WINDOW_MS;
  const aci = { 'to Bob': { from: alice.device.aci, to: bob.device.aci }, 'to Alice': { from: bob.device.aci, to: alice.device.aci } };
  for (const f of plan.faults) sim.faults.add(f.fault, aci[f.direction], { count: f.count, until: windowEnd });

  const share = async (kind: Plan['kind'], length: number | null = null) => {
    const request = sim.data.credential(kind, { recipient: bob.device.number, flow: plan.flow, expiresAt: sim.clock.now() + plan.expiresInMs });
    if (length !== null) request.provisioningInformation = sim.data.opaque(length);
    return sim.share(alice, request);
  };
  /** Bob deleted his account: his devices stay offline for good (the server knows them no more). */
  let deleted = false;
  const reconnect = (phones: Phone[]) => {
    for (const p of phones) p.device.goOffline();
    for (const p of phones) if (!(deleted && bobs.includes(p))) p.device.goOnline();
  };
  let transferId: string | undefined;
  const crafted: CraftedTransfer[] = [];
  /** What the app under test's calls threw (a call the harness makes on a user's behalf must not). */
  const thrown: string[] = [];
  const userCall = (call: Promise<unknown>) => call.then(() => undefined, (error: unknown) => void thrown.push(describeError(error)));
  /** Alice confirms Bob's new safety number from this moment on, once her phone shows it. */
  let confirmFrom: number | undefined;
  /** What the users and the harness's scripted peers do whenever time has moved. */
  const watch = async () => {
    if (confirmFrom !== undefined && sim.clock.now() >= confirmFrom && alice.device.identityStatus(bob.device.aci) === 'changed-unconfirmed') {
      alice.device.confirmIdentity(bob.device.aci);
    }
    for (const t of crafted) await answerCrafted(sim, alice, bob, t);
    await sim.scheduler.runUntilQuiet();
  };

  const steps: Step[] = [];
  for (const d of plan.disruptions) {
    switch (d.kind) {
      case 'offline': {
        const phones = d.who === 'Alice' ? [alice] : bobs;
        // Offline from the start: offline when Alice shares, so her first message waits on the server.
        steps.push({ atMs: d.atMs, beforeShare: d.atMs === 0, act: () => phones.forEach((p) => p.device.goOffline()) });
        // Back: a fresh connection (what a drop held back comes now, even if another window had it online already).
        steps.push({ atMs: backAt(plan, d), act: () => reconnect(phones) });
        break;
      }
      case 'cancel':
        steps.push({ atMs: d.atMs, act: () => userCall(sim.cancel(alice, transferId!)) });
        break;
      case 'reinstall':
        steps.push({
          atMs: d.atMs,
          act: async () => {
            if (deleted) return; // an account deleted first: nothing to reinstall
            if (plan.bobHasTablet) return sim.reregisterDevice(bobs[1]!.name);
            await sim.reregister('Bob');
            confirmFrom = 'afterMs' in d.confirm ? sim.clock.now() + d.confirm.afterMs : start + plan.expiresInMs + d.confirm.expiryOffsetMs;
          },
        });
        break;
      case 'account-deleted':
        steps.push({
          atMs: d.atMs,
          act: () => {
            if (deleted) return;
            deleted = true;
            sim.unregister('Bob');
            for (const p of bobs) p.device.goOffline();
          },
        });
        break;
      case 'invitation-again':
        if (plan.role !== 'receiver') break;
        sim.expectViolations();
        steps.push({ atMs: d.atMs, act: () => sendInvitationAgain(sim, alice, bob, transferId!) });
        break;
      case 'from-bob':
        if (plan.role !== 'sender') break;
        sim.expectViolations(); // Alice's app rightly reports what Bob's device sent with his app bypassed
        steps.push({ atMs: d.atMs, atShare: d.atMs === 0, act: () => sendFromBob(sim, bob, alice, transferId!, d.message) });
        break;
      case 'third-party':
        steps.push({ atMs: d.atMs, act: () => sendThirdParty(sim, mallory!, alice, bob, transferId!, d.message) });
        break;
      case 'another-share':
        steps.push({ atMs: d.atMs, act: () => userCall(share(d.credential)) });
        break;
      case 'not-on-signal-first':
        if (plan.role !== 'sender') break;
        steps.push({
          atMs: 0,
          beforeShare: true,
          act: () => userCall(sim.share(alice, sim.data.credential('car key', { recipient: sim.data.phoneNumber(), flow: plan.flow, expiresAt: sim.clock.now() + plan.expiresInMs }))),
        });
        break;
      case 'carol':
        if (!carol) break;
        steps.push({
          atMs: d.atMs,
          act: () => userCall(sim.share(alice, sim.data.credential('authorization token', { recipient: carol.device.number, flow: plan.flow, expiresAt: sim.clock.now() + plan.expiresInMs }))),
        });
        break;
      case 'crafted':
        if (plan.role !== 'receiver') break;
        sim.expectViolations(); // Bob's app rightly reports what Alice's device sent with her app bypassed
        steps.push({ atMs: d.atMs, act: async () => void crafted.push(await sendCrafted(sim, alice, bob, d.message)) });
        break;
    }
  }
  // The window closes: every phone online again, and a reconnect delivers what a drop held back.
  steps.push({
    atMs: FAULT_WINDOW_MS,
    act: () => {
      sim.server.releaseReorderWindows();
      // A phone offline until after the window (across the expiration) stays offline until its time.
      const later = new Set(plan.disruptions.flatMap((d) => (d.kind === 'offline' && backAt(plan, d) > FAULT_WINDOW_MS ? (d.who === 'Alice' ? [alice] : bobs) : [])));
      reconnect(sim.allPhones().filter((p) => !later.has(p)));
    },
  });
  steps.sort((a, b) => a.atMs - b.atMs); // stable: at one instant, in plan order
  for (const step of steps.filter((s) => s.beforeShare)) await step.act();

  try {
    transferId = await share(plan.kind, plan.credentialLength);
  } catch (error) {
    // share() threw or broke the contract: the scheduler holds the failure if it was the app's.
    if (plan.role === 'sender') return judge(sim, plan, crafted, [`share() failed: ${describeError(error)}`], harness);
    harness.push(`the reference app's share() failed: ${describeError(error)}`);
    return { app: [], harness };
  }

  for (const step of steps.filter((s) => s.atShare)) await step.act();
  await sim.scheduler.runUntilQuiet();
  const watching = plan.disruptions.some((d) => d.kind === 'reinstall' || d.kind === 'crafted') ? watch : undefined;
  for (const step of steps.filter((s) => !s.beforeShare && !s.atShare)) {
    await runTo(sim, start + step.atMs, watching);
    await step.act();
    await watch();
  }
  // Long enough for any conforming pair to finish (liveness.ts), and past every expiration.
  const lastShareAt = Math.max(0, ...plan.disruptions.filter((d) => d.kind === 'another-share').map((d) => d.atMs));
  await runTo(sim, Math.max(start + lastShareAt + plan.expiresInMs, start + disturbedUntil(plan) + SETTLE_MS) + QUIET_HORIZON_MS, watching);
  // Alice's calls: the app under test's in the sender role, the reference app's (the harness's problem) otherwise.
  return judge(sim, plan, crafted, plan.role === 'sender' ? thrown : [], plan.role === 'sender' ? harness : [...harness, ...thrown]);
}

/** How often, in simulated time, the users and scripted peers look at their phones (`watch`), when the plan gives them something to do. */
const WATCH_EVERY_MS = 60_000;

async function runTo(sim: Simulation, at: number, watch?: () => Promise<void>): Promise<void> {
  const every = watch ? WATCH_EVERY_MS : Infinity;
  for (let next = Math.min(at, sim.clock.now() + every); sim.clock.now() < at; next = Math.min(at, next + every)) {
    await sim.scheduler.advance(next - sim.clock.now());
    await watch?.();
  }
}

function judge(sim: Simulation, plan: Plan, crafted: CraftedTransfer[], app: string[], harness: string[]): Verdict {
  const underTest = new Set(sim.allPhones().filter((p) => p.appLabel === 'the app under test').map((p) => p.name));
  // As in a scenario: what the apps did wrong (a throw, a broken contract, a violation the reference
  // app reports about the app under test) fails the run; the harness's own errors are not the app's.
  for (const failure of sim.scheduler.failures) (failure instanceof HarnessError ? harness : app).push(failure.message);
  const leaks = sim.plaintextLeaks();
  if (leaks.length) app.push(`the server received or stored credential plaintext: ${leaks.length} secret(s) seen in the clear`);
  const judged = monitor(sim);
  // Once Bob deleted his account his device cannot send at all: the server refuses it before any
  // message goes out, so no attempt is recorded and whether his app asked again is unknown.
  const unknowable = (v: Violation) => v.invariant === 'INV-ASKS-AGAIN' && plan.disruptions.some((d) => d.kind === 'account-deleted') && sim.devicesOf('Bob').some((p) => p.name === v.phone);
  const byAppUnderTest = judged.byAppUnderTest.filter((v) => !unknowable(v));
  const byOthers = judged.byOthers.filter((v) => !unknowable(v));
  if (byAppUnderTest.length) app.push(`the protocol monitor found the app under test breaking ${new Set(byAppUnderTest.map((v) => v.invariant)).size} invariant(s):\n${describeViolations(byAppUnderTest)}`);
  if (byOthers.length) harness.push(`the protocol monitor found the reference app breaking an invariant:\n${describeViolations(byOthers)}`);
  const broken = senderProblems(sim, plan);
  for (const problem of broken) (underTest.has(problem.phone) ? app : harness).push(problem.text);
  // A sender under test that broke a sender rule (an unanswered request...) leaves the reference
  // receiver to end as it can: that end is the sender's doing, not a harness problem.
  const senderBroke = broken.some((p) => underTest.has(p.phone));
  for (const problem of livenessProblems(sim, plan, crafted)) {
    if (underTest.has(problem.phone)) app.push(problem.text);
    else if (!senderBroke) harness.push(problem.text);
  }
  return { app, harness };
}
