// Host for gather-elements.wgsl: GatherElements of 8- or 32-bit data with int32 or int64 indices
// that live on the GPU (computed or fed at run time). An out-of-range index cannot stop a GPU
// kernel: it sets an error word (kernels/gpu/error-word.ts) read after the run, so the run fails as
// the CPU reference would, never with a wrong answer. Oracle: gather.ref.ts's gatherElementsRef;
// tests: tests/gpu/extra-ops-index.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { type CheckedKernel, checkedKernel, createErrorWord } from '../gpu/error-word.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { elementGrid, prepareDispatch, uniformWords } from '../gpu-float/float-dispatch.js';
import { normalizeAxis, stridesOf } from './axes.js';
import { gatherWgsl } from './gather-runtime.js';

const WORKGROUP_SIZE = 64;

export interface PreparedGatherElements extends CheckedKernel {
  /** After the run's last submit: whether an index was out of range. */
  outOfRange(): Promise<boolean>;
}

export async function prepareGatherElements(
  ctx: GpuContext,
  data: GPUBuffer,
  indices: GPUBuffer,
  y: GPUBuffer,
  dataDims: readonly number[],
  indexDims: readonly number[],
  axis: number,
  int64: boolean,
  elementBytes: 1 | 4,
): Promise<PreparedGatherElements> {
  const rank = dataDims.length;
  if (indexDims.length !== rank)
    throw new Error(`GatherElements indices have rank ${indexDims.length}, data has ${rank}`);
  const a = normalizeAxis(axis, rank, 'GatherElements axis');
  const total = indexDims.reduce((p, d) => p * d, 1);
  const bytes = elementBytes === 1;
  const invocations = bytes ? Math.ceil(total / 4) : total;
  const pl = await getPipeline(ctx, {
    op: 'gather-elements',
    params: { bytes, int64, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await gatherWgsl(new URL('./gather-elements.wgsl', import.meta.url)),
      entryPoint: 'main',
      constants: { BYTES: q.bytes ? 1 : 0, INT64: q.int64 ? 1 : 0, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  const error = createErrorWord(ctx, 'gather-elements');
  const dispatch = prepareDispatch(
    ctx,
    'gather-elements',
    pl,
    {
      buffers: [data, indices, y, error.buffer],
      uniform: uniformWords([total, invocations, rank, a, dataDims[a], 0, 0, 0]),
      table: Int32Array.from([...indexDims, ...stridesOf(dataDims)]),
    },
    elementGrid(ctx, invocations, WORKGROUP_SIZE),
  );
  return { ...checkedKernel(error, [dispatch], 'gather-elements'), outOfRange: () => error.raised() };
}
