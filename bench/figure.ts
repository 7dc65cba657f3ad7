/** One benchmark figure, printed as `name: value unit`; a missed target fails the bench. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: { op: '>=' | '<='; value: number };
}
