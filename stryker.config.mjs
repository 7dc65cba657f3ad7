// Stryker: the mutation score of the reference app against the conformance suite
// (`npm run mutation`; docs/mutation.md). Not part of `npm test`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The reference app only; its pristine copy (src/fakes/peer-reference/, the peer) is never mutated.
  mutate: ['src/fakes/reference/**/*.ts'],
  // Each mutant: the whole suite through the CLI (bench/mutation-test.sh). The app runs in the
  // CLI's child process: no per-test coverage reaches Stryker, so every mutant runs the whole suite.
  testRunner: 'command',
  commandRunner: { command: 'sh bench/mutation-test.sh' },
  coverageAnalysis: 'off',
  // 2 cores, shared: two suites side by side at most.
  concurrency: 2,
  // A suite takes ~10 s alone, ~30 s on a loaded machine; one hanging scenario costs the CLI's --timeout
  // (20 s) and a new process. A mutant that retries for ever in virtual time ends as a timeout.
  timeoutMS: 45_000,
  timeoutFactor: 1.5,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  // The faulty apps' flaws live in the reference app behind flags it never sets: their code is
  // marked ignored, with the reason (bench/mutation-flaws.mjs).
  appendPlugins: ['./bench/mutation-flaws.mjs'],
  ignorers: ['faulty-app-flaws'],
  // Not needed in the sandbox (node_modules, .git, /reports and .stryker-tmp never are).
  ignorePatterns: ['/scratch', '/.ci'],
  thresholds: { high: 90, low: 75, break: null },
};
