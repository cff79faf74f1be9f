// Pooling references: MaxPool (any numeric dtype, optional Indices), AveragePool and
// GlobalAveragePool (float). Geometry (auto_pad, ceil_mode, dilations) comes from conv-geometry,
// shared with Conv, so a pool and a conv agree on what a window is.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import { type AutoPad, resolveConvGeometry, rowMajorStrides } from '../conv2d/conv-geometry.js';
import { increment } from '../conv2d/conv2d.ref.js';
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

function poolWindows(inputSpatial: readonly number[], p: PoolParams): PoolWindows {
  const geo = resolveConvGeometry({ inputSpatial, kernelSpatial: p.kernelShape, ...p });
  const n = inputSpatial.length;
  const outSize = geo.outputSpatial.reduce((a, b) => a * b, 1);
  const kSize = p.kernelShape.reduce((a, b) => a * b, 1);
  const inStrides = rowMajorStrides(inputSpatial);
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
  const rowStrides = rowMajorStrides(inputSpatial);
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
  const xs = readFloats(x);
  const ys = new Float64Array(batch * channels);
  for (let plane = 0; plane < ys.length; plane++) {
    let acc = 0;
    for (let i = 0; i < inSize; i++) acc += xs[plane * inSize + i];
    ys[plane] = acc / inSize;
  }
  return floatTensor(x.dtype, [batch, channels, ...x.dims.slice(2).map(() => 1)], ys);
}
