/**
 * The harness's side of the contract boundary: every value an app hands the harness (what
 * `share()` resolves, each `report()`) is checked here, so a wrong value is a contract error
 * naming the app and the method, never a confusing failure three steps later.
 *
 * The schemas mirror the types of contract.ts (the `satisfies` checks below keep them in step).
 */
import { z } from 'zod';
import { failureReason } from '../protocol/messages.ts';
import type { AppEvent, FailureReason, TransferState } from './contract.ts';

const TRANSFER_STATES = [
  'invited',
  'package-sent',
  'received',
  'key-requested',
  'completed',
  'provisioned',
  'failed',
  'declined',
  'cancelled',
] as const satisfies readonly TransferState[];

const FAILURE_REASONS = [
  ...failureReason.options,
  'not-on-signal',
  'sender-not-registered',
  'send-failed',
] as const satisfies readonly FailureReason[];

const transferId = z.string().min(1, 'must be a non-empty string');

export const appEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('transfer'),
    transferId,
    role: z.enum(['sender', 'receiver']),
    state: z.enum(TRANSFER_STATES),
    reason: z.enum(FAILURE_REASONS).optional(),
    detail: z.string().optional(),
  }),
  z.object({
    type: z.literal('provisioned'),
    transferId,
    from: z.string().min(1),
    format: z.string(),
    title: z.string(),
    provisioningInformation: z.string(),
    boundKey: z.string().optional(),
  }),
  z.object({
    type: z.literal('violation'),
    transferId: z.string().optional(),
    from: z.string().min(1),
    requirement: z.string().min(1),
    problem: z.string(),
  }),
]);

// Compile-time: the schema and the contract's type describe the same reports.
type Parsed = z.infer<typeof appEvent>;
const sameShape: [Parsed] extends [AppEvent] ? ([AppEvent] extends [Parsed] ? true : false) : false = true;
void sameShape;

/** What is wrong with a report, in words for the implementer; undefined when it fits. */
export function reportProblem(event: unknown): string | undefined {
  const result = appEvent.safeParse(event);
  if (result.success) return undefined;
  return result.error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.join('.') : 'the report';
      // An older reading of the protocol failed a share at a new safety number: say what to do instead.
      if (issue.code === 'invalid_value' && getPath(event, issue.path) === 'identity-changed') {
        return `${where} is "identity-changed", which is no reason to fail: a new safety number holds the share until the user confirms it, cancels, or it expires (docs/protocol.md, D1)`;
      }
      if (issue.code === 'invalid_value' && 'values' in issue) {
        return `${where} is ${JSON.stringify(getPath(event, issue.path))}, which is not one of: ${(issue.values as unknown[]).join(', ')}`;
      }
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** What is wrong with what `share()` resolved, if anything. */
export function shareResultProblem(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return `it resolved ${result === null ? 'null' : typeof result}, not { transferId }`;
  const { transferId: id } = result as { transferId?: unknown };
  if (typeof id !== 'string' || id.length === 0) return `it resolved ${safeJson(result)}, without a non-empty string transferId`;
  return undefined;
}

function getPath(value: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined), value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
