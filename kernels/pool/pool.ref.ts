// Pooling references: MaxPool (any numeric dtype, optional Indices), AveragePool and
// GlobalAveragePool (float). Geometry (auto_pad, ceil_mode, dilations) comes from conv-geometry,
// shared with Conv, so a pool and a conv agree on what a window is.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import { type AutoPad, resolveConvGeometry } from '../conv2d/conv-geometry.js';
import { increment } from '../conv2d/conv2d.ref.js';
import { stridesOf } from '../shape-ops/axes.js';
import { allocData, type Tensor } from '../tensor.js';

export interface PoolParams {
  readonly kernelShape: readonly number[];
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  readonly ceilMode?: boolean;
}

interface PoolWindows {
  readonly outputSpatial: number[];
  /** Input offsets (within one channel plane) of output position p: offsets[start[p] .. start[p+1]). */
  readonly start: Int32Array;
  readonly offsets: Int32Array;
  /** Spatial positions of each window inside the padded input (what count_include_pad divides by). */
  readonly paddedCount: Int32Array;
}

export function poolWindows(inputSpatial: readonly number[], p: PoolParams): PoolWindows {
  const geo = resolveConvGeometry({ inputSpatial, kernelSpatial: p.kernelShape, ...p });
  const n = inputSpatial.length;
  const outSize = geo.outputSpatial.reduce((a, b) => a * b, 1);
  const kSize = p.kernelShape.reduce((a, b) => a * b, 1);
  const inStrides = stridesOf(inputSpatial);
  const start = new Int32Array(outSize + 1);
  const paddedCount = new Int32Array(outSize);
  const offsets: number[] = [];
  const o = new Array<number>(n).fill(0);
  const k = new Array<number>(n).fill(0);
  for (let q = 0; q < outSize; q++) {
    start[q] = offsets.length;
    k.fill(0);
    let padded = 0;
    for (let kk = 0; kk < kSize; kk++) {
      let inside = true;
      let inPadded = true;
      let flat = 0;
      for (let a = 0; a < n; a++) {
        const x = o[a] * geo.strides[a] - geo.pads[a] + k[a] * geo.dilations[a];
        if (x < 0 || x >= inputSpatial[a]) inside = false;
        if (x < -geo.pads[a] || x >= inputSpatial[a] + geo.pads[a + n]) inPadded = false;
        flat += x * inStrides[a];
      }
      if (inside) offsets.push(flat);
      if (inPadded) padded++;
      increment(k, p.kernelShape);
    }
    paddedCount[q] = padded;
    increment(o, geo.outputSpatial);
  }
  start[outSize] = offsets.length;
  return { outputSpatial: geo.outputSpatial, start, offsets: Int32Array.from(offsets), paddedCount };
}

function checkRank(x: Tensor, p: PoolParams, op: string): void {
  if (x.dims.length !== p.kernelShape.length + 2) {
    throw new Error(`${op} X [${x.dims}] does not match kernel_shape [${p.kernelShape}]`);
  }
}

export interface MaxPoolResult {
  readonly y: Tensor;
  /** int64 flat indices into X (row-major, or column-major spatial order when storageOrder = 1). */
  readonly indices: Tensor;
}

