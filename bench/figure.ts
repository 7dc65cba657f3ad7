/** One benchmark figure, printed as `name: value unit`; a missed target fails the bench. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: { op: '>=' | '<='; value: number };
}

/** Whether a figure meets its target (one without a target always does). */
export function meets(figure: Figure): boolean {
  const { target } = figure;
  return !target || (target.op === '>=' ? figure.value >= target.value : figure.value <= target.value);
}

/** The figure's line: `name: value unit`, and its target, marked when missed. */
export function figureLine(figure: Figure): string {
  const { target } = figure;
  return `${figure.name}: ${figure.value} ${figure.unit}${target ? `  (target ${target.op} ${target.value}${meets(figure) ? '' : ': MISSED'})` : ''}`;
}
