import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // libsignal's native module and msw's interceptor are per process: forks keep them apart.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