/** MaxPool over any numeric dtype; padding never wins (it is not -inf, it is absent). */
export function maxPool(x: Tensor, p: PoolParams, storageOrder = 0): MaxPoolResult {
  checkRank(x, p, 'MaxPool');
  if (x.dtype === 'bool' || x.dtype === 'int64' || x.dtype === 'uint64') {
    throw new Error(`MaxPool does not support ${x.dtype}`);
  }
  const [batch, channels] = x.dims;
  const inputSpatial = x.dims.slice(2);
  const inSize = inputSpatial.reduce((a, b) => a * b, 1);
  const w = poolWindows(inputSpatial, p);
  const outSize = w.outputSpatial.reduce((a, b) => a * b, 1);
  const xs = x.dtype === 'float16' ? readFloats(x) : (x.data as ArrayLike<number>);
  const ys = new Float64Array(batch * channels * outSize);
  const idx = new BigInt64Array(ys.length);
  // Column-major spatial offsets for storage_order = 1.
  const colStrides = inputSpatial.map((_, a) => inputSpatial.slice(0, a).reduce((s, d) => s * d, 1));
  const rowStrides = stridesOf(inputSpatial);
  const toStorage = (flat: number): number => {
    if (storageOrder === 0) return flat;
    let r = 0;
    for (let a = 0; a < inputSpatial.length; a++)
      r += (Math.floor(flat / rowStrides[a]) % inputSpatial[a]) * colStrides[a];
    return r;
  };
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * inSize;
    for (let q = 0; q < outSize; q++) {
      let best = Number.NEGATIVE_INFINITY;
      let bestAt = -1;
      for (let t = w.start[q]; t < w.start[q + 1]; t++) {
        const v = xs[base + w.offsets[t]];
        if (v > best || bestAt < 0) {
          best = v;
          bestAt = w.offsets[t];
        }
      }
      ys[plane * outSize + q] = best;
      idx[plane * outSize + q] = BigInt(bestAt < 0 ? -1 : base + toStorage(bestAt));
    }
  }
  const dims = [batch, channels, ...w.outputSpatial];
  let y: Tensor;
  if (x.dtype === 'float16' || x.dtype === 'float32' || x.dtype === 'float64')
    y = floatTensor(x.dtype, dims, ys);
  else {
    const data = allocData(x.dtype, ys.length) as Exclude<
      ReturnType<typeof allocData>,
      BigInt64Array | BigUint64Array
    >;
    for (let i = 0; i < ys.length; i++) data[i] = ys[i];
    y = { dtype: x.dtype, dims, data };
  }
  return { y, indices: { dtype: 'int64', dims, data: idx } };
}

export function averagePool(x: Tensor, p: PoolParams, countIncludePad = false): Tensor {
  checkRank(x, p, 'AveragePool');
  assertFloat(x, 'AveragePool X');
  const [batch, channels] = x.dims;
  const inputSpatial = x.dims.slice(2);
  if (x.dtype === 'float32' && inputSpatial.length <= 3) {
    const geo = resolveConvGeometry({ inputSpatial, kernelSpatial: p.kernelShape, ...p });
    // onnxruntime hands AveragePool to MLAS unless it needs dilations or combines ceil_mode with
    // count_include_pad (MLAS would divide an overhanging window by the full kernel size).
    if (geo.dilations.every((d) => d === 1) && !(p.ceilMode && countIncludePad)) {
      const ys = mlasAveragePoolF32(x.data as Float32Array, batch * channels, {
        input: inputSpatial,
        kernel: p.kernelShape,
        pads: geo.pads,
        strides: geo.strides,
        output: geo.outputSpatial,
        includePad: countIncludePad,
      });
      return { dtype: 'float32', dims: [batch, channels, ...geo.outputSpatial], data: ys };
    }
    const ys = ortAveragePoolTaskF32(
      x.data as Float32Array,
      batch * channels,
      inputSpatial,
      p.kernelShape,
      geo,
      countIncludePad,
    );
    return { dtype: 'float32', dims: [batch, channels, ...geo.outputSpatial], data: ys };
  }
  const inSize = inputSpatial.reduce((a, b) => a * b, 1);
  const w = poolWindows(inputSpatial, p);
  const outSize = w.outputSpatial.reduce((a, b) => a * b, 1);
  const xs = readFloats(x);
  const ys = new Float64Array(batch * channels * outSize);
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * inSize;
    for (let q = 0; q < outSize; q++) {
      let acc = 0;
      for (let t = w.start[q]; t < w.start[q + 1]; t++) acc += xs[base + w.offsets[t]];
      const count = countIncludePad ? w.paddedCount[q] : w.start[q + 1] - w.start[q];
      ys[plane * outSize + q] = count > 0 ? acc / count : 0;
    }
  }
  return floatTensor(x.dtype, [batch, channels, ...w.outputSpatial], ys);
}

