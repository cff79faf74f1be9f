// Host of CumProd: an f32 or int32 tensor along one axis (exclusive / reverse) through CumSum's
// kernel, kernels/misc/cumulative.wgsl, multiplying (prepareCumulative in kernels/misc/misc.ts).
// Tests: tests/gpu/cumprod.test.ts.
import type { GpuContext } from '../gpu/device.js';
import type { PreparedDispatch } from '../gpu-float/float-dispatch.js';
import { prepareCumulative } from '../misc/misc.js';

/** CumProd of `x` (`dims`, f32 or i32) along axis `a` (already normalized) into `y`. */
export async function prepareCumProd(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  dims: readonly number[],
  a: number,
  exclusive: boolean,
  reverse: boolean,
  dtype: 'float32' | 'int32',
): Promise<PreparedDispatch> {
  const type = dtype === 'float32' ? 'f32' : 'i32';
  return prepareCumulative(ctx, x, y, dims, a, { exclusive, reverse, product: true, type });
}
