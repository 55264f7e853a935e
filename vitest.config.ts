import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node loads graphql's CommonJS build (it has no "exports" map); make Vite do the same, or two
  // copies of graphql meet in one schema ("Cannot use GraphQLScalarType from another realm").
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    // Fails a test file that leaves a server, database, socket, subscription, worker or process open.
    setupFiles: ['test/support/leakCheck.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
});
