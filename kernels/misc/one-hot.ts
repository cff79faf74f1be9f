// Host for one-hot.wgsl: OneHot with f32, i32 or int64 indices and 32-bit values, depth known at plan
// time. Oracle: movement.ref.ts's oneHotRef; tests: tests/gpu/extra-ops-index.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { filePipeline } from '../gpu/pipeline-cache.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { normalizeAxis } from '../shape-ops/axes.js';

const WORKGROUP_SIZE = 64;
const INDEX_KINDS = { int32: 0, float32: 1, int64: 2 } as const;

/** Largest depth whose positions compare exactly against f32 indices. */
export const ONE_HOT_MAX_DEPTH = 2 ** 24;

/**
 * A dispatch writing OneHot(indices of `indexDims`, depth, values) at `axis` into y; undefined
 * (left to the CPU) for an empty output or a depth the kernel cannot compare exactly.
 */
export async function prepareOneHot(
  ctx: GpuContext,
  indices: GPUBuffer,
  values: GPUBuffer,
  y: GPUBuffer,
  indexDims: readonly number[],
  indexType: 'int32' | 'float32' | 'int64',
  depth: number,
  axis: number,
): Promise<PreparedDispatch | undefined> {
  const d = Math.trunc(depth);
  if (!(d >= 1) || d > ONE_HOT_MAX_DEPTH) return undefined;
  const a = normalizeAxis(axis, indexDims.length + 1);
  const inner = indexDims.slice(a).reduce((p, v) => p * v, 1);
  const count = indexDims.reduce((p, v) => p * v, 1) * d;
  if (count === 0 || count >= 2 ** 31) return undefined;
  const pl = await filePipeline(ctx, 'one-hot', new URL('./one-hot.wgsl', import.meta.url), WORKGROUP_SIZE);
  return prepareDispatch(
    ctx,
    'one-hot',
    pl,
    { buffers: [indices, values, y], uniform: uniformWords([count, d, inner, INDEX_KINDS[indexType]]) },
    elementGrid(ctx, count, WORKGROUP_SIZE),
  );
}
