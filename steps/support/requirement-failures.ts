/**
 * A failed check names the requirement its scenario checks: each step definition and hook is
 * wrapped once, here, so that a failed assertion (node:assert's AssertionError: every check the
 * steps and src/evidence/ make) carries the ids of the scenario's `@req=` tags with a short text
 * at its head, `R-ONCE-1 (...): expected ...`. Left as they are: messages that already name a
 * catalog requirement (src/report/requirements.ts, withRequirements), the app misbehaving (it
 * threw, hung, crashed or broke the adapter contract: an AppAssertionError naming the call, not a
 * rule of the protocol), the monitor's verdicts (they name theirs) and harness errors.
 */
import { fileURLToPath } from 'node:url';
import { setDefinitionFunctionWrapper } from '@cucumber/cucumber';
import { withRequirements } from '../../src/report/requirements.ts';
import { requirementIds } from '../../src/requirements.ts';

const WRAPPER = fileURLToPath(import.meta.url);

/** Rewrites the error's message in place (its type must stay: it tells failed from broken), and its stack's copy. */
function name(error: unknown, tags: unknown): unknown {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== 'ERR_ASSERTION' || !Array.isArray(tags)) return error;
  const message = withRequirements(error.message, requirementIds(tags as string[]));
  if (message === error.message) return error;
  // The wrapper's own frames say nothing about the failure: out of the stack it shows.
  if (error.stack) error.stack = error.stack.replace(error.message, message).split('\n').filter((line) => !line.includes(WRAPPER) && !line.includes('util-arity')).join('\n');
  error.message = message;
  return error;
}

setDefinitionFunctionWrapper((fn: (...args: unknown[]) => unknown) =>
  function (this: { tags?: unknown } | undefined, ...args: unknown[]) {
    const tags = () => this?.tags;
    try {
      const result = fn.apply(this, args);
      return result instanceof Promise
        ? result.catch((error: unknown) => {
            throw name(error, tags());
          })
        : result;
    } catch (error) {
      throw name(error, tags());
    }
  },
);