export function globalAveragePool(x: Tensor): Tensor {
  assertFloat(x, 'GlobalAveragePool X');
  if (x.dims.length < 3) throw new Error(`GlobalAveragePool needs X [N, C, spatial...], got [${x.dims}]`);
  const [batch, channels] = x.dims;
  const inSize = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const outDims = [batch, channels, ...x.dims.slice(2).map(() => 1)];
  if (x.dtype === 'float32') {
    return {
      dtype: 'float32',
      dims: outDims,
      data: mlasGlobalAverageF32(x.data as Float32Array, batch * channels, inSize),
    };
  }
  const xs = readFloats(x);
  const ys = new Float64Array(batch * channels);
  for (let plane = 0; plane < ys.length; plane++) {
    let acc = 0;
    for (let i = 0; i < inSize; i++) acc += xs[plane * inSize + i];
    ys[plane] = acc / inSize;
  }
  return floatTensor(x.dtype, outDims, ys);
}

// ---------------------------------------------------------------------------------------------
// float32 average pooling in onnxruntime's (MLAS MlasPool) exact arithmetic order, so that a float
// op between DequantizeLinear and QuantizeLinear rounds to the same int8 as onnxruntime does.
// Every partial sum is rounded to float32 (fround of a double sum of two floats is the correctly
// rounded float sum), in MLAS's order; the divisor is an exact float and the quotient is rounded
// once. MLAS picks one of three kernels (pooling.cpp, MlasPool): "global" when the kernel covers
// the whole input with stride 1 and no pads, "vector" for 2-D/3-D with last stride <= 2, kernels
// <= 32 and a row that fits its 2048-float buffer, else "generic". Dilations never reach MLAS.

const f = Math.fround;

interface MlasPoolShape {
  readonly input: readonly number[];
  readonly kernel: readonly number[];
  /** [begins..., ends...] */
  readonly pads: readonly number[];
  readonly strides: readonly number[];
  readonly output: readonly number[];
  readonly includePad: boolean;
}

/** MLAS's global kernel: four float lanes over the plane, lanes combined as (l0+l2)+(l1+l3) (the
 * SSE horizontal add), then the leftover (size mod 4) elements one by one, then / size. */
function mlasGlobalAverageF32(xs: Float32Array, planes: number, size: number): Float32Array {
  const ys = new Float32Array(planes);
  const vecEnd = size - (size % 4);
  for (let c = 0; c < planes; c++) {
    const base = c * size;
    let l0 = 0;
    let l1 = 0;
    let l2 = 0;
    let l3 = 0;
    for (let i = 0; i < vecEnd; i += 4) {
      l0 = f(l0 + xs[base + i]);
      l1 = f(l1 + xs[base + i + 1]);
      l2 = f(l2 + xs[base + i + 2]);
      l3 = f(l3 + xs[base + i + 3]);
    }
    let acc = f(f(l0 + l2) + f(l1 + l3));
    for (let i = vecEnd; i < size; i++) acc = f(acc + xs[base + i]);
    ys[c] = f(acc / size);
  }
  return ys;
}

const MLAS_REDUCTION_BUFFER = 2048;
const MLAS_REDUCTION_BUFFER_PADDING = 3;

function mlasAveragePoolF32(xs: Float32Array, planes: number, s: MlasPoolShape): Float32Array {
  const d = s.input.length;
  const inSize = s.input.reduce((a, b) => a * b, 1);
  const outSize = s.output.reduce((a, b) => a * b, 1);
  const ys = new Float32Array(planes * outSize);
  const global = s.input.every(
    (n, a) => s.kernel[a] === n && s.strides[a] === 1 && s.pads[a] === 0 && s.pads[a + d] === 0,
  );
  if (global) return mlasGlobalAverageF32(xs, planes, inSize);
  // Vector-kernel eligibility, as MlasPool decides it (the buffer must hold pads + one input row).
  let room = MLAS_REDUCTION_BUFFER - MLAS_REDUCTION_BUFFER_PADDING;
  room = room >= s.pads[d - 1] ? room - s.pads[d - 1] : 0;
  room = room >= s.pads[2 * d - 1] ? room - s.pads[2 * d - 1] : 0;
  const vector = d >= 2 && s.strides[d - 1] <= 2 && s.kernel.every((k) => k <= 32) && room >= s.input[d - 1];
  for (let c = 0; c < planes; c++) {
    const x = xs.subarray(c * inSize, (c + 1) * inSize);
    const y = ys.subarray(c * outSize, (c + 1) * outSize);
    if (vector) vectorPool(x, y, s);
    else genericPool(x, y, s);
  }
  return ys;
}

