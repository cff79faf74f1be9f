// Host for int-mod.wgsl: Mod / Fmod of int32, uint32 or int64 tensors with broadcasting. A zero divisor
// sets an error word (kernels/gpu/error-word.ts) read after the run, which then fails as the CPU
// reference fails the node. Tests: tests/gpu/extra-ops-math.test.ts.
import { broadcastShapes, broadcastStrides } from '../broadcast/broadcast.js';
import type { GpuContext } from '../gpu/device.js';
import { type CheckedKernel, checkedKernel, createErrorWord } from '../gpu/error-word.js';
import { filePipeline } from '../gpu/pipeline-cache.js';
import { elementGrid, prepareDispatch, uniformWords } from '../gpu-float/float-dispatch.js';

const WORKGROUP_SIZE = 64;

export interface PreparedIntMod extends CheckedKernel {
  /** After the run's last submit: whether a divisor was zero. */
  divisionByZero(): Promise<boolean>;
}

export async function prepareIntMod(
  ctx: GpuContext,
  a: GPUBuffer,
  b: GPUBuffer,
  y: GPUBuffer,
  dims: readonly [readonly number[], readonly number[]],
  dtype: 'int32' | 'uint32' | 'int64',
  op: 'Fmod' | 'Mod',
): Promise<PreparedIntMod> {
  const out = broadcastShapes(...dims);
  const count = out.reduce((p, d) => p * d, 1);
  const kind = dtype === 'uint32' ? 2 : (dtype === 'int64' ? 3 : 0) + (op === 'Fmod' ? 0 : 1);
  const pl = await filePipeline(ctx, 'int-mod', new URL('./int-mod.wgsl', import.meta.url), WORKGROUP_SIZE);
  const error = createErrorWord(ctx, 'int-mod');
  const table = Int32Array.from([
    ...out,
    ...broadcastStrides(dims[0], out),
    ...broadcastStrides(dims[1], out),
  ]);
  const dispatch = prepareDispatch(
    ctx,
    'int-mod',
    pl,
    { buffers: [a, b, y, error.buffer], uniform: uniformWords([count, out.length, kind, 0]), table },
    elementGrid(ctx, count, WORKGROUP_SIZE),
  );
  return { ...checkedKernel(error, [dispatch], 'int-mod'), divisionByZero: () => error.raised() };
}
