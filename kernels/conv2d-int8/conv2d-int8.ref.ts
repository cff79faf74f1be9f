// Reference int8/uint8 2-D convolution producing int32 accumulators: the oracle for the WGSL
// int8 conv kernel and the integer part of QLinearConv / ConvInteger on the CPU.
//
//   acc[n, m, oh, ow] = sum_{c, kh, kw} (x[n, g*Cg + c, ih, iw] - zx) * (w[m, c, kh, kw] - zw[m]) + bias[m]
//   ih = oh*strideH - padTop + kh*dilationH,  iw = ow*strideW - padLeft + kw*dilationW
//
// Layouts: x NCHW, w [M, C/group, kH, kW], acc NCHW [N, M, OH, OW]. Output channel m belongs to
// group g = floor(m / (M/group)). Positions outside the input read the input zero point zx, so
// padding contributes (zx - zx) = 0 exactly, as ONNX specifies for ConvInteger/QLinearConv.
//
// K order (it matters for the saturate and pairwise accumulator modes, see
// kernels/quant-math/accumulator.ts): input channel c outer, then kh, then kw — the row-major order
// of one output channel's weights. Saturate mode adds the bias LAST, after the K loop.
// `kOrder: 'hwc'` instead walks kh outer, then kw, then c (the channels-last im2col order that
// onnxruntime's QLinearConv feeds to its GEMM): only the saturate and pairwise modes can tell.
//
// The output geometry (no auto_pad: callers resolve SAME_UPPER/SAME_LOWER into explicit pads) is
// the small local convOutputSize below: kernels/conv2d/conv-geometry.ts did not exist yet when this
// file was written.
import {
  type AccumulatorMode,
  accumulateDot,
  checkedAccumulator,
  type DotResult,
  type Int8Data,
  type IntAccumulation,
  newStats,
  recordStat,
} from '../quant-math/accumulator.js';

/** The shape, zero points, bias and attributes of one int8 conv (shared with the GPU host). */
export interface ConvInt8Shape {
  /** [N, C, H, W] */
  readonly xDims: readonly number[];
  /** [M, C/group, kH, kW] */
  readonly wDims: readonly number[];
  /** Input zero point (also the padding value). Default 0. */
  readonly xZeroPoint?: number;
  /** Weight zero point: one value (per tensor) or M values (per output channel). Default 0. */
  readonly wZeroPoint?: number | ArrayLike<number>;
  /** Optional int32 bias, M values. */
  readonly bias?: ArrayLike<number>;
  readonly group?: number;
  /** [strideH, strideW], default [1, 1]. */
  readonly strides?: readonly number[];
  /** [dilationH, dilationW], default [1, 1]. */
  readonly dilations?: readonly number[];
  /** [top, left, bottom, right] (ONNX order), default zeros. */
  readonly pads?: readonly number[];
}

export interface ConvInt8Params extends ConvInt8Shape {
  readonly x: Int8Data;
  readonly w: Int8Data;
  readonly accumulator?: AccumulatorMode;
  /** K order of the accumulation: 'chw' (default: c, kh, kw) or 'hwc' (kh, kw, c). */
  readonly kOrder?: ConvKOrder;
}

export type ConvKOrder = 'chw' | 'hwc';

/**
 * The weights of each output channel in a K order: as stored ('chw': c, kh, kw) or rearranged to
 * (kh, kw, c) ('hwc'), in an array of the same type (the GPU packs it as is).
 */
export function weightsInKOrder(
  w: Int8Data,
  M: number,
  Cg: number,
  KHW: number,
  order: ConvKOrder,
): Int8Data {
  if (order === 'chw') return w;
  const out = w instanceof Int8Array ? new Int8Array(w.length) : new Uint8Array(w.length);
  for (let m = 0; m < M; m++)
    for (let c = 0; c < Cg; c++)
      for (let s = 0; s < KHW; s++) out[(m * KHW + s) * Cg + c] = w[(m * Cg + c) * KHW + s];
  return out;
}

/** ONNX conv output size along one axis with explicit pads. */
export function convOutputSize(
  input: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
): number {
  const span = dilation * (kernel - 1) + 1;
  const out = Math.floor((input + padBegin + padEnd - span) / stride) + 1;
  if (out < 1)
    throw new Error(
      `conv output size ${out} < 1 (input ${input}, kernel span ${span}, pads ${padBegin}+${padEnd})`,
    );
  return out;
}

