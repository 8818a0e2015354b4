// Sums the results of every suite written by scripts/test.sh into one line,
// "N passed, N failed", and exits non-zero when anything failed or did not run.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
const problems = [];

for (const file of fs.readdirSync(dir).sort()) {
  if (file.endsWith('.check')) {
    const name = path.basename(file, '.check');
    if (fs.readFileSync(path.join(dir, file), 'utf8').trim() === 'pass') {
      passed += 1;
    } else {
      failed += 1;
      problems.push(
        `check ${name} failed (see ${path.join(dir, `${name}.log`)})`,
      );
    }
  }
}

// One results file per jest run (the main run, the replica run, the fresh-app run).
for (const name of ['jest.json', 'jest-replicas.json', 'jest-fresh-app.json']) {
  const jestFile = path.join(dir, name);
  if (!fs.existsSync(jestFile)) {
    failed += 1;
    problems.push(`${name}: jest wrote no results (it did not run or crashed)`);
    continue;
  }
  const jest = JSON.parse(fs.readFileSync(jestFile, 'utf8'));
  passed += jest.numPassedTests;
  failed += jest.numFailedTests;
  // A suite that fails to load runs no test; count it so that it cannot pass silently.
  failed += jest.numRuntimeErrorTestSuites;
  for (const suite of jest.testResults) {
    if (suite.status === 'failed') {
      problems.push(
        `jest suite failed: ${path.relative(process.cwd(), suite.name)}`,
      );
    }
  }
  if (jest.numTotalTests === 0) {
    failed += 1;
    problems.push(`${name}: jest ran no test`);
  }
}

for (const problem of problems) {
  console.log(`    ${problem}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
