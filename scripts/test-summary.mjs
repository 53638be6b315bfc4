#!/usr/bin/env node
// Sums the vitest JSON reports of every workspace package that has a `test` script and prints the
// closing line "N passed, N failed". A package whose report is missing (its build or test run
// crashed) counts as one failure, and so does a failed build/typecheck/lint step.
//
//   node scripts/test-summary.mjs --clean                       remove stale reports
//   node scripts/test-summary.mjs --checks-status S --tests-status T
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const REPORT = '.vitest-result.json';

function workspacePackages() {
  const dirs = [];
  for (const group of ['packages', 'apps', 'examples', 'tools']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir)) {
      const manifest = join(groupDir, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      if (pkg.scripts?.test) dirs.push({ dir: join(groupDir, name), name: pkg.name });
    }
  }
  return dirs;
}

const args = process.argv.slice(2);
if (args.includes('--clean')) {
  for (const { dir } of workspacePackages()) rmSync(join(dir, REPORT), { force: true });
  process.exit(0);
}
const option = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : 0;
};

let passed = 0;
let failed = 0;
const problems = [];
for (const { dir, name } of workspacePackages()) {
  const file = join(dir, REPORT);
  if (!existsSync(file)) {
    failed += 1;
    problems.push(`${name}: no test report (its build or test run failed before reporting)`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (report.numFailedTests > 0) problems.push(`${name}: ${report.numFailedTests} failed`);
  // A suite that fails to load reports no tests but marks itself failed.
  const brokenSuites = (report.testResults ?? []).filter(
    (r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0,
  );
  for (const suite of brokenSuites) {
    failed += 1;
    problems.push(`${name}: ${suite.name.replace(root, '')} failed to run: ${(suite.message ?? '').split('\n')[0]}`);
  }
}
if (option('--checks-status') !== 0) {
  failed += 1;
  problems.push('build/typecheck/lint failed (see the turbo output above)');
}
if (option('--tests-status') !== 0 && problems.length === 0) {
  failed += 1;
  problems.push('the test run exited non-zero without a failed test in any report');
}
for (const p of problems) console.log(`FAIL ${p}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
