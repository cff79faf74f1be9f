// Quantization ops whose scales / zero points are known only at run time (graph inputs, or outputs
// of GPU nodes such as DynamicQuantizeLinear in onnxruntime's quantize_dynamic graphs:
// DynamicQuantizeLinear -> MatMulInteger / ConvInteger -> Cast -> Mul). The parameters stay in GPU
// buffers and the kernels read them each run (kernels/quantize-runtime/). Where the parameters are
// plan-time constants, the earlier families (lower-quant.ts, lower-int8-gemm.ts), which
// gpu-plan.ts tries first, take the node.
import { parseAutoPad, resolveConvGeometry } from '../../../kernels/conv2d/conv-geometry.js';
import { prepareConv2dInt8, recordConv2dInt8 } from '../../../kernels/conv2d-int8/conv2d-int8.js';
import { resolveDenseGeometry } from '../../../kernels/dense-int8/dense-geometry.js';
import { prepareDenseInt8, recordDenseInt8 } from '../../../kernels/dense-int8/dense-int8.js';
import type { Int8Data } from '../../../kernels/quant-math/accumulator.js';
import { qRange } from '../../../kernels/quant-math/quant-math.js';
import {
  fitsOneBinding,
  recordDynamicQuantizeParams,
  recordIntConvRuntime,
  recordIntMatMulRuntime,
  recordQuantizeWithBuffers,
  recordRequantizeRuntime,
  recordWiden8,
  recordZeroPointCorrection,
} from '../../../kernels/quantize-runtime/quantize-runtime.js';
import { makeTensor, sizeOf, toNumbers } from '../../../kernels/tensor.js';
import { attrInt, attrInts, attrString } from '../../model/attributes.js';
import { nodeAccumulator } from '../accumulator-stats.js';
import { firstOf, type GpuWork, inputName, type LowerContext, type Lowering } from './lowering.js';

const is8bit = (dtype: string | undefined): dtype is 'int8' | 'uint8' =>
  dtype === 'int8' || dtype === 'uint8';

/** DynamicQuantizeLinear (float32 -> uint8): parameter pass, then quantize.wgsl on its outputs. */
const dynamicQuantize: Lowering = async (lc) => {
  const xs = lc.shape(inputName(lc, 0));
  if (xs.dtype !== 'float32' || lc.node.outputs.length !== 3) return undefined;
  const count = sizeOf(xs.dims);
  if (!fitsOneBinding(lc.gpu, count)) return undefined;
  const x = lc.input(0);
  const y = lc.output(0);
  const scale = lc.output(1);
  const zp = lc.output(2);
  const zq = lc.upload(`${lc.node.name}.zero-point-i32`, makeTensor('int32', [1]));
  return {
    record: async (encoder) => {
      await recordDynamicQuantizeParams(lc.gpu, encoder, x, count, scale, zp, zq);
      if (count === 0) return;
      const layout = { count, inner: 1, channels: 1, qmin: 0, qmax: 255 };
      await recordQuantizeWithBuffers(lc.gpu, encoder, 'quantize', x, y, scale, zq, layout);
    },
    destroy: () => zq.destroy(),
  };
};

/** The axis layout of per-axis parameters: elements per step and channel count. */
function axisLayout(dims: readonly number[], axis: number, channels: number): number | undefined {
  if (channels === 1) return 1;
  const rank = dims.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank || dims[a] !== channels) return undefined;
  return sizeOf(dims.slice(a + 1));
}

