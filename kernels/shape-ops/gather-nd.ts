// Host for gather-nd.wgsl: GatherND of 8- or 32-bit data with int32 or int64 index tuples on the
// GPU (constants uploaded at plan time, or values fed / computed at run time), any batch_dims. An
// out-of-range entry sets an error word (kernels/gpu/error-word.ts) that also names the first bad
// entry (gather-runtime.ts's report), read after the run, so the caller fails the run with the
// CPU reference's message. Oracle: kernels/scatter/scatter.ref.ts's gatherNDRef; tests:
// tests/gpu/gather-nd.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { gatherNDDims } from '../scatter/scatter.ref.js';
import { stridesOf } from './axes.js';
import { type PreparedGather, prepareCheckedGather } from './gather-runtime.js';

export async function prepareGatherND(
  ctx: GpuContext,
  data: GPUBuffer,
  indices: GPUBuffer,
  y: GPUBuffer,
  dataDims: readonly number[],
  indexDims: readonly number[],
  batchDims: number,
  int64: boolean,
  elementBytes: 1 | 4,
): Promise<PreparedGather> {
  // Throws the reference's own error for dims that do not fit (the caller leaves those to the CPU).
  const outDims = gatherNDDims(dataDims, indexDims, batchDims);
  const prod = (d: readonly number[]) => d.reduce((p, n) => p * n, 1);
  const q = indexDims[indexDims.length - 1];
  const strides = stridesOf(dataDims);
  const total = prod(outDims);
  const nIdx = prod(indexDims);
  const slice = prod(dataDims.slice(batchDims + q));
  const perBatch = prod(indexDims.slice(batchDims, -1));
  const batchStride = batchDims === 0 ? prod(dataDims) : strides[batchDims - 1];
  const axes = dataDims.slice(batchDims, batchDims + q);
  return prepareCheckedGather(ctx, {
    op: 'gather-nd',
    source: new URL('./gather-nd.wgsl', import.meta.url),
    buffers: [indices, data, y],
    int64,
    elementBytes,
    total,
    nIdx,
    params: [q, slice, perBatch, batchStride, 0],
    table: Int32Array.from([...axes, ...strides.slice(batchDims, batchDims + q)]),
    message: (bad) => `GatherND index ${bad.value} is out of range for dimension ${axes[bad.position % q]}`,
  });
}
