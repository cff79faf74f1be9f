// Run-level behaviour of the WebGPU executor on mnist-8: liveness-based buffer reuse, one queue
// submission per run, cancellation (RunOptions.signal), progress (onProgress) and the rerun on a
// fresh device after a device loss (simulated with device.destroy() between runs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { acquireGpu } from '../../kernels/gpu/device.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

sharedGpu();
const model = decodeModel(
  new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/models/mnist-8.onnx'))),
);
const r = rng(3);
const feeds = new Map([
  ['Input3', makeTensor('float32', [1, 1, 28, 28], Float32Array.from({ length: 784 }, () => r() * 255))],
]);

function expectClose(got: Tensor, expected: Tensor): void {
  const a = got.data as Float32Array;
  const e = expected.data as Float32Array;
  const scale = Math.max(...e.map(Math.abs));
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i] - e[i])).toBeLessThanOrEqual(1e-4 * scale);
}

describe('WebGpuExecutor runs (mnist-8)', () => {
  let gpu: WebGpuExecutor;
  let expected: Tensor;
  beforeAll(async () => {
    gpu = await WebGpuExecutor.create(model);
    expected = new CpuInterpreter(model).runSync(feeds).get('Plus214_Output_0')!;
  });
  afterAll(() => gpu.dispose());

  it('reuses buffers by liveness: fewer buffers and bytes than values', async () => {
    const s = await gpu.summary();
    expect(s.cpuFallbacks).toEqual([]);
    expect(s.buffers).toBeLessThan(s.values);
    expect(s.bufferBytes).toBeLessThan(s.valueBytes);
  });

  it('submits once per run and reads back only the output', async () => {
    const out = await gpu.run(feeds);
    expectClose(out.get('Plus214_Output_0')!, expected);
    expect(gpu.lastRun).toMatchObject({ submits: 1, readbacks: 1, hostSteps: 0 });
    expect(gpu.lastRun!.deviceRestarted).toBeUndefined();
  });

  it('reports progress after every step, in order, ending at the total', async () => {
    const calls: [number, number][] = [];
    await gpu.run(feeds, { onProgress: (done, total) => calls.push([done, total]) });
    const total = calls[0][1];
    expect(total).toBeGreaterThan(5);
    expect(calls).toEqual(Array.from({ length: total }, (_, k) => [k + 1, total]));
  });

  it('rejects with AbortError when aborted before or during a run, and runs again afterwards', async () => {
    const before = new AbortController();
    before.abort();
    await expect(gpu.run(feeds, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const during = new AbortController();
    let last = 0;
    const run = gpu.run(feeds, {
      signal: during.signal,
      onProgress: (done) => {
        last = done;
        if (done === 3) during.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(last).toBe(3); // nothing after the abort was recorded
    const out = await gpu.run(feeds);
    expectClose(out.get('Plus214_Output_0')!, expected);
    expect(gpu.lastRun!.submits).toBe(1);
  });

  it('reruns on a fresh device after the device was lost, and says so', async () => {
    const lostMessages: string[] = [];
    gpu.onDeviceLost = (m) => lostMessages.push(m);
    const old = await acquireGpu();
    old.device.destroy();
    const out = await gpu.run(feeds);
    expectClose(out.get('Plus214_Output_0')!, expected);
    expect(lostMessages).toHaveLength(1);
    expect(lostMessages[0]).toMatch(/device lost.*fresh device/);
    expect(gpu.lastRun!.deviceRestarted).toBe(lostMessages[0]);
    expect((await acquireGpu()).device).not.toBe(old.device);
    // The next run stays on the new device without another restart.
    await gpu.run(feeds);
    expect(gpu.lastRun!.deviceRestarted).toBeUndefined();
    expect(lostMessages).toHaveLength(1);
  });
});
