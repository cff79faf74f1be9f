// Host for grid-sample.wgsl: GridSample on float32 X [N, C, D1..Dk] (k <= 3) and grid
// [N, O1..Ok, k], any mode and padding. Tests: tests/gpu/grid-sample.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { filePipeline } from '../gpu/pipeline-cache.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import type { GridSampleOptions } from './grid-sample.ref.js';

const WORKGROUP_SIZE = 64;
const MODES = { linear: 0, nearest: 1, cubic: 2 } as const;
const PADDINGS = { zeros: 0, border: 1, reflection: 2 } as const;

export async function prepareGridSample(
  ctx: GpuContext,
  x: GPUBuffer,
  grid: GPUBuffer,
  y: GPUBuffer,
  xDims: readonly number[],
  gridDims: readonly number[],
  o: GridSampleOptions,
): Promise<PreparedDispatch> {
  const k = xDims.length - 2;
  if (k < 1 || k > 3) throw new Error(`GridSample on the GPU takes 1 to 3 spatial dims, got ${k}`);
  const inDims = xDims.slice(2);
  // Dims past k must be trailing 1s for the shader's (d0, d1, d2) addressing.
  const table = new Int32Array([...inDims, ...Array(3 - k).fill(1)]);
  const outSize = gridDims.slice(1, k + 1).reduce((a, b) => a * b, 1);
  const inSize = inDims.reduce((a, b) => a * b, 1);
  const total = xDims[0] * xDims[1] * outSize;
  const pipeline = await filePipeline(
    ctx,
    'grid-sample',
    new URL('./grid-sample.wgsl', import.meta.url),
    WORKGROUP_SIZE,
  );
  return prepareDispatch(
    ctx,
    'grid-sample',
    pipeline,
    {
      buffers: [x, grid, y],
      uniform: uniformWords([
        total,
        xDims[1],
        k,
        MODES[o.mode],
        PADDINGS[o.padding],
        o.alignCorners ? 1 : 0,
        outSize,
        inSize,
      ]),
      table,
    },
    elementGrid(ctx, total, WORKGROUP_SIZE),
  );
}
