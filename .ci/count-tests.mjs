// Sums vitest JSON reports into the closing line CI reads: "tests: N passed, N failed".
import { readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  console.log(
    `[ci] ${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`,
  );
}
if (process.argv.length <= 2) failed += 1; // No report at all: the test run itself broke.
console.log(`tests: ${passed} passed, ${failed} failed`);
