// Regenerates tests/conformance/status.json: the outcome of every libonnx-testdata test on the
// CPU interpreter, and on the WebGPU executor where the CPU passes. Run after changing op coverage
// or a lowering: `npx tsx tests/conformance/generate-status.ts`. tests/unit/onnx-testdata.test.ts
// and tests/gpu/onnx-testdata-webgpu.test.ts fail when a run differs from the committed file.
// ONNX_TESTDATA=DIR reads another copy of the test data (e.g. a newer one made with onnx's own
// generator); `--out FILE` writes elsewhere; `--only REGEX` runs the matching tests only.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { releaseGpu } from '../../kernels/gpu/device.js';
import {
  listTests,
  runTest,
  type StatusEntry,
  testdataAvailable,
  TESTDATA_ROOT,
  webgpuExecutor,
} from './onnx-testdata.js';
import { formatStatus, STATUS_PATH, summarize } from './status.js';

if (!testdataAvailable()) {
  console.error(`error: no ONNX test data at ${TESTDATA_ROOT} (apt-get install libonnx-testdata)`);
  process.exit(1);
}
// `--out FILE` writes elsewhere, e.g. to measure a newer test-data set given by ONNX_TESTDATA.
const outFlag = process.argv.indexOf('--out');
const outPath = outFlag >= 0 ? process.argv[outFlag + 1] : STATUS_PATH;
// `--only REGEX` runs just the tests whose id ('node/test_relu') matches, to check a few ops fast.
const onlyFlag = process.argv.indexOf('--only');
const only = onlyFlag >= 0 ? new RegExp(process.argv[onlyFlag + 1]) : undefined;
const results: Record<string, StatusEntry> = {};
const started = performance.now();
for (const id of listTests().filter((t) => !only || only.test(t))) {
  const cpu = await runTest(id);
  results[id] = cpu.outcome === 'pass' ? { ...cpu, webgpu: await runTest(id, webgpuExecutor) } : cpu;
}
await releaseGpu();
const seconds = (performance.now() - started) / 1000;
const summary = summarize(results);
writeFileSync(outPath, formatStatus(summary, results));
console.log(`${join(outPath)}: ${JSON.stringify(summary)} in ${seconds.toFixed(1)} s`);
