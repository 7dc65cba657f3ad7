/** The stdout formatter of a `--quiet` run: prints nothing (Cucumber would print progress and every failure); the supervisor's own summary says what failed and why. */
import { Formatter } from '@cucumber/cucumber';

export default class SilentFormatter extends Formatter {
  static override readonly documentation = 'Prints nothing (sct-conformance --quiet).';
}
