// Float Conv reference (ONNX Conv, opsets 1-22): 1-D, 2-D and 3-D, groups (depthwise included),
// strides, dilations, explicit pads or auto_pad. float32 replays onnxruntime's x86 MlasConv
// (im2col + MLAS SGEMM, bias added last) bit for bit; float16/float64 sum in float64, round once.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import { mlasGemm, mlasSgemmOperation, ORT_INTRA_OP_THREADS } from '../matmul/matmul.ref.js';
import { stridesOf } from '../shape-ops/axes.js';
import type { Tensor } from '../tensor.js';
import { type AutoPad, type ConvGeometry, resolveConvGeometry } from './conv-geometry.js';

export interface ConvParams {
  readonly group?: number;
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  /** If given, must agree with W's spatial dims. */
  readonly kernelShape?: readonly number[];
}

/**
 * For every kernel position, the (output offset, input offset) pairs where that tap reads inside
 * the (unpadded) input. Padding contributes zeros, so those taps are simply absent. Grouping by
 * kernel position lets the inner loop run over output positions with one weight held fixed, and
 * flattening both spaces keeps it the same for 1-D, 2-D and 3-D.
 */
export interface KernelTaps {
  /** pairs of kernel position k: outputOffsets/inputOffsets[start[k] .. start[k+1]). */
  readonly start: Int32Array;
  readonly outputOffsets: Int32Array;
  readonly inputOffsets: Int32Array;
}

export function kernelTaps(
  inputSpatial: readonly number[],
  kernelSpatial: readonly number[],
  geo: ConvGeometry,
): KernelTaps {
  const n = inputSpatial.length;
  const outSize = geo.outputSpatial.reduce((a, b) => a * b, 1);
  const kSize = kernelSpatial.reduce((a, b) => a * b, 1);
  const inStrides = stridesOf(inputSpatial);
  const start = new Int32Array(kSize + 1);
  const outOff: number[] = [];
  const inOff: number[] = [];
  const k = new Array<number>(n).fill(0);
  const o = new Array<number>(n).fill(0);
  for (let kk = 0; kk < kSize; kk++) {
    start[kk] = outOff.length;
    o.fill(0);
    for (let p = 0; p < outSize; p++) {
      let inside = true;
      let flat = 0;
      for (let a = 0; a < n; a++) {
        const x = o[a] * geo.strides[a] - geo.pads[a] + k[a] * geo.dilations[a];
        if (x < 0 || x >= inputSpatial[a]) {
          inside = false;
          break;
        }
        flat += x * inStrides[a];
      }
      if (inside) {
        outOff.push(p);
        inOff.push(flat);
      }
      increment(o, geo.outputSpatial);
    }
    increment(k, kernelSpatial);
  }
  start[kSize] = outOff.length;
  return { start, outputOffsets: Int32Array.from(outOff), inputOffsets: Int32Array.from(inOff) };
}

/** Advances a row-major multi-index in place. */
export function increment(idx: number[], dims: readonly number[]): void {
  for (let a = idx.length - 1; a >= 0; a--) {
    if (++idx[a] < dims[a]) return;
    idx[a] = 0;
  }
}

