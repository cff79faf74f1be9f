// ReduceMean reference. float32 follows onnxruntime's CPU kernel (reduction_ops.cc) operation by
// operation, so a ReduceMean between DequantizeLinear and QuantizeLinear rounds like onnxruntime;
// other float types sum in float64, divide once and round once.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';

export interface ReduceParams {
  /** Axes to reduce (negative counts from the end); empty or undefined means all, unless noop. */
  readonly axes?: readonly number[];
  readonly keepdims?: boolean;
  /** Opset 18+: with no axes, return the input unchanged instead of reducing everything. */
  readonly noopWithEmptyAxes?: boolean;
}

export function reduceMean(x: Tensor, p: ReduceParams = {}): Tensor {
  assertFloat(x, 'ReduceMean input');
  const rank = x.dims.length;
  const keepdims = p.keepdims ?? true;
  if (!p.axes?.length && p.noopWithEmptyAxes) return floatTensor(x.dtype, x.dims, readFloats(x));
  const reduced = new Array<boolean>(rank).fill(!p.axes?.length);
  for (const axis of p.axes ?? []) {
    const a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) throw new Error(`ReduceMean axis ${axis} is out of range for rank ${rank}`);
    reduced[a] = true;
  }
  const outDimsKeep = x.dims.map((d, i) => (reduced[i] ? 1 : d));
  const outDims = keepdims ? outDimsKeep : x.dims.filter((_, i) => !reduced[i]);
  if (x.dtype === 'float32' && x.data.length > 0) {
    return {
      dtype: 'float32',
      dims: outDims,
      data: ortReduceMeanF32(x.data as Float32Array, x.dims, reduced),
    };
  }
  const outSize = outDimsKeep.reduce((a, b) => a * b, 1);
  // Output strides with zero on reduced axes: every input element finds its output slot directly.
  const outStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    outStrides[i] = reduced[i] ? 0 : s;
    s *= outDimsKeep[i];
  }
  const xs = readFloats(x);
  const sums = new Float64Array(outSize);
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < xs.length; i++) {
    sums[o] += xs[i];
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      o += outStrides[a];
      if (idx[a] < x.dims[a]) break;
      o -= outStrides[a] * idx[a];
      idx[a] = 0;
    }
  }
  const count = x.dims.reduce((acc, d, i) => (reduced[i] ? acc * d : acc), 1);
  for (let i = 0; i < outSize; i++) sums[i] = count > 0 ? sums[i] / count : Number.NaN;
  return floatTensor(x.dtype, outDims, sums);
}

const f = Math.fround;

/**
 * onnxruntime takes its [K1, R, K2] and [R1, K, R2] fast paths only when the kept outer count is at
 * least max(2, intra-op threads). Its default thread count is the host's core count (2 here); on a
 * bigger host small K1/K would take the row-major loop instead and the last bits could differ.
 */
const ORT_FAST_PATH_MIN_KEPT = 2;

/**
 * Eigen's vectorized sum of xs[start, start + n) as onnxruntime's build computes it (SSE packets of
 * 4 floats): scalar elements until the address is 16-byte aligned (taking the tensor's first
 * element as aligned, as onnxruntime's allocations are), two packet accumulators over pairs of
 * packets, their sum, one more packet if left, the packet reduced as (p0 + p2) + (p1 + p3), then
 * the unaligned head and the tail one by one. Fewer than 4 aligned elements: a plain loop.
 */
function eigenSumF32(xs: Float32Array, start: number, n: number): number {
  const head = Math.min(n, (4 - (start % 4)) % 4);
  const aligned = Math.floor((n - head) / 4) * 4;
  const aligned2 = Math.floor((n - head) / 8) * 8;
  if (aligned === 0) {
    let r = xs[start];
    for (let i = 1; i < n; i++) r = f(r + xs[start + i]);
    return r;
  }
  const a = start + head;
  const p = [xs[a], xs[a + 1], xs[a + 2], xs[a + 3]];
  if (aligned > 4) {
    const q = [xs[a + 4], xs[a + 5], xs[a + 6], xs[a + 7]];
    for (let i = a + 8; i < a + aligned2; i += 8) {
      for (let l = 0; l < 4; l++) {
        p[l] = f(p[l] + xs[i + l]);
        q[l] = f(q[l] + xs[i + 4 + l]);
      }
    }
    for (let l = 0; l < 4; l++) p[l] = f(p[l] + q[l]);
    if (aligned > aligned2) for (let l = 0; l < 4; l++) p[l] = f(p[l] + xs[a + aligned2 + l]);
  }
  let r = f(f(p[0] + p[2]) + f(p[1] + p[3]));
  for (let i = start; i < a; i++) r = f(r + xs[i]);
  for (let i = a + aligned; i < start + n; i++) r = f(r + xs[i]);
  return r;
}

