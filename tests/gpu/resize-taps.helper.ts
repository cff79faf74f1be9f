// Shared by resize-taps.test.ts and resize-antialias.test.ts: float32 data in [-50, 50) from a
// seeded generator, resized by the taps kernel (kernels/resize/resize-taps.ts) on the reference's
// own taps (resizePlan), and the reference's float64 result; each test states its own tolerance.
import type { GpuContext } from '../../kernels/gpu/device.js';
import { prepareResizeTaps } from '../../kernels/resize/resize-taps.js';
import { type ResizeParams, resize, resizePlan } from '../../kernels/resize/resize.ref.js';
import { makeTensor } from '../../kernels/tensor.js';
import { runOnGpu } from './float-kernel-helpers.js';
import { rng } from './gpu-test-helpers.js';

/** The kernel's output (`got`) and the reference's (`want`) for random data of `dims`. */
export async function resizeTapsOnGpu(
  ctx: GpuContext,
  dims: number[],
  p: ResizeParams,
  seed: number,
): Promise<{ got: Float32Array; want: Float32Array }> {
  const rand = rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  const x = makeTensor(
    'float32',
    dims,
    Float32Array.from({ length: n }, () => (rand() - 0.5) * 100),
  );
  const want = resize(x, p).data as Float32Array;
  const plan = resizePlan(dims, p);
  const out = await runOnGpu(
    ctx,
    [new Uint8Array(x.data.buffer)],
    Math.max(4, want.length * 4),
    async ([gx], o) => prepareResizeTaps(ctx, gx, o, dims, plan),
  );
  return { got: new Float32Array(out, 0, want.length), want };
}