export function conv(x: Tensor, w: Tensor, bias: Tensor | undefined, p: ConvParams = {}): Tensor {
  assertFloat(x, 'Conv X');
  assertFloat(w, 'Conv W');
  if (x.dims.length < 3) throw new Error(`Conv X must be [N, C, spatial...], got [${x.dims}]`);
  if (w.dims.length !== x.dims.length)
    throw new Error(`Conv W rank ${w.dims.length} differs from X rank ${x.dims.length}`);
  const group = p.group ?? 1;
  const [batch, channels] = x.dims;
  const [outChannels, groupChannels] = w.dims;
  const inputSpatial = x.dims.slice(2);
  const kernelSpatial = w.dims.slice(2);
  if (p.kernelShape && p.kernelShape.join() !== kernelSpatial.join()) {
    throw new Error(`kernel_shape [${p.kernelShape}] differs from W spatial dims [${kernelSpatial}]`);
  }
  if (channels !== groupChannels * group) {
    throw new Error(`X has ${channels} channels, W expects ${groupChannels} x group ${group}`);
  }
  if (outChannels % group !== 0)
    throw new Error(`W has ${outChannels} output channels, not divisible by group ${group}`);
  if (bias && (bias.dims.length !== 1 || bias.dims[0] !== outChannels)) {
    throw new Error(`Conv B must be [${outChannels}], got [${bias.dims}]`);
  }
  const geo = resolveConvGeometry({ inputSpatial, kernelSpatial, ...p });
  const taps = kernelTaps(inputSpatial, kernelSpatial, geo);
  const xs = readFloats(x);
  const ws = readFloats(w);
  const bs = bias ? readFloats(bias) : undefined;
  const inSize = inputSpatial.reduce((a, b) => a * b, 1);
  const kSize = kernelSpatial.reduce((a, b) => a * b, 1);
  const outSize = geo.outputSpatial.reduce((a, b) => a * b, 1);
  const outPerGroup = outChannels / group;
  if (x.dtype === 'float32' && w.dtype === 'float32' && (!bias || bias.dtype === 'float32')) {
    const shape = {
      batch,
      group,
      groupChannels,
      outPerGroup,
      inputSpatial,
      kernelSpatial,
      geo,
      inSize,
      kSize,
      outSize,
    };
    const y = mlasConv(xs as Float32Array, ws as Float32Array, bs as Float32Array | undefined, shape, taps);
    return { dtype: 'float32', dims: [batch, outChannels, ...geo.outputSpatial], data: y };
  }
  const y = new Float64Array(batch * outChannels * outSize);
  for (let b = 0; b < batch; b++) {
    for (let m = 0; m < outChannels; m++) {
      const g = Math.floor(m / outPerGroup);
      const plane = y.subarray((b * outChannels + m) * outSize, (b * outChannels + m + 1) * outSize);
      if (bs) plane.fill(bs[m]);
      for (let c = 0; c < groupChannels; c++) {
        const xBase = (b * channels + g * groupChannels + c) * inSize;
        const wBase = (m * groupChannels + c) * kSize;
        for (let kk = 0; kk < kSize; kk++) {
          const wv = ws[wBase + kk];
          const t1 = taps.start[kk + 1];
          for (let t = taps.start[kk]; t < t1; t++)
            plane[taps.outputOffsets[t]] += wv * xs[xBase + taps.inputOffsets[t]];
        }
      }
    }
  }
  return floatTensor(x.dtype, [batch, outChannels, ...geo.outputSpatial], y);
}

interface ConvShape {
  readonly batch: number;
  readonly group: number;
  readonly groupChannels: number;
  readonly outPerGroup: number;
  readonly inputSpatial: readonly number[];
  readonly kernelSpatial: readonly number[];
  readonly geo: ConvGeometry;
  readonly inSize: number;
  readonly kSize: number;
  readonly outSize: number;
}

const THREAD_COMPLEXITY = 64 * 1024;
const MAX_THREADS = 16;

/** ExpandThenGemmSegmented's thread stride along N (MlasConvPrepare) for one (batch, group). */
export function mlasConvThreadStrideN(mg: number, outSize: number, k: number): number {
  const complexity = mg * outSize * k;
  let target =
    complexity < THREAD_COMPLEXITY * MAX_THREADS
      ? Math.floor(complexity / THREAD_COMPLEXITY) + 1
      : MAX_THREADS;
  target = Math.min(target, ORT_INTRA_OP_THREADS);
  const stride = Math.ceil(outSize / target);
  return target > 1 ? Math.ceil(stride / 16) * 16 : stride;
}

/** MlasConvOperation's StrideN / StrideK for a segment of segCount output positions. */
export function mlasConvStrides(segCount: number, k: number): { strideN: number; strideK: number } {
  let strideN = 128;
  let strideK = 128;
  if (segCount >= k) {
    while (strideK / 2 >= k) {
      strideN *= 2;
      strideK /= 2;
    }
  } else {
    while (strideN > 16 && strideN / 2 >= segCount) {
      strideK *= 2;
      strideN /= 2;
    }
  }
  return { strideN, strideK };
}

/**
 * onnxruntime's MlasConvPrepare + MlasConv for float32 NCHW (what its CPU Conv runs when graph
 * optimizations are off): per (batch, group) a GEMM of W [M, K] by the im2col matrix [K, N]
 * (K = channels x kernel taps in weight order, N = output positions), with the algorithm, K
 * blocking and 2-thread N split MLAS picks, then the bias added to the finished sums.
 */