/** QuantizeLinear / DequantizeLinear with a run-time scale or zero point (per tensor or axis). */
function quantizeRuntime(mode: 'quantize' | 'dequantize'): Lowering {
  return async (lc) => {
    const x = lc.shape(inputName(lc, 0));
    const yShape = lc.shape(lc.node.outputs[0]);
    const q = mode === 'quantize' ? yShape : x;
    const f = mode === 'quantize' ? x : yShape;
    if (!is8bit(q.dtype) || f.dtype !== 'float32' || attrInt(lc.node, 'block_size') !== 0) return undefined;
    const scaleShape = lc.shape(inputName(lc, 1));
    if (scaleShape.dtype !== 'float32' || scaleShape.dims.length > 1) return undefined;
    // Opset 23's precision: only float32 division (the CPU reference refuses the others).
    if (mode === 'quantize' && lc.opset >= 23 && ![0, 1].includes(attrInt(lc.node, 'precision')))
      return undefined;
    const channels = sizeOf(scaleShape.dims);
    const zpName = inputName(lc, 2);
    if (zpName) {
      const zs = lc.shape(zpName);
      if (zs.dtype !== q.dtype || sizeOf(zs.dims) !== channels) return undefined;
    }
    const inner = axisLayout(x.dims, attrInt(lc.node, 'axis'), channels);
    if (inner === undefined) return undefined;
    const count = sizeOf(x.dims);
    const src = lc.input(0);
    const scales = lc.input(1);
    const zpPacked = zpName ? lc.input(2) : undefined;
    const zps = lc.upload(`${lc.node.name}.zero-points`, makeTensor('int32', [channels]));
    const dst = lc.output(0);
    const layout = { count, inner, channels, ...qRange(q.dtype) };
    return {
      record: async (encoder) => {
        if (zpPacked) await recordWiden8(lc.gpu, encoder, zpPacked, zps, channels, q.dtype === 'int8');
        if (count === 0) return;
        await recordQuantizeWithBuffers(lc.gpu, encoder, mode, src, dst, scales, zps, layout);
      },
      destroy: () => zps.destroy(),
    };
  };
}

/** A zero point input's element count: 0 when omitted, undefined when it has another type. */
function zeroPointCount(lc: LowerContext, i: number, dtype: string): number | undefined {
  const name = inputName(lc, i);
  if (!name) return 0;
  const s = lc.shape(name);
  return s.dtype === dtype ? sizeOf(s.dims) : undefined;
}

/**
 * The output of an integer node: its int32 sums go to `y` directly (MatMulInteger / ConvInteger), or
 * (QLinear*: inputs 1 x scale, 4 w scale, 6 y scale, 7 y zero point) to a scratch buffer that
 * onnxruntime's requantization (the 'ort' scheme only: the fixed-point schemes take their
 * multiplier from f64 host math) turns into the 8-bit output, reading the scales from GPU buffers.
 * Returns undefined (before any output is allocated) when the node is not supported.
 */
function integerOutput(
  lc: LowerContext,
  qlinear: boolean,
  channels: number,
  inner: number,
): ((sums: (acc: GPUBuffer) => GpuWork) => GpuWork) | undefined {
  const ys = lc.shape(lc.node.outputs[0]);
  const count = sizeOf(ys.dims);
  if (!qlinear) {
    if (ys.dtype !== 'int32') return undefined;
    return (sums) => sums(lc.output(0));
  }
  const scheme = lc.settings.requantize?.kind ?? 'ort';
  if (scheme !== 'ort' || !is8bit(ys.dtype)) return undefined;
  const f32Count = (i: number) => {
    const name = inputName(lc, i);
    const sh = name ? lc.shape(name) : undefined;
    return sh?.dtype === 'float32' ? sizeOf(sh.dims) : undefined;
  };
  const swCount = f32Count(4);
  if (f32Count(1) !== 1 || f32Count(6) !== 1 || (swCount !== 1 && swCount !== channels)) return undefined;
  if (zeroPointCount(lc, 7, ys.dtype) !== 1) return undefined;
  return (sums) => {
    const acc = lc.upload(`${lc.node.name}.acc`, makeTensor('int32', [count]));
    const [sx, sw, sy, zy] = [lc.input(1), lc.input(4), lc.input(6), lc.input(7)];
    const y = lc.output(0);
    const inner1 = swCount === 1 ? 1 : inner;
    const spec = { count, inner: inner1, channels: swCount, ...qRange(ys.dtype as 'int8' | 'uint8') };
    const work = sums(acc);
    return {
      record: async (encoder) => {
        await work.record?.(encoder);
        if (count > 0) await recordRequantizeRuntime(lc.gpu, encoder, spec, { acc, y, sx, sw, sy, zy });
      },
      destroy: () => {
        work.destroy?.();
        acc.destroy();
      },
    };
  };
}

