// Host for gather-nd.wgsl: GatherND of 8- or 32-bit data with int32 or int64 index tuples on the
// GPU (constants uploaded at plan time, or values fed / computed at run time), any batch_dims. An
// out-of-range entry sets an error word (kernels/gpu/error-word.ts) that also names the first bad
// entry (gather-runtime.ts's report), read after the run, so the caller fails the run with the
// CPU reference's message. Oracle: kernels/scatter/scatter.ref.ts's gatherNDRef; tests:
// tests/gpu/gather-nd.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { createErrorWord } from '../gpu/error-word.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  destroyDispatches,
  elementGrid,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { gatherNDDims } from '../scatter/scatter.ref.js';
import { stridesOf } from './axes.js';
import type { PreparedGather } from './gather-runtime.js';
import { badIndex, prepareIndexReport } from './gather-runtime.js';

const WORKGROUP_SIZE = 64;

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
  const bytes = elementBytes === 1;
  const invocations = bytes ? Math.ceil(total / 4) : total;
  const gather = await getPipeline(ctx, {
    op: 'gather-nd',
    params: { bytes, int64, workgroupSize: WORKGROUP_SIZE },
    build: async (p) => ({
      code: await loadWgsl(new URL('./gather-nd.wgsl', import.meta.url)),
      entryPoint: 'main',
      constants: { BYTES: p.bytes ? 1 : 0, INT64: p.int64 ? 1 : 0, WORKGROUP_SIZE: p.workgroupSize },
    }),
  });
  const error = createErrorWord(ctx, 'gather-nd', 3);
  // Invocations past the output's still check the entries: an empty output fails as the CPU's does.
  const dispatches = [
    prepareDispatch(
      ctx,
      'gather-nd',
      gather,
      {
        buffers: [indices, error.buffer, data, y],
        uniform: uniformWords([total, invocations, nIdx, q, slice, perBatch, batchStride, 0]),
        table: Int32Array.from([...axes, ...strides.slice(batchDims, batchDims + q)]),
      },
      elementGrid(ctx, Math.max(invocations, nIdx), WORKGROUP_SIZE),
    ),
    await prepareIndexReport(ctx, indices, error.buffer, int64),
  ];
  return {
    record: (encoder) => error.record(encoder, dispatches, 'gather-nd'),
    outOfRange: async () => {
      const bad = badIndex(await error.read());
      return bad && `GatherND index ${bad.value} is out of range for dimension ${axes[bad.position % q]}`;
    },
    destroy: () => {
      destroyDispatches(dispatches);
      error.destroy();
    },
  };
}
