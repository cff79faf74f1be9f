// The libonnx-testdata tests that pass on the CPU interpreter on the WebGPU executor (Dawn /
// SwiftShader), with ONNX's tolerance: each outcome must equal its 'webgpu' entry in
// tests/conformance/status.json (pass, or a one-line refusal such as a shape the GPU plan needs
// before the run). Nodes
// without a GPU kernel run on the CPU reference inside the GPU plan, so this checks the lowerings,
// the kernels and the fallbacks together. CI=1 without the data fails (see the CPU test).
import { describe, expect, it } from 'vitest';
import { runTest, TESTDATA_ROOT, testdataAvailable, webgpuExecutor } from '../conformance/onnx-testdata.js';
import { readStatus } from '../conformance/status.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();
const regenerate = 'regenerate with: npx tsx tests/conformance/generate-status.ts';

describe('libonnx-testdata conformance (WebGPU executor)', () => {
  if (!testdataAvailable()) {
    if (process.env.CI) {
      it('has the ONNX test data', () => {
        throw new Error(`no ONNX test data at ${TESTDATA_ROOT}: apt-get install libonnx-testdata`);
      });
    } else {
      it.skip(`no ONNX test data at ${TESTDATA_ROOT} (apt-get install libonnx-testdata)`, () => {});
    }
    return;
  }
  const status = readStatus().tests;
  it('status.json has a WebGPU result for every test that passes on the CPU', () => {
    const missing = Object.entries(status).filter(([, r]) => r.outcome === 'pass' && !r.webgpu);
    expect(
      missing.map(([id]) => id),
      regenerate,
    ).toEqual([]);
  });
  for (const [id, entry] of Object.entries(status)) {
    if (!entry.webgpu) continue;
    it(id, async () => {
      const got = await runTest(id, webgpuExecutor);
      expect(got, `${id} on WebGPU differs from status.json (${regenerate})`).toEqual(entry.webgpu);
    });
  }
});