/**
 * MatMulInteger with a constant 2-D B (and constant or absent zb) whose A zero point is a run-time
 * value (quantize_dynamic's DynamicQuantizeLinear output), int32 accumulation: the prepared int8
 * dense kernel (tiled / packed, lower-int8-gemm.ts's) runs with za = 0, then
 * zero-point-correction.wgsl subtracts za * colsum(B - zb), exact in wrapping int32.
 */
async function matMulIntegerConstantB(lc: LowerContext): Promise<GpuWork | undefined> {
  const as = lc.shape(inputName(lc, 0));
  const bs = lc.shape(inputName(lc, 1));
  const b = lc.constant(inputName(lc, 1));
  const zbName = inputName(lc, 3);
  const zb = zbName ? lc.constant(zbName) : undefined;
  if (!b || (zbName && !zb) || bs.dims.length !== 2 || !is8bit(as.dtype) || !is8bit(bs.dtype))
    return undefined;
  if (lc.settings.onAccumulatorStats || !inputName(lc, 2)) return undefined;
  const mode = nodeAccumulator(lc.settings, { kind: 'matmul', xType: as.dtype, wType: bs.dtype });
  if (mode.kind !== 'int32') return undefined;
  const [K, N] = bs.dims;
  const M = as.dims.length >= 2 ? as.dims[as.dims.length - 2] : 1;
  const zaCount = zeroPointCount(lc, 2, as.dtype);
  const zbValues = zb ? toNumbers(zb) : [0];
  if ((zaCount !== 1 && zaCount !== M) || (zbValues.length !== 1 && zbValues.length !== N)) return undefined;
  if (zaCount === M && M !== 1 && as.dims.length < 2) return undefined;
  const bv = toNumbers(b);
  const colsum = new Int32Array(N);
  for (let k = 0; k < K; k++)
    for (let n = 0; n < N; n++) colsum[n] += bv[k * N + n] - zbValues[zbValues.length === 1 ? 0 : n];
  let prepared: Awaited<ReturnType<typeof prepareDenseInt8>>;
  try {
    prepared = await prepareDenseInt8(lc.gpu, {
      aDims: as.dims,
      bDims: bs.dims,
      aType: as.dtype,
      bType: bs.dtype,
      bZeroPoint: zb ? zbValues : undefined,
      b: b.data as Int8Data,
      accumulator: mode,
      stats: false,
    });
  } catch {
    return undefined;
  }
  const colsumBuf = lc.upload(`${lc.node.name}.colsum`, makeTensor('int32', [N], colsum));
  const a = lc.input(0);
  const za = lc.input(2);
  const y = lc.output(0);
  const count = sizeOf(lc.shape(lc.node.outputs[0]).dims);
  const spec = { count, m: M, n: N, zaPerRow: zaCount === M && M !== 1, aSigned: as.dtype === 'int8' };
  return {
    record: async (encoder) => {
      if (count === 0) return;
      recordDenseInt8(lc.gpu, encoder, prepared, { a, out: y });
      await recordZeroPointCorrection(lc.gpu, encoder, spec, { y, colsum: colsumBuf, za });
    },
    destroy: () => {
      prepared.destroy();
      colsumBuf.destroy();
    },
  };
}

/**
 * MatMulInteger / QLinearMatMul with run-time zero points (and scales): int32 or x86 pairwise
 * accumulation, no statistics.
 */
