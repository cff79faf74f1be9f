// Host for gather-elements.wgsl: GatherElements of 8- or 32-bit data with int32 or int64 indices
// that live on the GPU (computed or fed at run time). An out-of-range index cannot stop a GPU
// kernel: it sets an error word that `record` copies to a staging buffer in the run's encoder and
// `check` reads after the run, so the run fails as the CPU reference would, never with a wrong
// answer. Oracle: gather.ref.ts's gatherElementsRef; tests: tests/gpu/extra-ops.test.ts.
import { READBACK_USAGE, STORAGE_USAGE } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  destroyDispatches,
  elementGrid,
  prepareDispatch,
  recordDispatches,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { normalizeAxis, stridesOf } from './axes.js';

const WORKGROUP_SIZE = 64;

export interface PreparedGatherElements {
  /** Clears the error word, gathers, and copies the error word out (one encoder). */
  record(encoder: GPUCommandEncoder): void;
  /** After the run's last submit: whether an index was out of range. */
  outOfRange(): Promise<boolean>;
  destroy(): void;
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
    params: { bytes, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await loadWgsl(new URL('./gather-elements.wgsl', import.meta.url)),
      entryPoint: 'main',
      constants: { BYTES: q.bytes ? 1 : 0, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  const { device } = ctx;
  const error = device.createBuffer({ label: 'gather-elements.error', size: 4, usage: STORAGE_USAGE });
  const staging = device.createBuffer({
    label: 'gather-elements.error.read',
    size: 4,
    usage: READBACK_USAGE,
  });
  const dispatch = prepareDispatch(
    ctx,
    'gather-elements',
    pl,
    {
      buffers: [data, indices, y, error],
      uniform: uniformWords([total, invocations, rank, a, dataDims[a], int64 ? 1 : 0, 0, 0]),
      table: Int32Array.from([...indexDims, ...stridesOf(dataDims)]),
    },
    elementGrid(ctx, invocations, WORKGROUP_SIZE),
  );
  return {
    record: (encoder) => {
      encoder.clearBuffer(error);
      recordDispatches(encoder, [dispatch], 'gather-elements');
      encoder.copyBufferToBuffer(error, 0, staging, 0, 4);
    },
    outOfRange: async () => {
      await staging.mapAsync(0x0001);
      const flag = new Uint32Array(staging.getMappedRange().slice(0))[0];
      staging.unmap();
      return flag !== 0;
    },
    destroy: () => {
      destroyDispatches([dispatch]);
      error.destroy();
      staging.destroy();
    },
  };
}
