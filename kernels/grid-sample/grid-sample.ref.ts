// GridSample (opset 16: 4-D, modes bilinear/nearest/bicubic; opset 20: any rank, modes
// linear/nearest/cubic, the same math under new names). X is [N, C, D1..Dk]; grid is
// [N, O1..Ok, k] with normalized coordinates in [-1, 1] stored innermost-dim first (x, y, z...),
// so grid[..., 0] addresses Dk. Output [N, C, O1..Ok]. Follows the ONNX reference implementation
// (itself PyTorch's GridSampler.h): float32 arithmetic for float32 inputs. Border and reflection
// padding first move an out-of-range coordinate into range, then pad each tap. onnxruntime's CPU
// kernel only pads the taps, which gives the same result except for linear / cubic sampling with
// reflection and cubic with border at coordinates outside the valid range; there the ONNX
// reference (and the ONNX backend tests) are followed.

import { allocData, type Tensor } from '../tensor.js';

export type GridSampleMode = 'linear' | 'nearest' | 'cubic';
export type GridSamplePadding = 'zeros' | 'border' | 'reflection';

export interface GridSampleOptions {
  readonly mode: GridSampleMode;
  readonly padding: GridSamplePadding;
  readonly alignCorners: boolean;
}

/**
 * Reflects x by the nearer border until it lies in [lo, hi] (PyTorch's reflect_coordinates). An
 * empty range (a size-1 dim with align_corners) gives lo, as PyTorch; the ONNX reference divides
 * by zero there.
 */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const dx = lo - x;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

/** Keys' cubic convolution weights (alpha -0.75) of the taps at -1, 0, 1, 2 for fraction t. */
function cubicWeights(t: number): number[] {
  const a = -0.75;
  const x = Math.abs(t);
  const f = Math.fround;
  return [
    f(f(f(f(a * (x + 1) - 5 * a) * (x + 1)) + 8 * a) * (x + 1) - 4 * a),
    f(f(f((a + 2) * x - (a + 3)) * x) * x + 1),
    f(f(f((a + 2) * (1 - x) - (a + 3)) * (1 - x)) * (1 - x) + 1),
    f(f(f(f(a * (2 - x) - 5 * a) * (2 - x)) + 8 * a) * (2 - x) - 4 * a),
  ];
}

/** C++ / NumPy rint: round half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function gridSampleRef(x: Tensor, grid: Tensor, opts: GridSampleOptions): Tensor {
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new Error(`GridSample on ${x.dtype} is not supported`);
  }
  if (grid.dtype !== 'float32' && grid.dtype !== 'float64') {
    throw new Error(`GridSample grid of ${grid.dtype} is not supported`);
  }
  const k = x.dims.length - 2;
  if (k < 1) throw new Error(`GridSample input must have rank >= 3, got ${x.dims.length}`);
  if (grid.dims.length !== k + 2 || grid.dims[0] !== x.dims[0] || grid.dims[k + 1] !== k) {
    throw new Error(`GridSample grid [${grid.dims}] does not fit input [${x.dims}]`);
  }
  const [batch, channels] = x.dims;
  const inDims = x.dims.slice(2);
  const outDims = grid.dims.slice(1, k + 1);
  const inStrides = new Array<number>(k);
  let inSize = 1;
  for (let d = k - 1; d >= 0; d--) {
    inStrides[d] = inSize;
    inSize *= inDims[d];
  }
  let outSize = 1;
  for (const d of outDims) outSize *= d;
  const f = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  const src = x.data as Float32Array | Float64Array;
  const g = grid.data as Float32Array | Float64Array;
  const out = allocData(x.dtype, batch * channels * outSize) as Float32Array | Float64Array;

  // Valid coordinate range per dim: pixel centers with align_corners, pixel edges without.
  const lo = inDims.map(() => (opts.alignCorners ? 0 : -0.5));
  const hi = inDims.map((n) => (opts.alignCorners ? n - 1 : n - 0.5));
  const pad = opts.padding;
  /** Index i along dim d after padding, or -1 for a zero (zeros padding, outside). */
  const tapIndex = (i: number, d: number): number => {
    const n = inDims[d];
    if (pad === 'zeros') return i >= 0 && i < n ? i : -1;
    if (pad === 'border') return Math.min(Math.max(i, 0), n - 1);
    return Math.trunc(reflect(i, lo[d], hi[d]));
  };

  const pos = new Array<number>(k);
  const taps: number[][] = new Array(k);
  const weights: number[][] = new Array(k);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outSize; o++) {
      // Denormalize: grid's last axis runs innermost dim first.
      for (let d = 0; d < k; d++) {
        const nv = g[(b * outSize + o) * k + (k - 1 - d)];
        const n = inDims[d];
        let v = opts.alignCorners ? f(f(f(nv + 1) / 2) * (n - 1)) : f(f(f(nv + 1) * n) - 1) / 2;
        v = f(v);
        if (opts.mode === 'nearest') v = roundHalfEven(v);
        if (v < lo[d] || v > hi[d]) {
          if (pad === 'border') v = Math.min(Math.max(v, 0), n - 1);
          else if (pad === 'reflection') v = f(reflect(v, lo[d], hi[d]));
        }
        pos[d] = v;
      }
      if (opts.mode === 'nearest') {
        for (let d = 0; d < k; d++) {
          taps[d] = [tapIndex(Math.trunc(pos[d]), d)];
          weights[d] = [1];
        }
      } else {
        for (let d = 0; d < k; d++) {
          const i0 = Math.floor(pos[d]);
          const t = f(pos[d] - i0);
          if (opts.mode === 'linear') {
            taps[d] = [tapIndex(i0, d), tapIndex(i0 + 1, d)];
            weights[d] = [f(1 - t), t];
          } else {
            taps[d] = [i0 - 1, i0, i0 + 1, i0 + 2].map((i) => tapIndex(i, d));
            weights[d] = cubicWeights(t);
          }
        }
      }
      for (let c = 0; c < channels; c++) {
        const base = (b * channels + c) * inSize;
        // Innermost dims first, as the reference's recursion: each level sums its taps of the
        // values interpolated over the dims after it.
        const interp = (d: number, off: number): number => {
          if (d === k) return src[base + off];
          let acc = 0;
          const tp = taps[d];
          const wt = weights[d];
          for (let j = 0; j < tp.length; j++) {
            if (tp[j] < 0) continue;
            acc = f(acc + f(wt[j] * interp(d + 1, off + tp[j] * inStrides[d])));
          }
          return acc;
        };
        out[(b * channels + c) * outSize + o] = interp(0, 0);
      }
    }
  }
  return { dtype: x.dtype, dims: [batch, channels, ...outDims], data: out };
}
