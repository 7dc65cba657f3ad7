// A Stryker ignore-plugin for the mutation run (npm run mutation, docs/mutation.md): the faulty
// apps' flaws and the conforming variants' report choices. The reference app carries every faulty
// app's bug behind a flag (`flaws.x`, `this.flaws.x`) and three report choices of the variants
// (`choices.reports.x`), and runs with none set. So, in the reference app:
// - code reached only when a flag is set is dead: its mutants cannot change anything;
// - a condition that is false without a flag whatever else it says (`flaws.x`, `flaws.x && a`),
//   or true without one (`!flaws.x`, `!(flaws.x && a)`): its mutants either change nothing or
//   switch a flaw on, and a flaw switched on is a committed faulty app, which
//   test/faulty-apps.test.ts proves the suite catches (switched on for more cases than the flag
//   does, it is that bug made wider).
// Both are marked ignored (outside the score, listed in the report with this reason), and so is
// free text (a report's `detail`, an ignored message's `why`). A condition
// that mixes a flag with real logic keeps its mutants (`a && !flaws.x`: `a || !flaws.x` is a real
// change); only the flag's own part of it is ignored.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const DEAD = 'faulty-app flaw or variant choice: runs only when a faulty app or a conforming variant sets its flag; the reference app sets none';
const SWITCH = 'faulty-app flaw or variant choice: a condition false (or, negated, true) whatever the rest when no flag is set; its mutants change nothing or switch a flag on: a flaw on is a faulty app (caught: test/faulty-apps.test.ts), a report choice on a conforming variant (passes: test/variants.test.ts)';

/**
 * `flaws.x`, `this.flaws.x` (a faulty app's flaw), or `choices.reports.x` (a conforming variant's
 * report choice: all three are off in the reference app, and each one on passes the suite).
 */
function isFlag(n) {
  if (n.type !== 'MemberExpression' && n.type !== 'OptionalMemberExpression') return false;
  if (n.computed || n.property.type !== 'Identifier') return false;
  const o = n.object;
  const named = (m, name) => m.type === 'MemberExpression' && !m.computed && m.property.type === 'Identifier' && m.property.name === name;
  return (o.type === 'Identifier' && o.name === 'flaws') ||
    (named(o, 'flaws') && o.object.type === 'ThisExpression') ||
    (named(o, 'reports') && o.object.type === 'Identifier' && o.object.name === 'choices');
}

/** A formula of flags alone (`!`, `&&`, `||`). */
function flagsOnly(n) {
  if (isFlag(n)) return true;
  if (n.type === 'UnaryExpression' && n.operator === '!') return flagsOnly(n.argument);
  if (n.type === 'LogicalExpression' && n.operator !== '??') return flagsOnly(n.left) && flagsOnly(n.right);
  return false;
}

/** True only if some flag is set: false in the reference app. */
function needsFlaw(n) {
  if (isFlag(n)) return true;
  if (n.type === 'UnaryExpression' && n.operator === '!') return holdsWithoutFlaws(n.argument);
  if (n.type === 'LogicalExpression' && n.operator === '&&') return needsFlaw(n.left) || needsFlaw(n.right);
  if (n.type === 'LogicalExpression' && n.operator === '||') return needsFlaw(n.left) && needsFlaw(n.right);
  return false;
}

/** True whenever no flag is set: true in the reference app. */
function holdsWithoutFlaws(n) {
  if (n.type === 'UnaryExpression' && n.operator === '!') return needsFlaw(n.argument);
  if (n.type === 'LogicalExpression' && n.operator === '||') return holdsWithoutFlaws(n.left) || holdsWithoutFlaws(n.right);
  if (n.type === 'LogicalExpression' && n.operator === '&&') return holdsWithoutFlaws(n.left) && holdsWithoutFlaws(n.right);
  return false;
}

/** Is the child at `key` of `parent` never evaluated when no flag is set? */
function deadWithoutFlaws(parent, key) {
  switch (parent.type) {
    case 'IfStatement':
    case 'ConditionalExpression':
      return (key === 'consequent' && needsFlaw(parent.test)) || (key === 'alternate' && holdsWithoutFlaws(parent.test));
    case 'LogicalExpression':
      return key === 'right' && ((parent.operator === '&&' && needsFlaw(parent.left)) || (parent.operator === '||' && holdsWithoutFlaws(parent.left)));
    default:
      return false;
  }
}

const FREE_TEXT = 'free text: a report\'s `detail` (contract.ts: for a human reading the trace) or an `ignore` effect\'s `why` (only logged), never evidence';

/**
 * Free text: the value of a `detail` or `why` property, or the `detail` argument of the reference
 * app's `fail(reason, detail)` helpers. (A report's `reason` is not: steps and evidence read it.)
 */
function freeText(path) {
  const { parent, key, node } = path;
  if (!parent) return false;
  if (parent.type === 'ObjectProperty' && key === 'value' && !parent.computed && parent.key.type === 'Identifier' && (parent.key.name === 'detail' || parent.key.name === 'why')) return true;
  return parent.type === 'CallExpression' && parent.callee.type === 'Identifier' && parent.callee.name === 'fail' && parent.arguments[1] === node;
}

export const ignorer = {
  shouldIgnore(path) {
    if (flagsOnly(path.node) || needsFlaw(path.node) || holdsWithoutFlaws(path.node)) return SWITCH;
    if (path.parent && deadWithoutFlaws(path.parent, path.key)) return DEAD;
    if (freeText(path)) return FREE_TEXT;
    return undefined;
  },
};

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, 'faulty-app-flaws', ignorer)];
