/**
 * Scale bench: one simulation with N phones (the reference app on each) and N/2 shares between
 * disjoint pairs, half stateless and half stateful, every one run to completion. Each N runs in
 * a child process of its own (this file, forked with `--child N`), so the peak RSS it reports is
 * that N's alone.
 *
 * Figures per N: wall seconds (whole child, start-up excluded), peak RSS, CPU ms per device
 * (registration: account, keys, app installed) and CPU ms per transfer (the sharing phase; the
 * first tenth of N, at most 100 devices and 100 shares, runs untimed as the JIT's warm-up). At
 * N = 10,000 the targets are 60 s and 1.5 GiB; `scale-transfer-cost-growth` (CPU per transfer
 * at 10,000 over 1,000) must stay within 25 %.
 *
 *   tsx bench/scale.ts [N ...]     prints `name: value unit` per figure (default: 1000 10000)
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { figureLine, type Figure } from './figure.ts';
import type { Phone } from '../src/sim/simulation.ts';

const SELF = fileURLToPath(import.meta.url);
/** The run's seed: everything the simulation does follows from it. */
const SEED = 1;
/** Shares started together before the network is left to go quiet: many in flight, a bounded queue. */
const WAVE = 100;
/** Devices registered and shares run first, untimed, so the figures are not the JIT's warm-up (a tenth of N at most). */
const WARM_UP = 100;

/** What one child measures for its N. */
interface Measured {
  n: number;
  wallSeconds: number;
  peakRssMiB: number;
  cpuMsPerDevice: number;
  cpuMsPerTransfer: number;
  /** Heap and external bytes (array buffers included) per device after the run, for SCALE_DEBUG. */
  heapBytesPerDevice: number;
  externalBytesPerDevice: number;
  /** Milliseconds of garbage collection (main-thread pauses) per transfer in the sharing phase, for SCALE_DEBUG. */
  gcMsPerTransfer: number;
}

/** Runs one N in a fresh process and returns its figures. */
export async function scaleFigures(n: number): Promise<Figure[]> {
  checkSize(n);
  const m = await measureInChild(n);
  const target = n === 10_000;
  return [
    { name: `scale-${n}-wall`, value: round(m.wallSeconds, 1), unit: 's', ...(target ? { target: { op: '<=', value: 60 } } : {}) },
    { name: `scale-${n}-peak-rss`, value: Math.round(m.peakRssMiB), unit: 'MiB', ...(target ? { target: { op: '<=', value: 1536 } } : {}) },
    { name: `scale-${n}-cpu-per-device`, value: round(m.cpuMsPerDevice, 2), unit: 'ms' },
    { name: `scale-${n}-cpu-per-transfer`, value: round(m.cpuMsPerTransfer, 2), unit: 'ms' },
  ];
}

/** Both sizes, and how CPU per transfer grows from 1,000 phones to 10,000. */
export async function allScaleFigures(): Promise<Figure[]> {
  const small = await scaleFigures(1_000);
  const large = await scaleFigures(10_000);
  const perTransfer = (figures: Figure[]) => figures.find((f) => f.name.endsWith('-cpu-per-transfer'))!.value;
  return [
    ...small,
    ...large,
    { name: 'scale-transfer-cost-growth', value: round(perTransfer(large) / perTransfer(small), 2), unit: 'x', target: { op: '<=', value: 1.25 } },
  ];
}

function measureInChild(n: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    // The parent's execArgv carries tsx's loader; the child is this same file.
    const child = fork(SELF, ['--child', String(n)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: Measured | undefined;
    child.on('message', (message) => (result = message as Measured));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result && code === 0) resolve(result);
      else reject(new Error(`scale bench for N = ${n} failed (exit ${code ?? signal}) before it reported`));
    });
  });
}

