/**
 * Which transport a run uses: `--transport` on the command line, else `SCT_TRANSPORT`, else the
 * default (chosen from the bench's figures: docs/decisions.md).
 */
import { TRANSPORTS, type TransportName } from './transport.ts';

/** The transport when nothing names one: see docs/decisions.md for the figures behind it. */
export const DEFAULT_TRANSPORT: TransportName = 'direct';

/** A transport's name, checked; `source` says where it came from, for the error. */
export function parseTransport(value: string, source = '--transport'): TransportName {
  const name = value.trim();
  if ((TRANSPORTS as readonly string[]).includes(name)) return name as TransportName;
  throw new Error(`${source} "${value}" is not a transport: use one of ${TRANSPORTS.join(', ')}`);
}

/** The run's transport: `SCT_TRANSPORT` when set (the CLI sets it from --transport), else the default. */
export function runTransport(env: NodeJS.ProcessEnv = process.env): TransportName {
  const given = env.SCT_TRANSPORT?.trim();
  return given ? parseTransport(given, 'SCT_TRANSPORT') : DEFAULT_TRANSPORT;
}
