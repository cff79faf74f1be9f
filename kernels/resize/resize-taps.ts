// Host for resize-taps.wgsl: linear and cubic Resize of float32 tensors on the GPU, from the
// reference's own per-axis taps (resizePlan), so only the final float32 sum differs from the
// reference's float64 one. Tests: tests/gpu/resize-taps.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { filePipeline } from '../gpu/pipeline-cache.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import type { ResizePlan } from './resize.ref.js';

const WORKGROUP_SIZE = 64;
/** The kernel's coordinate arrays (MAX_RANK in the WGSL). */
export const RESIZE_TAPS_MAX_RANK = 6;

/**
 * The kernel's table for a plan: per-axis headers, then the taps with the ones that never add
 * anything (no input index, weight 0) dropped, so an axis that is not resized costs one tap.
 */
export function resizeTapsTable(xDims: readonly number[], plan: ResizePlan): Int32Array {
  const rank = xDims.length;
  const words: number[] = new Array(4 * rank).fill(0);
  const f32 = new Float32Array(1);
  const bits = new Int32Array(f32.buffer);
  let stride = 1;
  const strides = new Array<number>(rank);
  for (let a = rank - 1; a >= 0; a--) {
    strides[a] = stride;
    stride *= xDims[a];
  }
  plan.taps.forEach((t, a) => {
    const outLen = plan.dims[a];
    const live = (o: number) => {
      const list: [number, number][] = [];
      for (let k = 0; k < t.width; k++) {
        const index = t.index[o * t.width + k];
        const weight = t.weight[o * t.width + k];
        if (index >= 0 && weight !== 0) list.push([index, weight]);
      }
      return list;
    };
    const perCoordinate = Array.from({ length: outLen }, (_, o) => (t.outside[o] ? [] : live(o)));
    const width = Math.max(1, ...perCoordinate.map((l) => l.length));
    words[4 * a] = outLen;
    words[4 * a + 1] = width;
    words[4 * a + 2] = words.length;
    words[4 * a + 3] = strides[a];
    perCoordinate.forEach((list, o) => {
      for (let k = 0; k < width; k++) {
        if (t.outside[o]) {
          words.push(k === 0 ? -2 : -1, 0);
          continue;
        }
        const tap = list[k];
        if (!tap) {
          words.push(-1, 0);
          continue;
        }
        f32[0] = tap[1];
        words.push(tap[0], bits[0]);
      }
    });
  });
  return Int32Array.from(words);
}

/** A dispatch writing the linear/cubic Resize of float32 `x` (dims `xDims`) into `y`. */
export async function prepareResizeTaps(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  xDims: readonly number[],
  plan: ResizePlan,
): Promise<PreparedDispatch> {
  if (xDims.length > RESIZE_TAPS_MAX_RANK)
    throw new Error(`resize-taps: rank ${xDims.length} > ${RESIZE_TAPS_MAX_RANK}`);
  const total = plan.dims.reduce((a, b) => a * b, 1);
  const pipeline = await filePipeline(
    ctx,
    'resize-taps',
    new URL('./resize-taps.wgsl', import.meta.url),
    WORKGROUP_SIZE,
  );
  return prepareDispatch(
    ctx,
    'resize-taps',
    pipeline,
    {
      buffers: [x, y],
      uniform: uniformWords([total, xDims.length, { f: plan.extrapolation }, 0]),
      table: resizeTapsTable(xDims, plan),
    },
    elementGrid(ctx, total, WORKGROUP_SIZE),
  );
}