/**
 * Which of onnxruntime's float ReduceMean paths a layout takes (shared with the GPU host,
 * reduce-mean.ts, so both follow the same order): adjacent axes with the same reduced/kept state
 * merge into `fast`; 'all' (everything reduced), 'copy' (nothing reduced), 'rows' ([K, R]),
 * 'r1kr2' ([R1, K, R2] with K >= the fast-path minimum), 'k1rk2' ([K1, R, K2] likewise), else
 * 'rowMajor'.
 */
export function ortReduceMeanPath(
  dims: readonly number[],
  reduced: readonly boolean[],
): { kind: 'all' | 'copy' | 'rows' | 'r1kr2' | 'k1rk2' | 'rowMajor'; fast: number[] } {
  const fast: number[] = [];
  const fastReduced: boolean[] = [];
  dims.forEach((d, i) => {
    if (i > 0 && reduced[i] === reduced[i - 1]) fast[fast.length - 1] *= d;
    else {
      fast.push(d);
      fastReduced.push(reduced[i]);
    }
  });
  const kind =
    fast.length === 1 && fastReduced[0]
      ? 'all'
      : fast.length === 1
        ? 'copy'
        : fast.length === 2 && !fastReduced[0]
          ? 'rows'
          : fast.length === 3 && fastReduced[0] && fast[1] >= ORT_FAST_PATH_MIN_KEPT
            ? 'r1kr2'
            : fast.length === 3 && !fastReduced[0] && fast[0] >= ORT_FAST_PATH_MIN_KEPT
              ? 'k1rk2'
              : 'rowMajor';
  return { kind, fast };
}

/**
 * onnxruntime's float ReduceMean: adjacent axes with the same reduced/kept state merge (size-1
 * axes too), then: everything reduced -> Eigen mean; [K, R] -> an Eigen sum per row, / R;
 * [R1, K, R2] -> per kept index, the Eigen sums of its R2-runs added in order from 0, / (R1 * R2)
 * (its fast path, taken when K >= the intra-op thread count); [K1, R, K2] -> SGEMM's order (below);
 * any other layout (and the [R, K] path, which also adds in order) -> a float sum from 0 in
 * row-major order, / count.
 */
function ortReduceMeanF32(
  xs: Float32Array,
  dims: readonly number[],
  reduced: readonly boolean[],
): Float32Array {
  const { kind, fast } = ortReduceMeanPath(dims, reduced);
  if (kind === 'all') return Float32Array.of(f(eigenSumF32(xs, 0, xs.length) / xs.length));
  if (kind === 'copy') return Float32Array.from(xs);
  if (kind === 'rows') {
    const [k, r] = fast;
    const ys = new Float32Array(k);
    for (let i = 0; i < k; i++) ys[i] = f(eigenSumF32(xs, i * r, r) / r);
    return ys;
  }
  if (kind === 'r1kr2') {
    const [r1, k, r2] = fast;
    const ys = new Float32Array(k);
    for (let j = 0; j < k; j++) {
      let v = 0;
      for (let i = 0; i < r1; i++) v = f(v + eigenSumF32(xs, (i * k + j) * r2, r2));
      ys[j] = f(v / (r1 * r2));
    }
    return ys;
  }
  if (kind === 'k1rk2') {
    // [K1, R, K2]: onnxruntime multiplies a row of ones by each [R, K2] slab (MLAS SGEMM, M = 1),
    // whose kernel sums R in blocks of 4 rows (each block in order, then added to the output), then
    // a block of 2 and a single row for the rest (matched on this host; taken when K1 >= the
    // intra-op thread count, else the row-major loop below, which differs).
    const [k1, r, k2] = fast;
    const ys = new Float32Array(k1 * k2);
    const full = r - (r % 4);
    for (let a = 0; a < k1; a++) {
      for (let k = 0; k < k2; k++) {
        const at = (i: number): number => xs[(a * r + i) * k2 + k];
        let acc = 0;
        for (let i = 0; i < full; i += 4) acc = f(acc + f(f(f(at(i) + at(i + 1)) + at(i + 2)) + at(i + 3)));
        let i = full;
        if (r - i >= 2) {
          acc = f(acc + f(at(i) + at(i + 1)));
          i += 2;
        }
        if (i < r) acc = f(acc + at(i));
        ys[a * k2 + k] = f(acc / r);
      }
    }
    return ys;
  }
  // Row-major walk: each output accumulates its reduced elements in input order.
  const count = dims.reduce((acc, d, i) => (reduced[i] ? acc * d : acc), 1);
  const outSize = xs.length / count;
  const rank = dims.length;
  const outStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    outStrides[i] = reduced[i] ? 0 : s;
    if (!reduced[i]) s *= dims[i];
  }
  const sums = new Float32Array(outSize);
  const idx = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < xs.length; i++) {
    sums[o] = f(sums[o] + xs[i]);
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      o += outStrides[a];
      if (idx[a] < dims[a]) break;
      o -= outStrides[a] * idx[a];
      idx[a] = 0;
    }
  }
  for (let i = 0; i < outSize; i++) sums[i] = f(sums[i] / count);
  return sums;
}
