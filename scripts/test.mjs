#!/usr/bin/env node
// npm test: the whole suite on the embedded database (PGlite), then, when TEST_DATABASE_URL is set,
// again on that Postgres. Ends with one line "N passed, N failed" adding up every run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const extra = process.argv.slice(2);
const runs = [{ name: 'pglite', env: { TASKLANE_TEST_DB: 'pglite' } }];
if (process.env.TEST_DATABASE_URL) runs.push({ name: 'postgres', env: { TASKLANE_TEST_DB: 'postgres' } });

const dir = mkdtempSync(join(tmpdir(), 'tasklane-vitest-'));
let passed = 0;
let failed = 0;
let exitCode = 0;
for (const run of runs) {
  console.log(`\n=== test suite on ${run.name} ===\n`);
  const report = join(dir, `${run.name}.json`);
  const result = spawnSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra],
    { stdio: 'inherit', env: { ...process.env, ...run.env } },
  );
  let counted = false;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    // A file that failed to load has no tests to count: count it as a failure.
    failed += json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
    counted = true;
  } catch {
    failed += 1;
  }
  if (result.status !== 0 || !counted) exitCode = 1;
  console.log(`=== ${run.name}: exit ${result.status} ===`);
}
rmSync(dir, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(exitCode);
