/**
 * The one command that runs a failed scenario again, alone, with the same seed, role and adapter
 * (and peer app, when SCT_PEER_ADAPTER replaced the reference app); in a dry run, the dry run of it.
 * The CLI prints it under each failure and the World attaches it to the scenario in the Allure
 * report: both come from here, so they are the same command.
 */
import type { Role } from '../roles.ts';
import { featurePath, runCommand } from './where.ts';
import { DEFAULT_TRANSPORT } from '../sim/transport/choice.ts';
import type { TransportName } from '../sim/transport/transport.ts';

export interface ReplayTarget {
  seed: number;
  role: Role;
  /** The adapter as the user named it; undefined for the bundled reference app. */
  adapter?: string;
  /** SCT_PEER_ADAPTER as given, when the run's peer app is not the reference app. */
  peer?: string;
  /** In an interop run, the pair's names: the replay charges the monitor's findings to the same sides. */
  pair?: { sender: string; receiver: string };
  /** The run's transport: named in the replay when it is not the default (the traces are the same; someone debugging one transport replays over it). */
  transport?: TransportName;
  /** The run used an expected-failures list: the replay ignores it, so that the failure shows whatever the list says. */
  ignoreExpected?: boolean;
  name: string;
  uri: string;
  line: number;
}

/** Quotes a word for a POSIX shell. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** An anchored regular expression matching exactly `name` (Cucumber's --name takes a regexp). */
export function exactName(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/**
 * The replay of a scenario in a dry run: the dry run of it alone. A dry run only binds steps, so
 * no seed, role, adapter or expected-failures list applies to it.
 */
export function dryRunCommand(t: Pick<ReplayTarget, 'uri' | 'line'>): string {
  return `${runCommand()} --dry-run ${shellQuote(`${featurePath(t.uri)}:${t.line}`)}`;
}

export function replayCommand(t: ReplayTarget): string {
  return [
    ...(t.peer ? [`SCT_PEER_ADAPTER=${shellQuote(t.peer)}`] : []),
    ...(t.pair ? [`SCT_INTEROP_SENDER=${shellQuote(t.pair.sender)} SCT_INTEROP_RECEIVER=${shellQuote(t.pair.receiver)}`] : []),
    `SCT_SEED=${t.seed} ${runCommand()}`,
    `--role ${t.role}`,
    ...(t.transport && t.transport !== DEFAULT_TRANSPORT ? [`--transport ${t.transport}`] : []),
    ...(t.ignoreExpected ? ['--expected-failures none'] : []),
    ...(t.adapter ? [t.adapter.startsWith('cmd:') ? `--adapter-cmd ${shellQuote(t.adapter.slice(4))}` : `--adapter ${shellQuote(t.adapter)}`] : []),
    `--name ${shellQuote(exactName(t.name))}`,
    shellQuote(`${featurePath(t.uri)}:${t.line}`),
  ].join(' ');
}
