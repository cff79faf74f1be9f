// Host for round-f16.wgsl: rounds f32 words to the nearest float16 value, kept as f32. The WebGPU
// executor stores float16 values widened to f32 (app/exec/webgpu/widen-float16.ts) and rounds
// each float16 result with this kernel, so no shader-f16 feature is needed. Also the host-side
// conversions between float16 tensors and their f32 storage (both exact for float16 values).
// Oracle: numberToFloat16Bits (kernels/tensor.ts); tests: tests/gpu/float16-webgpu.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { filePipeline } from '../gpu/pipeline-cache.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { float16BitsToNumber, numberToFloat16Bits, type Tensor } from '../tensor.js';

const WORKGROUP_SIZE = 64;
const SOURCE = new URL('./round-f16.wgsl', import.meta.url);

/** y = the float16 value nearest x, elementwise over `count` f32 words (x and y distinct buffers). */
export async function prepareRoundToFloat16(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  count: number,
): Promise<PreparedDispatch> {
  const pl = await filePipeline(ctx, 'round-f16.main', SOURCE, WORKGROUP_SIZE);
  return prepareDispatch(
    ctx,
    'round-f16',
    pl,
    { buffers: [x, y], uniform: uniformWords([count, 0, 0, 0]) },
    elementGrid(ctx, count, WORKGROUP_SIZE),
  );
}

/** A float16 tensor as the float32 tensor of the same values (exact; NaN keeps sign and payload). */
export function widenFloat16(t: Tensor): Tensor {
  if (t.dtype !== 'float16') return t;
  const src = t.data as Uint16Array;
  const out = new Float32Array(src.length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    if ((h & 0x7fff) > 0x7c00) words[i] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
    else out[i] = float16BitsToNumber(h);
  }
  return { dtype: 'float32', dims: [...t.dims], data: out };
}

/**
 * A float32 tensor as float16 bits (round to nearest even; exact for values the GPU rounded).
 * NaN keeps its sign (read from the bits: a JS number would lose it).
 */
export function narrowToFloat16(t: Tensor): Tensor {
  if (t.dtype !== 'float32') return t;
  const src = t.data as Float32Array;
  const words = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const w = words[i];
    out[i] = (w & 0x7fffffff) > 0x7f800000 ? ((w >>> 16) & 0x8000) | 0x7e00 : numberToFloat16Bits(src[i]);
  }
  return { dtype: 'float16', dims: [...t.dims], data: out };
}