/** A per-tensor or per-channel zero point as a lookup of length `channels`. */
export function perChannel(
  zp: number | ArrayLike<number> | undefined,
  channels: number,
  what: string,
): Float64Array {
  const out = new Float64Array(channels);
  if (zp === undefined) return out;
  if (typeof zp === 'number') return out.fill(zp);
  if (zp.length === 1) return out.fill(zp[0]);
  if (zp.length !== channels) throw new Error(`${what} has ${zp.length} values, expected 1 or ${channels}`);
  for (let i = 0; i < channels; i++) out[i] = zp[i];
  return out;
}

/** The checked geometry and accumulator of one int8 conv (shared with the GPU host, conv2d-int8.ts). */
export interface ConvInt8Geometry {
  readonly N: number;
  readonly C: number;
  readonly H: number;
  readonly W: number;
  readonly M: number;
  readonly Cg: number;
  readonly KH: number;
  readonly KW: number;
  readonly group: number;
  /** Output channels per group. */
  readonly Mg: number;
  /** Products per accumulator: Cg * KH * KW. */
  readonly K: number;
  readonly OH: number;
  readonly OW: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly pt: number;
  readonly pl: number;
  readonly pb: number;
  readonly pr: number;
  readonly mode: AccumulatorMode;
}

/**
 * Checks an int8 conv's dims, group and accumulator and resolves its output size; `what` names the
 * caller in the messages. Data lengths are the caller's to check (the GPU host has no x yet).
 */
export function convInt8Geometry(
  p: ConvInt8Shape & { readonly accumulator?: AccumulatorMode },
  what: string,
): ConvInt8Geometry {
  if (p.xDims.length !== 4 || p.wDims.length !== 4)
    throw new Error(`${what} needs 4-D x (NCHW) and w (MCkk)`);
  const [N, C, H, W] = p.xDims;
  const [M, Cg, KH, KW] = p.wDims;
  const group = p.group ?? 1;
  const [sh, sw] = p.strides ?? [1, 1];
  const [dh, dw] = p.dilations ?? [1, 1];
  const [pt, pl, pb, pr] = p.pads ?? [0, 0, 0, 0];
  const mode = checkedAccumulator(p.accumulator);
  if (C % group !== 0 || M % group !== 0)
    throw new Error(`channels C=${C}, M=${M} not divisible by group ${group}`);
  if (Cg !== C / group) throw new Error(`weights have ${Cg} input channels, expected C/group = ${C / group}`);
  const OH = convOutputSize(H, KH, sh, dh, pt, pb);
  const OW = convOutputSize(W, KW, sw, dw, pl, pr);
  const Mg = M / group;
  const K = Cg * KH * KW;
  return { N, C, H, W, M, Cg, KH, KW, group, Mg, K, OH, OW, sh, sw, dh, dw, pt, pl, pb, pr, mode };
}

export function conv2dInt8(p: ConvInt8Params): IntAccumulation {
  const { N, C, H, W, M, Cg, KH, KW, group, Mg, K, OH, OW, sh, sw, dh, dw, pt, pl, mode } = convInt8Geometry(
    p,
    'conv2dInt8',
  );
  if (p.x.length !== N * C * H * W || p.w.length !== M * Cg * KH * KW)
    throw new Error('conv2dInt8: data length does not match dims');
  const zx = p.xZeroPoint ?? 0;
  const zw = perChannel(p.wZeroPoint, M, 'weight zero point');
  const bias = p.bias ? perChannel(p.bias, M, 'bias') : new Float64Array(M);
  const xIsInt8 = p.x instanceof Int8Array;
  const wIsInt8 = p.w instanceof Int8Array;
  const acc = new Int32Array(N * M * OH * OW);
  const stats = newStats(M);
  const col = new Float64Array(K); // the im2col row of one output position, in K order
  const hwc = p.kOrder === 'hwc';
  const wK = weightsInKOrder(p.w, M, Cg, KH * KW, hwc ? 'hwc' : 'chw');
  const r: DotResult = { value: 0, exact: 0, overflowed: false };
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          for (let c = 0; c < Cg; c++) {
            const plane = (n * C + g * Cg + c) * H;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - pt + kh * dh;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pl + kw * dw;
                const k = hwc ? (kh * KW + kw) * Cg + c : (c * KH + kh) * KW + kw;
                col[k] = ih >= 0 && ih < H && iw >= 0 && iw < W ? p.x[(plane + ih) * W + iw] : zx;
              }
            }
          }
          for (let mi = 0; mi < Mg; mi++) {
            const m = g * Mg + mi;
            accumulateDot(col, wK, m * K, K, zx, zw[m], bias[m], mode, xIsInt8, wIsInt8, r);
            acc[((n * M + m) * OH + oh) * OW + ow] = r.value;
            recordStat(stats, m, r);
          }
        }
      }
    }
  }
  return { acc, dims: [N, M, OH, OW], ...stats };
}
