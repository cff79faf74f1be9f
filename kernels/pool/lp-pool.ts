// Host for lp-pool.wgsl: LpPool of an f32 [N, C, ...spatial] tensor with the reference's windows
// (poolWindows) uploaded as a table at plan time. Tests: tests/gpu/lp-pool.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { filePipeline } from '../gpu/pipeline-cache.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { type PoolParams, poolWindows } from './pool.ref.js';

const WORKGROUP_SIZE = 64;

/** LpPool of `x` (`dims`) into `y`; returns the dispatch (the output dims are the reference's). */
export async function prepareLpPool(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  dims: readonly number[],
  params: PoolParams,
  p: number,
): Promise<PreparedDispatch> {
  const [batch, channels] = dims;
  const inputSpatial = dims.slice(2);
  const w = poolWindows(inputSpatial, params);
  const outSize = w.outputSpatial.reduce((a, b) => a * b, 1);
  const inSize = inputSpatial.reduce((a, b) => a * b, 1);
  const planes = batch * channels;
  if (planes * Math.max(outSize, inSize) >= 2 ** 31) throw new Error('LpPool: 2^31 elements or more');
  const table = new Int32Array(w.start.length + w.offsets.length);
  table.set(w.start);
  table.set(w.offsets, w.start.length);
  const pipeline = await filePipeline(
    ctx,
    'lp-pool',
    new URL('./lp-pool.wgsl', import.meta.url),
    WORKGROUP_SIZE,
  );
  return prepareDispatch(
    ctx,
    'lp-pool',
    pipeline,
    { buffers: [x, y], uniform: uniformWords([planes, inSize, outSize, { f: p }]), table },
    elementGrid(ctx, planes * outSize, WORKGROUP_SIZE),
  );
}