function mlasConv(
  xs: Float32Array,
  ws: Float32Array,
  bs: Float32Array | undefined,
  s: ConvShape,
  taps: KernelTaps,
): Float32Array {
  const { batch, group, groupChannels: cg, outPerGroup: mg, inSize, kSize, outSize, geo } = s;
  const k = cg * kSize;
  const y = new Float32Array(batch * group * mg * outSize);
  const ones = (v: readonly number[]) => v.every((d) => d === 1);
  const pad0 = geo.pads.every((p) => p === 0);
  const rank = s.inputSpatial.length;
  // MLAS promotes 1-D to 2-D; "width" is the last spatial axis, "height" the one before (or 1).
  const inW = s.inputSpatial[rank - 1];
  const inH = rank === 2 ? s.inputSpatial[0] : 1;
  const kW = s.kernelSpatial[rank - 1];
  const kH = rank === 2 ? s.kernelSpatial[0] : 1;
  let direct: { transB: boolean; ldb: number } | undefined;
  if (ones(geo.strides) && pad0) {
    if (k === cg) direct = { transB: false, ldb: outSize };
    else if (rank <= 2 && ones(geo.dilations) && cg === 1) {
      if (kW === inW) direct = { transB: true, ldb: inW };
      else if (kH === inH && kW === 1) direct = { transB: false, ldb: inW };
    }
  }
  const batchGroups = batch * group;
  const col = direct ? undefined : new Float32Array(k * outSize);
  // ExpandThenGemmSegmented's thread stride (MlasConvPrepare).
  const threadStrideN =
    !direct && mg <= outSize && batchGroups === 1 ? mlasConvThreadStrideN(mg, outSize, k) : outSize;
  for (let bg = 0; bg < batchGroups; bg++) {
    const g = bg % group;
    const xOff = bg * cg * inSize;
    const wOff = g * mg * k;
    const yOff = bg * mg * outSize;
    const base = {
      transA: false,
      m: mg,
      k,
      alpha: 1,
      a: ws,
      aOff: wOff,
      lda: k,
      beta: 0,
      c: y,
      cOff: yOff,
      ldc: outSize,
    };
    if (direct) {
      const call = { ...base, transB: direct.transB, n: outSize, b: xs, bOff: xOff, ldb: direct.ldb };
      // Several (batch, group) pairs: one single-threaded GEMM each; otherwise the threaded GEMM.
      if (batchGroups > 1) mlasSgemmOperation(call);
      else mlasGemm(call);
    } else {
      im2col(xs, xOff, col!, cg, inSize, kSize, outSize, taps);
      if (mg > outSize) {
        mlasGemm({ ...base, transB: false, n: outSize, b: col!, bOff: 0, ldb: outSize });
      } else {
        for (let n0 = 0; n0 < outSize; n0 += threadStrideN)
          convOperation(base, col!, n0, Math.min(threadStrideN, outSize - n0), k, outSize);
      }
    }
    if (bs) {
      for (let m = 0; m < mg; m++) {
        const bv = bs[g * mg + m];
        const row = yOff + m * outSize;
        for (let p = 0; p < outSize; p++) y[row + p] += bv;
      }
    }
  }
  return y;
}

/** MlasConvOperation: one thread's N segment, in StrideN slices and StrideK blocks. */
function convOperation(
  base: { m: number; a: Float32Array; aOff: number; lda: number; c: Float32Array; cOff: number; ldc: number },
  col: Float32Array,
  segStart: number,
  segCount: number,
  k: number,
  outSize: number,
): void {
  const { strideN, strideK } = mlasConvStrides(segCount, k);
  for (let n = 0; n < segCount; n += strideN) {
    const countN = Math.min(strideN, segCount - n);
    for (let k0 = 0; k0 < k; k0 += strideK) {
      mlasSgemmOperation({
        ...base,
        transA: false,
        transB: false,
        n: countN,
        k: Math.min(strideK, k - k0),
        alpha: 1,
        aOff: base.aOff + k0,
        b: col,
        bOff: k0 * outSize + segStart + n,
        ldb: outSize,
        beta: k0 === 0 ? 0 : 1,
        cOff: base.cOff + segStart + n,
      });
    }
  }
}

/** The [channels x taps, outputs] patch matrix of one (batch, group) input slab, padding as 0. */
function im2col(
  xs: Float32Array,
  xOff: number,
  col: Float32Array,
  cg: number,
  inSize: number,
  kSize: number,
  outSize: number,
  taps: KernelTaps,
): void {
  col.fill(0);
  for (let c = 0; c < cg; c++) {
    const xBase = xOff + c * inSize;
    for (let kk = 0; kk < kSize; kk++) {
      const row = (c * kSize + kk) * outSize;
      const t1 = taps.start[kk + 1];
      for (let t = taps.start[kk]; t < t1; t++)
        col[row + taps.outputOffsets[t]] = xs[xBase + taps.inputOffsets[t]];
    }
  }
}