/** MlasPool{1,2,3}DKernel: a float sum from +0 over the clipped window in row-major order. */
function genericPool(x: Float32Array, y: Float32Array, s: MlasPoolShape): void {
  const d = s.input.length;
  // Pad the rank to 3 with unit leading axes so one loop nest serves 1-D, 2-D and 3-D.
  const lead = 3 - d;
  const at = (v: readonly number[], a: number, one: number): number => (a < lead ? one : v[a - lead]);
  const inp = [0, 1, 2].map((a) => at(s.input, a, 1));
  const ker = [0, 1, 2].map((a) => at(s.kernel, a, 1));
  const str = [0, 1, 2].map((a) => at(s.strides, a, 1));
  const padB = [0, 1, 2].map((a) => at(s.pads, a, 0));
  const out = [0, 1, 2].map((a) => at(s.output, a, 1));
  const kernelSize = ker[0] * ker[1] * ker[2];
  const range = (o: number, a: number): [number, number] => {
    const start = o * str[a] - padB[a];
    return [Math.max(start, 0), Math.min(start + ker[a], inp[a])];
  };
  let q = 0;
  for (let o0 = 0; o0 < out[0]; o0++) {
    const [s0, e0] = range(o0, 0);
    for (let o1 = 0; o1 < out[1]; o1++) {
      const [s1, e1] = range(o1, 1);
      for (let o2 = 0; o2 < out[2]; o2++) {
        const [s2, e2] = range(o2, 2);
        let m = 0;
        for (let i0 = s0; i0 < e0; i0++)
          for (let i1 = s1; i1 < e1; i1++)
            for (let i2 = s2; i2 < e2; i2++) m = f(m + x[(i0 * inp[1] + i1) * inp[2] + i2]);
        const count = s.includePad ? kernelSize : (e0 - s0) * (e1 - s1) * (e2 - s2);
        y[q++] = f(m / count);
      }
    }
  }
}

/**
 * MlasPool{2,3}DVectorKernel: per output row, first each input column is summed down the window's
 * rows (2-D: starting from the first row's value; 3-D: from +0, planes then rows) into a buffer
 * laid out as [left pad zeros, columns, right pad zeros]; then each output sums KW consecutive
 * buffer entries starting from the first one. Exclude-pad divides by (columns inside) * rows.
 */
function vectorPool(x: Float32Array, y: Float32Array, s: MlasPoolShape): void {
  const d = s.input.length;
  const W = s.input[d - 1];
  const H = s.input[d - 2];
  const KW = s.kernel[d - 1];
  const padL = s.pads[d - 1];
  const SW = s.strides[d - 1];
  const OW = s.output[d - 1];
  const kernelSize = s.kernel.reduce((a, b) => a * b, 1);
  const buffer = new Float32Array(padL + W + s.pads[2 * d - 1] + MLAS_REDUCTION_BUFFER_PADDING + SW);
  // MLAS clips a window start that falls in the leading padding to 0 (its unsigned start wraps).
  const rows = (o: number, a: number): [number, number] => {
    const start = o * s.strides[a] - s.pads[a];
    return [Math.max(start, 0), Math.min(start + s.kernel[a], s.input[a])];
  };
  const outerPlanes = d === 3 ? s.output[0] : 1;
  let q = 0;
  for (let od = 0; od < outerPlanes; od++) {
    const [d0, d1] = d === 3 ? rows(od, 0) : [0, 1];
    for (let oh = 0; oh < s.output[d - 2]; oh++) {
      const [h0, h1] = rows(oh, d - 2);
      for (let col = 0; col < W; col++) {
        let r = d === 3 ? 0 : x[h0 * W + col];
        for (let z = d0; z < d1; z++)
          for (let h = z === d0 && d === 2 ? h0 + 1 : h0; h < h1; h++) r = f(r + x[(z * H + h) * W + col]);
        buffer[padL + col] = r;
      }
      const rowsCount = (d1 - d0) * (h1 - h0);
      for (let ow = 0; ow < OW; ow++) {
        const idx = ow * SW;
        let r = buffer[idx];
        for (let k = 1; k < KW; k++) r = f(r + buffer[idx + k]);
        let divisor = kernelSize;
        if (!s.includePad)
          divisor = Math.max(1, (Math.min(idx + KW, padL + W) - Math.max(idx, padL)) * rowsCount);
        y[q++] = f(r / divisor);
      }
    }
  }
}

