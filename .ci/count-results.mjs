// Sums vitest's JSON reports (reports/vitest.json in every workspace member with a test script)
// and prints the closing line `N passed, N failed`. A member whose report is missing counts as one
// failure, so a crashed or skipped test task can never look green. Exits 1 on any failure or when
// nothing ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group)).sort()) {
    const dir = join(root, group, name);
    const pkgPath = join(dir, 'package.json');
    if (!existsSync(pkgPath)) continue;
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    if (pkg.scripts?.test == null) continue;
    const reportPath = join(dir, 'reports', 'vitest.json');
    if (!existsSync(reportPath)) {
      failed += 1;
      problems.push(`${pkg.name}: no test report (${reportPath}); the test task did not finish`);
      continue;
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    // A suite that failed to load (syntax error, missing import) has no failed *tests*.
    for (const file of report.testResults ?? []) {
      if (file.status === 'failed' && (file.assertionResults ?? []).every((a) => a.status !== 'failed')) {
        failed += 1;
        problems.push(
          `${pkg.name}: ${file.name} failed to run: ${String(file.message ?? '').split('\n')[0]}`,
        );
      }
    }
    for (const file of report.testResults ?? []) {
      for (const a of file.assertionResults ?? []) {
        if (a.status !== 'failed') continue;
        problems.push(`${pkg.name}: FAILED ${a.fullName}`);
        // The first lines of the assertion message, so a CI log that keeps only its tail still
        // says why (the full text is in the member's reports/vitest.json).
        const why = (a.failureMessages ?? [])
          .join('\n')
          .split('\n')
          .filter((l) => l.trim() !== '');
        for (const line of why.slice(0, 25)) problems.push(`    ${line.slice(0, 400)}`);
      }
    }
  }
}

for (const p of problems) console.log(p);
if (skipped > 0) console.log(`(${skipped} skipped)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