/** The child's work: build the world, share, check every share completed, measure. */
async function runOne(n: number): Promise<Measured> {
  checkSize(n);
  // Imported here, not at the top: the parent never loads libsignal.
  const { Simulation } = await import('../src/sim/simulation.ts');
  const { loadAdapter, REFERENCE_ADAPTER } = await import('../src/adapter/load.ts');
  const adapter = await loadAdapter(REFERENCE_ADAPTER);
  // Wall time from here: the simulation's, not Node's and the loader's start-up.
  const wallStart = performance.now();
  const sim = new Simulation({ seed: SEED, name: `scale-${n}` });

  const warmDevices = Math.min(WARM_UP, Math.floor(n / 10));
  const registering = await startProfile();
  let cpu0 = process.cpuUsage();
  const phones: Phone[] = [];
  for (let i = 0; i < n; i++) {
    if (i === warmDevices) {
      await sim.settle();
      cpu0 = process.cpuUsage();
    }
    const phone = await sim.addPhone(`person ${i}`);
    await sim.installApp(phone, adapter);
    phones.push(phone);
  }
  await sim.settle();
  const cpu1 = process.cpuUsage(cpu0);
  await registering?.stop(`scale-${n}-registration`);

  // The test data first (faker is the bench's cost, not the transfer's): pair p is phones 2p -> 2p+1,
  // half the shares stateless and half stateful, car keys and tokens alike.
  const pairs = n / 2;
  const requests = Array.from({ length: pairs }, (_, p) =>
    sim.data.credential(p % 4 < 2 ? 'car key' : 'authorization token', {
      recipient: phones[2 * p + 1]!.device.number,
      flow: p % 2 === 0 ? 'stateless' : 'stateful',
      expiresAt: sim.clock.now() + 86_400_000,
    }),
  );

  const warmShares = Math.min(WARM_UP, Math.floor(pairs / 10));
  const profile = await startProfile();
  let cpu2 = process.cpuUsage();
  const { PerformanceObserver } = await import('node:perf_hooks');
  let gcMs = 0;
  const gcWatch = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gcWatch.observe({ entryTypes: ['gc'] });
  // The warm-up shares are a wave of their own, before the timed ones.
  for (let start = 0; start < pairs; start = start < warmShares ? warmShares : start + WAVE) {
    if (start === warmShares) [cpu2, gcMs] = [process.cpuUsage(), 0];
    const wave = [];
    for (let p = start; p < Math.min(pairs, start < warmShares ? warmShares : start + WAVE); p++) {
      const [sender, receiver, request] = [phones[2 * p]!, phones[2 * p + 1]!, requests[p]!];
      wave.push(sim.share(sender, request).then((transferId) => ({ sender, receiver, transferId, request })));
    }
    const started = await Promise.all(wave);
    await sim.quiet();
    // A bench that measures unfinished work measures nothing: every share must have completed.
    for (const { sender, receiver, transferId, request } of started) {
      const provisioned = receiver.provisioned();
      if (sender.stateOf(transferId) !== 'completed' || provisioned.length !== 1 || provisioned[0]!.provisioningInformation !== request.provisioningInformation) {
        throw new Error(`share ${transferId} (${request.flow}) from ${sender.name} did not complete: sender ${sender.stateOf(transferId)}, receiver provisioned ${provisioned.length}`);
      }
    }
  }
  const cpu3 = process.cpuUsage(cpu2);
  gcWatch.disconnect();
  await profile?.stop(`scale-${n}-sharing`);
  const leaks = sim.plaintextLeaks();
  if (leaks.length) throw new Error(`the server saw ${leaks.length} credential(s) in the clear`);
  if (sim.plaintext.observed === 0) throw new Error('the plaintext observer saw nothing');

  // With SCALE_HEAP=<file>, a heap snapshot of the world after every share (what a device and a transfer leave behind).
  if (process.env.SCALE_HEAP) (await import('node:v8')).writeHeapSnapshot(process.env.SCALE_HEAP);
  const memory = process.memoryUsage();
  const measured: Measured = {
    n,
    wallSeconds: (performance.now() - wallStart) / 1000,
    // maxRSS is in KiB.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    cpuMsPerDevice: (cpu1.user + cpu1.system) / 1000 / (n - warmDevices),
    cpuMsPerTransfer: (cpu3.user + cpu3.system) / 1000 / (pairs - warmShares),
    heapBytesPerDevice: memory.heapUsed / n,
    externalBytesPerDevice: memory.external / n,
    gcMsPerTransfer: gcMs / (pairs - warmShares),
  };
  await sim.dispose();
  return measured;
}

/**
 * With SCALE_PROFILE=<dir>, a CPU profile of each phase is written there (scale-<N>-registration
 * and scale-<N>-sharing .cpuprofile, for Chrome DevTools or speedscope).
 */
async function startProfile(): Promise<{ stop(name: string): Promise<void> } | undefined> {
  const dir = process.env.SCALE_PROFILE;
  if (!dir) return undefined;
  const { Session } = await import('node:inspector/promises');
  const { mkdir, writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(name) {
      const { profile } = await session.post('Profiler.stop');
      await mkdir(dir, { recursive: true });
      await writeFile(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

function checkSize(n: number): void {
  if (!Number.isInteger(n) || n < 2 || n % 2 !== 0) throw new Error(`scale bench: N must be an even number of phones, at least 2 (got ${n})`);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** The sizes asked for, one after another (never together: each measures its own process alone). */
async function main(sizes: number[]): Promise<Figure[]> {
  if (sizes.length === 0) return allScaleFigures();
  const figures: Figure[] = [];
  for (const n of sizes) figures.push(...(await scaleFigures(n)));
  return figures;
}

function print(figures: Figure[]): void {
  for (const f of figures) console.log(figureLine(f));
}

const args = process.argv.slice(2);
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (args[0] === '--child') {
    runOne(Number(args[1])).then(
      (m) => {
        if (process.env.SCALE_DEBUG) console.error(JSON.stringify(m));
        // Run by hand (a profile: `tsx --cpu-prof bench/scale.ts --child 1000`), there is no parent to tell.
        if (process.send) process.send(m, () => process.exit(0));
        else console.log(JSON.stringify(m));
      },
      (error) => {
        console.error(error instanceof Error ? error.stack : error);
        process.exit(1);
      },
    );
  } else {
    main(args.map(Number)).then(print, (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
  }
}
