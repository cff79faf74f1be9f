// Host for arg-reduce.wgsl: ArgMax / ArgMin of f32 / i32 / u32 tensors along one axis into int64
// indices (two u32 words each), and Hardmax (the first maximum's one-hot, f32). Geometry and
// meaning: reduce.ref.ts's argReduceRef, misc/scan.ref.ts's hardmaxRef.
// Tests: tests/gpu/extra-ops.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { filePipeline } from '../gpu/pipeline-cache.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import type { DType } from '../tensor.js';

const WORKGROUP_SIZE = 64;
const KINDS: Partial<Record<DType, number>> = { float32: 0, int32: 1, uint32: 2 };

/** Whether the kernel takes values of this dtype. */
export const argReduceGpuDtype = (dtype: DType): boolean => KINDS[dtype] !== undefined;

/**
 * A dispatch writing the ArgMax / ArgMin of x (dims) along `axis` (normalized) into y as int64
 * (Hardmax: the one-hot of the first maximum, f32, x's dims);
 * undefined (left to the CPU, which reports it) when the axis is empty or there is no output.
 */
export async function prepareArgReduce(
  ctx: GpuContext,
  xBuf: GPUBuffer,
  yBuf: GPUBuffer,
  kind: 'ArgMax' | 'ArgMin' | 'Hardmax',
  dtype: DType,
  dims: readonly number[],
  axis: number,
  selectLast: boolean,
): Promise<PreparedDispatch | undefined> {
  const k = KINDS[dtype];
  if (k === undefined) throw new Error(`${kind} on the GPU takes 32-bit values, not ${dtype}`);
  const len = dims[axis];
  const inner = dims.slice(axis + 1).reduce((p, d) => p * d, 1);
  const outCount = dims.reduce((p, d, i) => (i === axis ? p : p * d), 1);
  if (len === 0 || outCount === 0) return undefined;
  const pl = await filePipeline(
    ctx,
    'arg-reduce',
    new URL('./arg-reduce.wgsl', import.meta.url),
    WORKGROUP_SIZE,
  );
  const flags = (kind === 'ArgMin' ? 1 : 0) | (selectLast ? 2 : 0) | (kind === 'Hardmax' ? 4 : 0);
  return prepareDispatch(
    ctx,
    `arg-reduce.${kind}`,
    pl,
    { buffers: [xBuf, yBuf], uniform: uniformWords([outCount, len, inner, k, flags, 0, 0, 0]) },
    elementGrid(ctx, outCount, WORKGROUP_SIZE),
  );
}
