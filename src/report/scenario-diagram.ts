/**
 * A scenario's sequence diagram from its simulation: the trace, with each device named as the
 * story names it (from the phones, which know their devices and which reports they made), and
 * why it failed at its foot.
 */
import type { Simulation } from '../sim/simulation.ts';
import { exchangeOf } from './exchange.ts';
import { renderSequenceDiagram } from './sequence-diagram.ts';
import { withoutRequirements } from './requirements.ts';

/**
 * `failure`: why the scenario failed, if it did (Cucumber's message: the error's type first): the
 * diagram ends with it, without the requirements it names (the report shows them above).
 */
export function scenarioDiagram(sim: Simulation, title: string, failure?: { message: string; requirements: readonly string[] }): string {
  const devices = new Map<string, string>();
  const reporters = new Map<number, string>();
  for (const phone of sim.allPhones()) {
    for (const device of phone.devices) devices.set(device.label, phone.name);
    for (const report of phone.reports) reporters.set(report.seq, phone.name);
  }
  const exchange = exchangeOf({ events: sim.trace.events, devices, reporters });
  if (failure) {
    // Its first paragraph (an assertion's diff and the stack follow a blank line).
    const first = failure.message.split('\n\n')[0]!.split('\n').filter((l) => !/^\s+at /.test(l)).join('\n');
    const why = withoutRequirements(first.replace(/^\w*Error(?: \[\w+\])?: /, ''), failure.requirements);
    exchange.rows.push({ type: 'note', at: exchange.rows.at(-1)?.at ?? exchange.start, text: `scenario failed: ${why}`, tone: 'failure' });
  }
  return renderSequenceDiagram(exchange, { title });
}
