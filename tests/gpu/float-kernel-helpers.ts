// Shared by the float kernel tests: upload inputs, prepare a kernel's dispatches on them, run, and
// read one output back; plus the tolerance check every float test states.
import { expect } from 'vitest';
import { createStorageBuffer, readBuffer, uploadBuffer } from '../../kernels/gpu/buffers.js';
import type { GpuContext } from '../../kernels/gpu/device.js';
import {
  destroyDispatches,
  type PreparedDispatch,
  recordDispatches,
} from '../../kernels/gpu-float/float-dispatch.js';

/** Uploads `inputs`, allocates an output of `outBytes`, runs what `prepare` builds, reads it back. */
export async function runOnGpu(
  ctx: GpuContext,
  inputs: readonly ArrayBufferView[],
  outBytes: number,
  prepare: (ins: GPUBuffer[], out: GPUBuffer) => Promise<PreparedDispatch | PreparedDispatch[]>,
): Promise<ArrayBuffer> {
  const ins = inputs.map((d, i) => uploadBuffer(ctx, `test.input${i}`, d));
  const out = createStorageBuffer(ctx, 'test.output', outBytes);
  const prepared = await prepare(ins, out);
  const list = Array.isArray(prepared) ? prepared : [prepared];
  const encoder = ctx.device.createCommandEncoder({ label: 'test.encoder' });
  recordDispatches(encoder, list);
  ctx.device.queue.submit([encoder.finish()]);
  const result = await readBuffer(ctx, out, outBytes);
  destroyDispatches(list);
  for (const b of [...ins, out]) b.destroy();
  return result;
}

/** Every element within atol + rtol * |expected| (NaN matches NaN, infinities must be equal). */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol = 0,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      expect.fail(`element ${i}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

/** Random f32 values in [lo, hi) from a seeded generator. */
export function randomFloats(rand: () => number, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}
