// Regenerates tests/conformance/status.json: the outcome of every libonnx-testdata test on the
// CPU interpreter. Run after changing op coverage: `npx tsx tests/conformance/generate-status.ts`.
// tests/unit/onnx-testdata.test.ts fails when a run differs from the committed file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listTests, runTest, type TestResult, testdataAvailable, TESTDATA_ROOT } from './onnx-testdata.js';
import { formatStatus, STATUS_PATH, summarize } from './status.js';

if (!testdataAvailable()) {
  console.error(`error: no ONNX test data at ${TESTDATA_ROOT} (apt-get install libonnx-testdata)`);
  process.exit(1);
}
const results: Record<string, TestResult> = {};
const started = performance.now();
for (const id of listTests()) results[id] = await runTest(id);
const seconds = (performance.now() - started) / 1000;
const summary = summarize(results);
writeFileSync(STATUS_PATH, formatStatus(summary, results));
console.log(`${join(STATUS_PATH)}: ${JSON.stringify(summary)} in ${seconds.toFixed(1)} s`);