/**
 * onnxruntime's own AveragePool{1,2,3}DTask (pool_functors.h), used instead of MLAS for dilations
 * and for ceil_mode with count_include_pad: a float sum from +0 over the in-bounds taps in row-major
 * order, divided by the tap count, or with count_include_pad by the taps of the window clipped to
 * the padded input (which an overhanging ceil_mode window can exceed).
 */
function ortAveragePoolTaskF32(
  xs: Float32Array,
  planes: number,
  input: readonly number[],
  kernel: readonly number[],
  geo: { pads: number[]; strides: number[]; dilations: number[]; outputSpatial: number[] },
  includePad: boolean,
): Float32Array {
  const d = input.length;
  const lead = 3 - d;
  const axis = (v: readonly number[], a: number, one: number): number => (a < lead ? one : v[a - lead]);
  const inp = [0, 1, 2].map((a) => axis(input, a, 1));
  const ker = [0, 1, 2].map((a) => axis(kernel, a, 1));
  const str = [0, 1, 2].map((a) => axis(geo.strides, a, 1));
  const dil = [0, 1, 2].map((a) => axis(geo.dilations, a, 1));
  const padB = [0, 1, 2].map((a) => axis(geo.pads, a, 0));
  const padE = [0, 1, 2].map((a) => (a < lead ? 0 : geo.pads[a - lead + d]));
  const out = [0, 1, 2].map((a) => axis(geo.outputSpatial, a, 1));
  const inSize = inp[0] * inp[1] * inp[2];
  const outSize = out[0] * out[1] * out[2];
  const ys = new Float32Array(planes * outSize);
  const span = (o: number, a: number): [number, number] => {
    const start = o * str[a] - padB[a];
    return [start, Math.min(start + ker[a] * dil[a], inp[a] + padE[a])];
  };
  const taps = (a: number, s: number, e: number): number => 1 + Math.trunc((e - s - 1) / dil[a]);
  for (let c = 0; c < planes; c++) {
    const base = c * inSize;
    let q = c * outSize;
    for (let o0 = 0; o0 < out[0]; o0++) {
      const [s0, e0] = span(o0, 0);
      for (let o1 = 0; o1 < out[1]; o1++) {
        const [s1, e1] = span(o1, 1);
        for (let o2 = 0; o2 < out[2]; o2++) {
          const [s2, e2] = span(o2, 2);
          let acc = 0;
          let n = 0;
          for (let i0 = s0; i0 < e0; i0 += dil[0]) {
            if (i0 < 0 || i0 >= inp[0]) continue;
            for (let i1 = s1; i1 < e1; i1 += dil[1]) {
              if (i1 < 0 || i1 >= inp[1]) continue;
              for (let i2 = s2; i2 < e2; i2 += dil[2]) {
                if (i2 < 0 || i2 >= inp[2]) continue;
                acc = f(acc + xs[base + (i0 * inp[1] + i1) * inp[2] + i2]);
                n++;
              }
            }
          }
          if (n > 0) acc = f(acc / (includePad ? taps(0, s0, e0) * taps(1, s1, e1) * taps(2, s2, e2) : n));
          ys[q++] = acc;
        }
      }
    }
  }
  return ys;
}
