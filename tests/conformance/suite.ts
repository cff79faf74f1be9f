// One Vitest suite per (test-data set, backend): every test's outcome (pass / refused with its
// one-line reason / fail) must equal the set's committed status file, so a claimed op that
// regresses fails, and so does a test that starts passing until the file is regenerated
// (`npx tsx tests/conformance/generate-status.ts [--set 1.23]`). CI installs both sets (.ci/run);
// a dev machine without one skips it, CI=1 fails loudly.
import { describe, expect, it } from 'vitest';
import {
  cpuExecutor,
  listTests,
  runTest,
  type TestdataSet,
  testdataAvailable,
  webgpuExecutor,
} from './onnx-testdata.js';
import { readStatus } from './status.js';

export function conformanceSuite(set: TestdataSet, backend: 'cpu' | 'webgpu'): void {
  const regenerate = `regenerate with: npx tsx tests/conformance/generate-status.ts${set.statusPath.endsWith('status.json') ? '' : ' --set 1.23'}`;
  describe(`${set.label} conformance (${backend === 'cpu' ? 'CPU interpreter' : 'WebGPU executor'})`, () => {
    if (!testdataAvailable(set.root)) {
      const missing = `no ONNX test data at ${set.root} (${set.install})`;
      if (process.env.CI) {
        it('has the ONNX test data', () => {
          throw new Error(missing);
        });
      } else {
        it.skip(missing, () => {});
      }
      return;
    }
    const status = readStatus(set.statusPath).tests;
    if (backend === 'cpu') {
      it('the status file lists exactly the installed tests', () => {
        expect(Object.keys(status).sort(), regenerate).toEqual(listTests(set.root));
      });
      for (const id of Object.keys(status)) {
        it(id, async () => {
          const got = await runTest(id, cpuExecutor, set.root);
          const { webgpu: _, ...want } = status[id];
          expect(got, `${id} differs from ${set.statusPath} (${regenerate})`).toEqual(want);
        });
      }
      return;
    }
    it('the status file has a WebGPU result for every test that passes on the CPU', () => {
      const missing = Object.entries(status).filter(([, r]) => r.outcome === 'pass' && !r.webgpu);
      expect(
        missing.map(([id]) => id),
        regenerate,
      ).toEqual([]);
    });
    for (const [id, entry] of Object.entries(status)) {
      if (!entry.webgpu) continue;
      it(id, async () => {
        const got = await runTest(id, webgpuExecutor, set.root);
        expect(got, `${id} on WebGPU differs from ${set.statusPath} (${regenerate})`).toEqual(entry.webgpu);
      });
    }
  });
}
