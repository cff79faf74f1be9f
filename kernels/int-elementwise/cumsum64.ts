// Host for cumsum64.wgsl: CumSum of an int64 tensor (word pairs) along a normalized axis, exact
// (wrapping) against scan.ref.ts. Tests: tests/gpu/int-elementwise.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { filePipeline } from '../gpu/pipeline-cache.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';

const WORKGROUP_SIZE = 64;

export async function prepareCumSum64(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  dims: readonly number[],
  a: number,
  o: { exclusive: boolean; reverse: boolean },
): Promise<PreparedDispatch> {
  const outer = dims.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = dims.slice(a + 1).reduce((p, d) => p * d, 1);
  const pl = await filePipeline(ctx, 'cumsum64', new URL('./cumsum64.wgsl', import.meta.url), WORKGROUP_SIZE);
  return prepareDispatch(
    ctx,
    'cumsum64',
    pl,
    {
      buffers: [x, y],
      uniform: uniformWords([outer, dims[a], inner, o.exclusive ? 1 : 0, o.reverse ? 1 : 0, 0, 0, 0]),
    },
    elementGrid(ctx, outer * inner, WORKGROUP_SIZE),
  );
}
