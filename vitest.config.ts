import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // libsignal's native module and msw's interceptor are per process: forks keep them apart.
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one, here and in CI. Most files wait on
    // CLI runs in child processes (single-threaded), so two files at once keep both cores busy.
    maxWorkers: 2,
    // Whole-suite CLI runs share 2 cores, several at once: generous, as each run bounds its own hangs.
    testTimeout: 240_000,
  },
});