function intMatMulRuntime(qlinear: boolean): Lowering {
  return async (lc) => {
    const [bi, zai, zbi] = qlinear ? [3, 2, 5] : [1, 2, 3];
    const as = lc.shape(inputName(lc, 0));
    const bs = lc.shape(inputName(lc, bi));
    if (!is8bit(as.dtype) || !is8bit(bs.dtype) || lc.settings.onAccumulatorStats) return undefined;
    const mode = nodeAccumulator(lc.settings, { kind: 'matmul', xType: as.dtype, wType: bs.dtype });
    if (mode.kind !== 'int32' && mode.kind !== 'pairwise-int16-saturate') return undefined;
    let g: ReturnType<typeof resolveDenseGeometry>;
    try {
      g = resolveDenseGeometry(as.dims, bs.dims, false, lc.node.opType);
    } catch {
      return undefined; // the CPU reference reports the shape error
    }
    const zaCount = zeroPointCount(lc, zai, as.dtype);
    const zbCount = zeroPointCount(lc, zbi, bs.dtype);
    if (zaCount === undefined || zbCount === undefined) return undefined;
    if (![0, 1, g.M].includes(zaCount) || ![0, 1, g.N].includes(zbCount)) return undefined;
    if (qlinear && (zaCount !== 1 || zbCount === 0)) return undefined;
    const output = integerOutput(lc, qlinear, g.N, 1);
    if (!output) return undefined;
    const batchWords: number[] = [];
    for (let i = 0; i < g.batches; i++) batchWords.push(g.aBatchMap[i], g.bBatchMap[i]);
    const batchMap = lc.upload(
      `${lc.node.name}.batch-map`,
      makeTensor('int32', [batchWords.length], batchWords),
    );
    const a = lc.input(0);
    const b = lc.input(bi);
    const za = zaCount ? lc.input(zai) : a;
    const zb = zbCount ? lc.input(zbi) : b;
    const spec = {
      m: g.M,
      k: g.K,
      n: g.N,
      batches: g.batches,
      aSigned: as.dtype === 'int8',
      bSigned: bs.dtype === 'int8',
      zaCount,
      zbCount,
      pairwise: mode.kind === 'pairwise-int16-saturate',
    };
    return output((y) => ({
      record: async (encoder) => {
        if (g.M * g.N * g.batches === 0) return;
        await recordIntMatMulRuntime(lc.gpu, encoder, spec, { a, b, za, zb, batchMap, y });
      },
      destroy: () => batchMap.destroy(),
    }));
  };
}

/**
 * ConvInteger with constant weights (and constant or absent w zero point) whose x zero point is a
 * run-time value, int32 accumulation: the prepared int8 conv kernel runs with zx = 0 (padding then
 * reads 0, contributing nothing, as the reference's (zx - zx) does), then zero-point-correction.wgsl
 * subtracts zx * T[m, oh, ow], T the sum of (w - zw[m]) over the taps inside the input at that
 * position (made on the host at plan time): exact in wrapping int32.
 */
