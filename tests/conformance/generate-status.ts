// Regenerates a conformance status file: the outcome of every test of one copy of the ONNX backend
// test data on the CPU interpreter, and on the WebGPU executor where the CPU passes. Run after
// changing op coverage or a lowering:
//   npx tsx tests/conformance/generate-status.ts             libonnx-testdata -> status.json
//   npx tsx tests/conformance/generate-status.ts --set 1.23  onnx 1.23.1 -> status-onnx-1.23.json
// The suites in tests/conformance/suite.ts fail when a run differs from the committed file.
// ONNX_TESTDATA=DIR reads another copy of the data for the default set; `--out FILE` writes
// elsewhere; `--only REGEX` runs the tests whose id ('node/test_relu') matches.
import { writeFileSync } from 'node:fs';
import { releaseGpu } from '../../kernels/gpu/device.js';
import {
  LIBONNX_TESTDATA,
  listTests,
  ONNX_1_23_TESTDATA,
  runTest,
  type StatusEntry,
  testdataAvailable,
  webgpuExecutor,
  cpuExecutor,
} from './onnx-testdata.js';
import { formatStatus, summarize } from './status.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const set = flag('--set') === '1.23' ? ONNX_1_23_TESTDATA : LIBONNX_TESTDATA;
if (!testdataAvailable(set.root)) {
  console.error(`error: no ONNX test data at ${set.root} (${set.install})`);
  process.exit(1);
}
const outPath = flag('--out') ?? set.statusPath;
const only = flag('--only') === undefined ? undefined : new RegExp(flag('--only') as string);
const results: Record<string, StatusEntry> = {};
const started = performance.now();
for (const id of listTests(set.root).filter((t) => !only || only.test(t))) {
  const cpu = await runTest(id, cpuExecutor, set.root);
  results[id] =
    cpu.outcome === 'pass' ? { ...cpu, webgpu: await runTest(id, webgpuExecutor, set.root) } : cpu;
}
await releaseGpu();
const seconds = (performance.now() - started) / 1000;
const summary = summarize(results);
writeFileSync(outPath, formatStatus(summary, results));
console.log(`${outPath}: ${JSON.stringify(summary)} in ${seconds.toFixed(1)} s`);
