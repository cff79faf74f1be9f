// Regenerates tests/conformance/status.json: the outcome of every libonnx-testdata test on the
// CPU interpreter, and on the WebGPU executor where the CPU passes. Run after changing op coverage
// or a lowering: `npx tsx tests/conformance/generate-status.ts`. tests/unit/onnx-testdata.test.ts
// and tests/gpu/onnx-testdata-webgpu.test.ts fail when a run differs from the committed file.
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
const results: Record<string, StatusEntry> = {};
const started = performance.now();
for (const id of listTests()) {
  const cpu = await runTest(id);
  results[id] = cpu.outcome === 'pass' ? { ...cpu, webgpu: await runTest(id, webgpuExecutor) } : cpu;
}
await releaseGpu();
const seconds = (performance.now() - started) / 1000;
const summary = summarize(results);
writeFileSync(STATUS_PATH, formatStatus(summary, results));
console.log(`${join(STATUS_PATH)}: ${JSON.stringify(summary)} in ${seconds.toFixed(1)} s`);
