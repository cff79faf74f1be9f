// Pad reference for every dtype: modes constant, reflect, edge and wrap (opset 19). Pads may be
// negative (they crop). Each axis gets a table from output coordinate to source coordinate (or
// -1 for "the constant"), so all modes share one copy loop.
import { allocData, isBigIntDType, type Tensor } from '../tensor.js';

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

export function parsePadMode(s: string): PadMode {
  if (s === 'constant' || s === 'reflect' || s === 'edge' || s === 'wrap') return s;
  throw new Error(`unknown Pad mode '${s}'`);
}

export interface PadParams {
  /** [x1_begin, x2_begin, ..., x1_end, x2_end, ...] over `axes` (default: all axes in order). */
  readonly pads: readonly number[];
  readonly mode?: PadMode;
  /** Fill for mode 'constant' (default 0). */
  readonly constantValue?: number | bigint;
  /** Opset 18+: the axes the pads refer to (negative counts from the end). */
  readonly axes?: readonly number[];
}

function sourceIndex(o: number, before: number, size: number, mode: PadMode): number {
  const i = o - before;
  if (i >= 0 && i < size) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'edge':
      return i < 0 ? 0 : size - 1;
    case 'wrap':
      return ((i % size) + size) % size;
    case 'reflect': {
      if (size === 1) return 0;
      const period = 2 * (size - 1);
      const r = ((i % period) + period) % period;
      return r < size ? r : period - r;
    }
  }
}

export function pad(x: Tensor, p: PadParams): Tensor {
  const rank = x.dims.length;
  const mode = p.mode ?? 'constant';
  const axes = (p.axes ?? x.dims.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  if (p.pads.length !== 2 * axes.length) {
    throw new Error(`Pad has ${p.pads.length} pads for ${axes.length} axes (needs ${2 * axes.length})`);
  }
  const before = new Array<number>(rank).fill(0);
  const after = new Array<number>(rank).fill(0);
  axes.forEach((a, j) => {
    if (a < 0 || a >= rank) throw new Error(`Pad axis ${a} is out of range for rank ${rank}`);
    before[a] = p.pads[j];
    after[a] = p.pads[j + axes.length];
  });
  const outDims = x.dims.map((d, a) => d + before[a] + after[a]);
  if (outDims.some((d) => d < 0)) throw new Error(`Pad gives negative output dims [${outDims}]`);
  const outSize = outDims.reduce((s, d) => s * d, 1);
  if (mode !== 'constant' && outSize > 0) {
    x.dims.forEach((d, a) => {
      if (d === 0 && outDims[a] > 0) throw new Error(`Pad mode '${mode}' cannot pad an empty axis`);
    });
  }
  const maps = outDims.map((d, a) => {
    const m = new Int32Array(d);
    for (let o = 0; o < d; o++) m[o] = sourceIndex(o, before[a], x.dims[a], mode);
    return m;
  });
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    inStrides[a] = s;
    s *= x.dims[a];
  }
  const big = isBigIntDType(x.dtype);
  const fill = p.constantValue ?? 0;
  const out = allocData(x.dtype, outSize);
  const src = x.data;
  const idx = new Array<number>(rank).fill(0);
  for (let q = 0; q < outSize; q++) {
    let flat = 0;
    for (let a = 0; a < rank; a++) {
      const m = maps[a][idx[a]];
      if (m < 0) {
        flat = -1;
        break;
      }
      flat += m * inStrides[a];
    }
    if (flat >= 0) out[q] = src[flat];
    else if (big) out[q] = BigInt(fill);
    else (out as Exclude<typeof out, BigInt64Array | BigUint64Array>)[q] = Number(fill);
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < outDims[a]) break;
      idx[a] = 0;
    }
  }
  // float16 data holds raw bits: the fill value arrives already encoded by the caller.
  return { dtype: x.dtype, dims: outDims, data: out };
}
