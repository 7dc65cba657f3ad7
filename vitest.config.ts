import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // libsignal's native module and msw's interceptor are per process: forks keep them apart.
    pool: 'forks',
    // Whole-suite CLI runs share 2 cores, several at once: generous, as each run bounds its own hangs.
    testTimeout: 240_000,
  },
});
