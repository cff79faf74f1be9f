// The ONNX project's backend test data (Debian's libonnx-testdata, ONNX 1.12) on the CPU
// interpreter, compared with ONNX's tolerance (atol 1e-7 + rtol 1e-3 per element; integer and bool
// outputs exactly). Every test's outcome (pass / refused with its one-line reason / fail) must
// equal tests/conformance/status.json: a claimed op that regresses fails here, and so does a test
// that starts passing until the list is regenerated (`npx tsx tests/conformance/generate-status.ts`).
// CI installs the data (.ci/run); a dev machine without it skips, CI=1 fails loudly.
import { describe, expect, it } from 'vitest';
import { listTests, runTest, TESTDATA_ROOT, testdataAvailable } from '../conformance/onnx-testdata.js';
import { readStatus } from '../conformance/status.js';

const available = testdataAvailable();
const regenerate = 'regenerate with: npx tsx tests/conformance/generate-status.ts';

describe('libonnx-testdata conformance (CPU interpreter)', () => {
  if (!available) {
    if (process.env.CI) {
      it('has the ONNX test data', () => {
        throw new Error(`no ONNX test data at ${TESTDATA_ROOT}: apt-get install libonnx-testdata`);
      });
    } else {
      it.skip(`no ONNX test data at ${TESTDATA_ROOT} (apt-get install libonnx-testdata)`, () => {});
    }
    return;
  }
  const status = readStatus();
  const ids = listTests();

  it('status.json lists exactly the installed tests', () => {
    expect(Object.keys(status.tests).sort(), regenerate).toEqual(ids);
  });

  for (const id of ids) {
    it(id, async () => {
      const got = await runTest(id);
      const { webgpu: _, ...want } = status.tests[id];
      expect(got, `${id} differs from status.json (${regenerate})`).toEqual(want);
    });
  }
});
