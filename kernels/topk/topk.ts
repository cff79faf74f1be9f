// Host for topk.wgsl: TopK of an f32, int32 or uint32 tensor along one axis with K fixed at plan time; the indices
// come out as i32 words in a buffer the caller widens to int64 on the host. One invocation per
// row doing K selection passes over it: meant for small K (a row costs K * len reads); rows
// where K * len passes TOPK_MAX_WORK are refused (the planner runs the CPU reference).
// Tests: tests/gpu/topk.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { filePipeline } from '../gpu/pipeline-cache.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';

const WORKGROUP_SIZE = 64;
const KINDS = { float32: 0, int32: 1, uint32: 2 } as const;
/** The most K * len one invocation walks (keeps a dispatch well under GPU watchdog limits). */
export const TOPK_MAX_WORK = 1 << 22;

/** Why the kernel declines (undefined when it runs): K * len too large, 2^31 elements. */
export function topKGpuRefusal(dims: readonly number[], a: number, k: number): string | undefined {
  const total = dims.reduce((p, d) => p * d, 1);
  if (total >= 2 ** 31) return 'TopK: 2^31 elements or more';
  if (k * dims[a] > TOPK_MAX_WORK) return `TopK: K * axis length ${k * dims[a]} exceeds ${TOPK_MAX_WORK}`;
  return undefined;
}

/** TopK of `x` (`dims`, f32 / i32 / u32) along axis `a` into `values` (same type) and `indices` (int64, two u32 words each). */
export async function prepareTopK(
  ctx: GpuContext,
  x: GPUBuffer,
  values: GPUBuffer,
  indices: GPUBuffer,
  dims: readonly number[],
  a: number,
  k: number,
  largest: boolean,
  dtype: 'float32' | 'int32' | 'uint32' = 'float32',
): Promise<PreparedDispatch> {
  const refusal = topKGpuRefusal(dims, a, k);
  if (refusal) throw new Error(refusal);
  const outer = dims.slice(0, a).reduce((p, d) => p * d, 1);
  const inner = dims.slice(a + 1).reduce((p, d) => p * d, 1);
  const pipeline = await filePipeline(ctx, 'topk', new URL('./topk.wgsl', import.meta.url), WORKGROUP_SIZE);
  return prepareDispatch(
    ctx,
    'topk',
    pipeline,
    {
      buffers: [x, values, indices],
      uniform: uniformWords([outer, dims[a], inner, k, largest ? 1 : 0, KINDS[dtype], 0, 0]),
    },
    elementGrid(ctx, outer * inner, WORKGROUP_SIZE),
  );
}