async function convIntegerConstantW(lc: LowerContext): Promise<GpuWork | undefined> {
  const xs = lc.shape(inputName(lc, 0));
  const ws = lc.shape(inputName(lc, 1));
  const ys = lc.shape(lc.node.outputs[0]);
  const w = lc.constant(inputName(lc, 1));
  const zwName = inputName(lc, 3);
  const zwT = zwName ? lc.constant(zwName) : undefined;
  const rank = xs.dims.length;
  if (!w || (zwName && !zwT) || !inputName(lc, 2) || !is8bit(xs.dtype) || !is8bit(ws.dtype)) return undefined;
  if ((rank !== 3 && rank !== 4) || ws.dims.length !== rank || lc.settings.onAccumulatorStats)
    return undefined;
  if (zeroPointCount(lc, 2, xs.dtype) !== 1 || ys.dtype !== 'int32') return undefined;
  const group = attrInt(lc.node, 'group');
  const [M, Cg] = ws.dims;
  const depthwise = Cg === 1 && M === group;
  const mode = nodeAccumulator(lc.settings, {
    kind: 'conv-integer',
    xType: xs.dtype,
    wType: ws.dtype,
    depthwise,
  });
  if (mode.kind !== 'int32' || group < 1 || M % group !== 0 || xs.dims[1] !== Cg * group) return undefined;
  const zw = zwT ? toNumbers(zwT) : [0];
  if (zw.length !== 1 && zw.length !== M) return undefined;
  const geo = convGeometry(lc, xs.dims, ws.dims);
  if (!geo) return undefined;
  const is1d = rank === 3;
  const lift = (d: readonly number[]) => (is1d ? [d[0], d[1], 1, d[2]] : [...d]);
  const [, , H, W] = lift(xs.dims);
  const [, , KH, KW] = lift(ws.dims);
  const [, , OH, OW] = lift(ys.dims);
  const strides = is1d ? [1, geo.strides[0]] : geo.strides;
  const dilations = is1d ? [1, geo.dilations[0]] : geo.dilations;
  const pads = is1d ? [0, geo.pads[0], 0, geo.pads[1]] : geo.pads;
  // S[m, kh, kw] = sum_c (w - zw[m]); T[m, oh, ow] = sum of S over the taps inside the input.
  const wv = toNumbers(w);
  const S = new Int32Array(M * KH * KW);
  for (let m = 0; m < M; m++)
    for (let c = 0; c < Cg; c++)
      for (let t = 0; t < KH * KW; t++)
        S[m * KH * KW + t] += wv[(m * Cg + c) * KH * KW + t] - zw[zw.length === 1 ? 0 : m];
  const T = new Int32Array(M * OH * OW);
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++)
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy * strides[0] + ky * dilations[0] - pads[0];
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < KW; kx++) {
          const ix = ox * strides[1] + kx * dilations[1] - pads[1];
          if (ix < 0 || ix >= W) continue;
          for (let m = 0; m < M; m++) T[(m * OH + oy) * OW + ox] += S[(m * KH + ky) * KW + kx];
        }
      }
  let prepared: Awaited<ReturnType<typeof prepareConv2dInt8>>;
  try {
    prepared = await prepareConv2dInt8(lc.gpu, {
      xType: xs.dtype,
      xDims: lift(xs.dims),
      w: w.data as Int8Data,
      wDims: lift(ws.dims),
      xZeroPoint: 0,
      wZeroPoint: zwT ? zw : undefined,
      group,
      strides,
      dilations,
      pads,
      accumulator: mode,
      algorithm: 'auto',
      kOrder: 'chw',
      stats: false,
    });
  } catch {
    return undefined;
  }
  const table = lc.upload(`${lc.node.name}.zx-taps`, makeTensor('int32', [T.length], T));
  const x = lc.input(0);
  const zx = lc.input(2);
  const y = lc.output(0);
  const count = sizeOf(ys.dims);
  const spec = { count, m: 1, n: T.length, zaPerRow: false, aSigned: xs.dtype === 'int8' };
  return {
    record: async (encoder) => {
      if (count === 0) return;
      recordConv2dInt8(lc.gpu, encoder, prepared, { a: x, out: y });
      await recordZeroPointCorrection(lc.gpu, encoder, spec, { y, colsum: table, za: zx });
    },
    destroy: () => {
      prepared.destroy();
      table.destroy();
    },
  };
}

/** A conv node's strides / dilations / pads (auto_pad resolved); undefined when invalid. */
function convGeometry(lc: LowerContext, xDims: readonly number[], wDims: readonly number[]) {
  const ints = (n: string) => {
    const v = attrInts(lc.node, n);
    return v?.length ? v : undefined;
  };
  try {
    return resolveConvGeometry({
      inputSpatial: xDims.slice(2),
      kernelSpatial: wDims.slice(2),
      strides: ints('strides'),
      dilations: ints('dilations'),
      pads: ints('pads'),
      autoPad: parseAutoPad(attrString(lc.node, 'auto_pad')),
    });
  } catch {
    return undefined; // the CPU reference reports it
  }
}

