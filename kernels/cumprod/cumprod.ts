// Host for cumprod.wgsl: CumProd of an f32 or int32 tensor along one axis (exclusive / reverse),
// one thread per line as CumSum's host (kernels/misc/misc.ts prepareCumSum). Tests:
// tests/gpu/cumprod.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';

const WORKGROUP_SIZE = 64;

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
  const outer = dims.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = dims.slice(a + 1).reduce((p, d) => p * d, 1);
  const pipeline = await getPipeline(ctx, {
    op: 'cumprod',
    params: { workgroupSize: WORKGROUP_SIZE, type: dtype === 'float32' ? 'f32' : 'i32' },
    build: async (q) => ({
      code: (await loadWgsl(new URL('./cumprod.wgsl', import.meta.url))).replace(
        'alias T = f32;',
        `alias T = ${q.type};`,
      ),
      constants: { WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  return prepareDispatch(
    ctx,
    'cumprod',
    pipeline,
    {
      buffers: [x, y],
      uniform: uniformWords([outer, dims[a], inner, exclusive ? 1 : 0, reverse ? 1 : 0, 0, 0, 0]),
    },
    elementGrid(ctx, outer * inner, WORKGROUP_SIZE),
  );
}
