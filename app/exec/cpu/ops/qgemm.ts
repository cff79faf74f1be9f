// com.microsoft QGemm, the op onnxruntime fuses DQ(A), DQ(B), DQ(bias int32)? -> Gemm -> Q? into.
// Arithmetic as onnxruntime's CPU kernel (contrib_ops/cpu/quantization/quant_gemm.cc + MLAS):
//   acc[m, n]  = C_int32[broadcast m, n] + sum_k (A[m, k] - za) * (B[k, n] - zb[n])   (int32)
//   (A, B transposed first when transA / transB; the bias C starts the accumulator, "accumulate
//   mode", and MLAS adds the dot product to it, so C wraps in int32 with the sum)
//   scale[n]   = f32(f32(alpha * a_scale) * b_scale[n])   then, with y_scale, f32(scale[n] / y_scale)
//   with y_scale / y_zero_point: y = clamp(roundHalfEven(f32(f32(acc) * scale[n])) + zy, qmin, qmax)
//     (MLAS_QGEMM_REQUANT_OUTPUT_PROCESSOR, the same requantization as QLinearMatMul)
//   without them (float output): y = f32(f32(acc) * scale[n])   (MLAS_QGEMM_SCALE_BIAS_OUTPUT_PROCESSOR)
// beta is ignored (the fusion only fires for beta = 1 and removes the attribute).
// Accumulation: uint8 A x int8 B goes through QGEMM U8S8, which on x86 without VNNI sums products
// in int16-saturated pairs along K (settings 'x86-u8s8-pairwise', as QLinearMatMul: quant-int8.ts).
// Not reproduced: onnxruntime's K = 0 special case (it fills the output from the bias in odd
// ways); here K = 0 gives acc = bias like any other K.
import { denseInt8 } from '../../../../kernels/dense-int8/dense-int8.ref.js';
import {
  type AccumulatorMode,
  INT32_ACCUMULATOR,
  type Int8Data,
} from '../../../../kernels/quant-math/accumulator.js';
import { qRange } from '../../../../kernels/quant-math/quant-math.js';
import { requantizeOrt } from '../../../../kernels/requantize/requantize.ref.js';
import { makeTensor, type Tensor, toFloat32, toNumbers } from '../../../../kernels/tensor.js';
import { attrFloat, attrInt } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { OpContext, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';
import { int8Input, scalarOf } from './quant-inputs.js';
import { usesPairwiseU8S8 } from './quant-int8.js';

const PAIRWISE: AccumulatorMode = { kind: 'pairwise-int16-saturate' };

function transpose2d(t: Tensor): Int8Data {
  const [rows, cols] = t.dims;
  const src = t.data as Int8Data;
  const out = new (src.constructor as Int8ArrayConstructor | Uint8ArrayConstructor)(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

/** Per-tensor or per-column (N values) B scale / zero point, as QGemm's CheckInputs allows. */
function perColumn(t: Tensor, n: number, what: string): number[] {
  const ok = t.dims.length === 0 || (t.dims.length === 1 && (t.dims[0] === 1 || t.dims[0] === n));
  if (!ok)
    throw new ModelError(
      `QGemm: ${what} must be a scalar or a 1-D tensor of 1 or N=${n} values, got [${t.dims}]`,
    );
  return toNumbers(t);
}

/** The int32 bias C broadcast to [M, N]: (), (1,), (1, 1), (N,), (1, N), (M, 1) or (M, N). */
function biasAt(c: Tensor, m: number, n: number): (i: number, j: number) => number {
  const d = c.data as Int32Array;
  if (c.dtype !== 'int32') throw new ModelError(`QGemm: C must be int32, got ${c.dtype}`);
  if (d.length === 1) return () => d[0];
  if (c.dims.length === 1 || c.dims[0] === 1) {
    if (d.length !== n) throw new ModelError(`QGemm: C [${c.dims}] does not broadcast to [${m}, ${n}]`);
    return (_i, j) => d[j];
  }
  if (c.dims[1] === 1 && c.dims[0] === m) return (i) => d[i];
  if (c.dims[0] === m && c.dims[1] === n) return (i, j) => d[i * n + j];
  throw new ModelError(`QGemm: C [${c.dims}] does not broadcast to [${m}, ${n}]`);
}

function qgemmOp(ctx: OpContext): Tensor[] {
  const a = required(ctx, 0);
  const b = required(ctx, 3);
  if (a.dims.length !== 2 || b.dims.length !== 2)
    throw new ModelError(`QGemm: A and B must be 2-D, got [${a.dims}] and [${b.dims}]`);
  if (a.dtype === 'int8' && b.dtype !== 'int8') throw new ModelError('QGemm: an int8 A needs an int8 B');
  const transA = attrInt(ctx.node, 'transA') !== 0;
  const transB = attrInt(ctx.node, 'transB') !== 0;
  const [m, k] = transA ? [a.dims[1], a.dims[0]] : [a.dims[0], a.dims[1]];
  const [kb, n] = transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
  if (k !== kb) throw new ModelError(`QGemm: inner dimensions differ: A [${a.dims}] x B [${b.dims}]`);
  const bScaleCount = perColumn(required(ctx, 4), n, 'b_scale').length;
  const bZp = perColumn(required(ctx, 5), n, 'b_zero_point');
  if (bScaleCount !== bZp.length) throw new ModelError('QGemm: b_scale and b_zero_point differ in size');

  const r = denseInt8({
    a: transA ? transpose2d(a) : int8Input(a, 'A'),
    aDims: [m, k],
    b: int8Input(b, 'B'),
    bDims: transB ? [n, k] : [k, n],
    transB,
    aZeroPoint: scalarOf(required(ctx, 2), 'a_zero_point'),
    bZeroPoint: bZp,
    accumulator: usesPairwiseU8S8(ctx, a, b) ? PAIRWISE : INT32_ACCUMULATOR,
  });
  const acc = r.acc;
  const c = optional(ctx, 6);
  if (c) {
    const at = biasAt(c, m, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) acc[i * n + j] = (acc[i * n + j] + at(i, j)) | 0;
  }

  const alpha = Math.fround(attrFloat(ctx.node, 'alpha'));
  const aScale = Math.fround(scalarOf(required(ctx, 1), 'a_scale'));
  const yScaleT = optional(ctx, 7);
  const yScale = yScaleT ? Math.fround(scalarOf(yScaleT, 'y_scale')) : undefined;
  const scales = Float32Array.from(toFloat32(required(ctx, 4)), (sb) => {
    const s = Math.fround(Math.fround(alpha * aScale) * sb);
    return yScale === undefined ? s : Math.fround(s / yScale);
  });
  const scaleOf = (j: number) => scales[scales.length === 1 ? 0 : j];

  if (yScale === undefined) {
    const y = new Float32Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) y[i * n + j] = Math.fround(acc[i * n + j]) * scaleOf(j);
    return [makeTensor('float32', [m, n], y)];
  }
  const yZpT = required(ctx, 8);
  if (yZpT.dtype !== 'int8' && yZpT.dtype !== 'uint8')
    throw new ModelError(`QGemm: y_zero_point must be int8 or uint8, got ${yZpT.dtype}`);
  const zy = scalarOf(yZpT, 'y_zero_point');
  const { qmin, qmax } = qRange(yZpT.dtype);
  const y = new Int32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) y[i * n + j] = requantizeOrt(acc[i * n + j], scaleOf(j), zy, qmin, qmax);
  return [makeTensor(yZpT.dtype, [m, n], y)];
}

export const qgemmOps: OpTable = {
  [opKey('com.microsoft', 'QGemm')]: qgemmOp,
};
