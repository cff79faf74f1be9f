// Host for cast-gpu.wgsl: Cast between the dtypes the WebGPU executor stores (float32, int32,
// uint32; int8, uint8, bool packed 4 per word; int64 as (lo, hi) word pairs), bit-exact with
// cast.ref.ts's castRef, so attention-mask and position-id casts stay on the GPU instead of
// splitting a run with a readback. Tests: tests/gpu/cast-webgpu.test.ts.
import type { DType } from '../tensor.js';
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

/** The kernel's code per dtype (cast-gpu.wgsl's FROM / TO). */
const KIND: Partial<Record<DType, number>> = {
  float32: 0,
  int32: 1,
  uint32: 2,
  int8: 3,
  uint8: 4,
  bool: 5,
  int64: 6,
};

/** Whether the kernel converts `from` -> `to` (two different dtypes it stores). */
export function gpuCastSupported(from: DType, to: DType): boolean {
  return from !== to && KIND[from] !== undefined && KIND[to] !== undefined;
}

/** A dispatch converting `count` elements of x (dtype `from`) into y (dtype `to`). */
export async function prepareCast(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  from: DType,
  to: DType,
  count: number,
): Promise<PreparedDispatch> {
  if (!gpuCastSupported(from, to)) throw new Error(`GPU Cast ${from} -> ${to} is not supported`);
  const packed = to === 'int8' || to === 'uint8' || to === 'bool';
  const invocations = packed ? Math.ceil(count / 4) : count;
  const pipeline = await getPipeline(ctx, {
    op: 'cast-gpu',
    params: { from: KIND[from]!, to: KIND[to]!, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await loadWgsl(new URL('./cast-gpu.wgsl', import.meta.url)),
      constants: { FROM: q.from, TO: q.to, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  return prepareDispatch(
    ctx,
    'cast-gpu',
    pipeline,
    { buffers: [x, y], uniform: uniformWords([count, invocations, 0, 0]) },
    elementGrid(ctx, invocations, WORKGROUP_SIZE),
  );
}
