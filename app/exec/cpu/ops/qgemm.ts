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
// A simulated accumulator (settings.accumulator) includes the bias C as the reference does: C is
// the accumulator's last term (saturate N clamps after adding it). A per-column (or scalar) C goes
// into one dense call; a per-row or full [M, N] C is run row by row, each row with its own C row.
// settings.requantize picks the requantize rule (requantizeTensor with sx = f32(alpha * a_scale),
// which for 'ort' is exactly the f32 expression above); statistics go to onAccumulatorStats.
// Not reproduced: onnxruntime's K = 0 special case (it fills the output from the bias in odd
// ways); here K = 0 gives acc = bias like any other K.
import { denseInt8 } from '../../../../kernels/dense-int8/dense-int8.ref.js';
import type {
  AccumulatorMode,
  Int8Data,
  IntAccumulation,
} from '../../../../kernels/quant-math/accumulator.js';
import { qRange } from '../../../../kernels/quant-math/quant-math.js';
import { requantizeTensor } from '../../../../kernels/requantize/requantize.ref.js';
import { makeTensor, type Tensor, toFloat32, toNumbers } from '../../../../kernels/tensor.js';
import { attrFloat, attrInt } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { OpContext, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';
import { int8Input, scalarOf } from './quant-inputs.js';
import { matmulAccumulator, reportAccumulatorStats } from './quant-int8.js';

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

/** The int32 bias C: per column (N values, scalars broadcast) or per element [M, N]. */
function biasOf(
  c: Tensor,
  m: number,
  n: number,
): { perColumn: Int32Array } | { perRow: (i: number) => Int32Array } {
  const d = c.data as Int32Array;
  if (c.dtype !== 'int32') throw new ModelError(`QGemm: C must be int32, got ${c.dtype}`);
  if (d.length === 1) return { perColumn: new Int32Array(n).fill(d[0]) };
  if (c.dims.length === 1 || c.dims[0] === 1) {
    if (d.length !== n) throw new ModelError(`QGemm: C [${c.dims}] does not broadcast to [${m}, ${n}]`);
    return { perColumn: d };
  }
  if (c.dims[1] === 1 && c.dims[0] === m) return { perRow: (i) => new Int32Array(n).fill(d[i]) };
  if (c.dims[0] === m && c.dims[1] === n) return { perRow: (i) => d.subarray(i * n, (i + 1) * n) };
  throw new ModelError(`QGemm: C [${c.dims}] does not broadcast to [${m}, ${n}]`);
}

interface DenseArgs {
  a: Int8Data;
  b: Int8Data;
  m: number;
  k: number;
  n: number;
  transB: boolean;
  za: number;
  zb: number[];
  mode: AccumulatorMode;
}

/** acc = A B (+ C) with the node's accumulator; C per row runs the rows one by one. */
function accumulate(p: DenseArgs, c: Tensor | undefined): IntAccumulation {
  const run = (a: Int8Data, rows: number, bias: ArrayLike<number> | undefined) =>
    denseInt8({
      a,
      aDims: [rows, p.k],
      b: p.b,
      bDims: p.transB ? [p.n, p.k] : [p.k, p.n],
      transB: p.transB,
      aZeroPoint: p.za,
      bZeroPoint: p.zb,
      bias,
      accumulator: p.mode,
    });
  const bias = c ? biasOf(c, p.m, p.n) : undefined;
  if (!bias || 'perColumn' in bias) return run(p.a, p.m, bias?.perColumn);
  const acc = new Int32Array(p.m * p.n);
  const overflowCount = new Int32Array(p.n);
  const maxAbs = new Float64Array(p.n);
  for (let i = 0; i < p.m; i++) {
    const r = run(p.a.subarray(i * p.k, (i + 1) * p.k), 1, bias.perRow(i));
    acc.set(r.acc, i * p.n);
    for (let j = 0; j < p.n; j++) {
      overflowCount[j] += r.overflowCount[j];
      maxAbs[j] = Math.max(maxAbs[j], r.maxAbs[j]);
    }
  }
  return { acc, dims: [p.m, p.n], overflowCount, maxAbs };
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

  const mode = matmulAccumulator(ctx, a, b);
  const r = accumulate(
    {
      a: transA ? transpose2d(a) : int8Input(a, 'A'),
      b: int8Input(b, 'B'),
      m,
      k,
      n,
      transB,
      za: scalarOf(required(ctx, 2), 'a_zero_point'),
      zb: bZp,
      mode,
    },
    optional(ctx, 6),
  );
  reportAccumulatorStats(ctx, mode, r);
  const acc = r.acc;

  const alpha = Math.fround(attrFloat(ctx.node, 'alpha'));
  const aScale = Math.fround(scalarOf(required(ctx, 1), 'a_scale'));
  const yScaleT = optional(ctx, 7);
  const yScale = yScaleT ? Math.fround(scalarOf(yScaleT, 'y_scale')) : undefined;
  if (yScale === undefined) {
    const scales = Float32Array.from(toFloat32(required(ctx, 4)), (sb) =>
      Math.fround(Math.fround(alpha * aScale) * sb),
    );
    const scaleOf = (j: number) => scales[scales.length === 1 ? 0 : j];
    const y = new Float32Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) y[i * n + j] = Math.fround(acc[i * n + j]) * scaleOf(j);
    return [makeTensor('float32', [m, n], y)];
  }
  const yZpT = required(ctx, 8);
  if (yZpT.dtype !== 'int8' && yZpT.dtype !== 'uint8')
    throw new ModelError(`QGemm: y_zero_point must be int8 or uint8, got ${yZpT.dtype}`);
  const y = requantizeTensor({
    scheme: ctx.settings?.requantize,
    acc,
    dims: [m, n],
    channelAxis: 1,
    inputScale: Math.fround(alpha * aScale),
    weightScale: toFloat32(required(ctx, 4)),
    outputScale: yScale,
    outputZeroPoint: scalarOf(yZpT, 'y_zero_point'),
    ...qRange(yZpT.dtype),
  });
  return [makeTensor(yZpT.dtype, [m, n], y)];
}

export const qgemmOps: OpTable = {
  [opKey('com.microsoft', 'QGemm')]: qgemmOp,
};
