import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/build-once.ts'],
    testTimeout: 20_000,
    // Starting PGlite in a beforeEach takes seconds, many more while other test files run beside it.
    hookTimeout: 60_000,
  },
});
