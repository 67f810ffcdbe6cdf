import { defineConfig } from 'vitest/config';

// Engine-touching tests (data layer, HTTP) are named *.db.test.ts and run once per engine;
// pure unit tests (*.test.ts) run once. PostgreSQL joins when TEST_DATABASE_URL or DATABASE_URL
// points at it; REQUIRE_POSTGRES=1 (CI) turns its absence into a failure.
const pgUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? '';
const hasPostgres = /^postgres(ql)?:\/\//.test(pgUrl);
if (!hasPostgres) {
  if (process.env.REQUIRE_POSTGRES === '1') {
    throw new Error('REQUIRE_POSTGRES=1 but neither TEST_DATABASE_URL nor DATABASE_URL is a postgres:// URL');
  }
  console.log(
    '\n>>> PostgreSQL run skipped: set TEST_DATABASE_URL=postgres://... to run the data-layer and HTTP tests on PostgreSQL too.\n',
  );
}

const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          // The web app's translation checks run here too: they need no browser.
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', '../web/src/**/*.test.ts'],
          exclude: ['**/*.db.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          ...shared,
          name: 'sqlite',
          include: ['src/**/*.db.test.ts', 'test/**/*.db.test.ts'],
          env: { TEST_ENGINE: 'sqlite' },
        },
      },
      ...(hasPostgres
        ? [
            {
              test: {
                ...shared,
                name: 'postgres',
                include: ['src/**/*.db.test.ts', 'test/**/*.db.test.ts'],
                env: { TEST_ENGINE: 'postgres', TEST_DATABASE_URL: pgUrl },
                globalSetup: ['test/postgres-run.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