/**
 * ConvInteger / QLinearConv (1-D / 2-D) with run-time zero points (and scales, bias): int32
 * accumulation, no statistics.
 */
function intConvRuntime(qlinear: boolean): Lowering {
  return async (lc) => {
    const [wi, zxi, zwi] = qlinear ? [3, 2, 5] : [1, 2, 3];
    const xs = lc.shape(inputName(lc, 0));
    const ws = lc.shape(inputName(lc, wi));
    const ys = lc.shape(lc.node.outputs[0]);
    const rank = xs.dims.length;
    if (!is8bit(xs.dtype) || !is8bit(ws.dtype) || (rank !== 3 && rank !== 4) || ws.dims.length !== rank)
      return undefined;
    if (lc.settings.onAccumulatorStats) return undefined;
    const group = attrInt(lc.node, 'group');
    const [M, Cg] = ws.dims;
    const depthwise = Cg === 1 && M === group;
    const kind = qlinear ? 'qlinear-conv' : 'conv-integer';
    const mode = nodeAccumulator(lc.settings, { kind, xType: xs.dtype, wType: ws.dtype, depthwise });
    if (mode.kind !== 'int32') return undefined;
    if (group < 1 || M % group !== 0 || xs.dims[1] !== Cg * group) return undefined;
    const zxCount = zeroPointCount(lc, zxi, xs.dtype);
    const zwCount = zeroPointCount(lc, zwi, ws.dtype);
    if (zxCount === undefined || zwCount === undefined || zxCount > 1 || ![0, 1, M].includes(zwCount))
      return undefined;
    if (qlinear && (zxCount !== 1 || zwCount === 0)) return undefined;
    const biasName = qlinear ? inputName(lc, 8) : '';
    if (biasName) {
      const bsh = lc.shape(biasName);
      if (bsh.dtype !== 'int32' || sizeOf(bsh.dims) !== M) return undefined;
    }
    const geo = convGeometry(lc, xs.dims, ws.dims);
    if (!geo) return undefined;
    const is1d = rank === 3;
    const lift = (d: readonly number[]) => (is1d ? [d[0], d[1], 1, d[2]] : [...d]);
    const yDims = lift(ys.dims);
    const output = integerOutput(lc, qlinear, M, yDims[2] * yDims[3]);
    if (!output) return undefined;
    const spec = {
      xDims: lift(xs.dims),
      wDims: lift(ws.dims),
      yDims,
      strides: is1d ? [1, geo.strides[0]] : geo.strides,
      dilations: is1d ? [1, geo.dilations[0]] : geo.dilations,
      pads: is1d ? [0, geo.pads[0], 0, geo.pads[1]] : geo.pads,
      group,
      xSigned: xs.dtype === 'int8',
      wSigned: ws.dtype === 'int8',
      zxCount,
      zwCount,
    };
    const x = lc.input(0);
    const w = lc.input(wi);
    const zx = zxCount ? lc.input(zxi) : x;
    const zw = zwCount ? lc.input(zwi) : w;
    const bias = biasName ? lc.input(8) : undefined;
    return output((y) => ({
      record: async (encoder) => {
        if (sizeOf(ys.dims) === 0) return;
        await recordIntConvRuntime(lc.gpu, encoder, spec, { x, w, zx, zw, y, bias });
      },
    }));
  };
}

export const quantRuntimeLowerings: Readonly<Record<string, Lowering>> = {
  DynamicQuantizeLinear: dynamicQuantize,
  QuantizeLinear: quantizeRuntime('quantize'),
  DequantizeLinear: quantizeRuntime('dequantize'),
  MatMulInteger: firstOf(matMulIntegerConstantB, intMatMulRuntime(false)),
  ConvInteger: firstOf(convIntegerConstantW, intConvRuntime(false)),
  QLinearMatMul: intMatMulRuntime(true),
  QLinearConv: intConvRuntime(true),
};
