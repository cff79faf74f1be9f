// Reference int8/uint8 matrix multiply producing int32 accumulators: the oracle for the WGSL int8
// dense/GEMM kernel and the integer part of QLinearMatMul / MatMulInteger / QDQ Gemm on the CPU.
//
//   acc[b, i, j] = sum_k (A[b, i, k] - za[i]) * (B[b, k, j] - zb[j]) + bias[j]
//
// Shapes follow numpy matmul (ONNX MatMul): A [..., M, K], B [..., K, N] with broadcast batch
// dims; a 1-D A is promoted to [1, K] and a 1-D B to [K, 1], and the promoted axis is dropped
// from the output. `transB` reads B as [..., N, K] (Gemm with transB=1, or weights stored per
// output column). Zero points: A per tensor, per row (M values) or per batch row (batchA*M values,
// the ONNX [D1, D2, M, 1] form); B per tensor, per column (N values) or per batch column
// (batchB*N values, the ONNX [D1, D2, 1, N] form). Bias, if any, has N values.
//
// K order for the saturate and pairwise accumulator modes (kernels/quant-math/accumulator.ts):
// k ascending; pairs are (k, k+1) for even k; saturate mode adds the bias LAST.
// Overflow statistics are per output column j (the "output channel" of a dense layer).

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
import { checkDenseBias, denseZeroPoints, resolveDenseGeometry } from './dense-geometry.js';

export interface DenseInt8Params {
  readonly a: Int8Data;
  readonly aDims: readonly number[];
  readonly b: Int8Data;
  readonly bDims: readonly number[];
  readonly aZeroPoint?: number | ArrayLike<number>;
  readonly bZeroPoint?: number | ArrayLike<number>;
  readonly bias?: ArrayLike<number>;
  readonly transB?: boolean;
  readonly accumulator?: AccumulatorMode;
}

function zeroPointLookup(
  zp: number | ArrayLike<number> | undefined,
  perRow: number,
  batches: number,
  what: string,
): (batch: number, i: number) => number {
  const { values, groupStride, rowStride } = denseZeroPoints(zp, perRow, batches, what);
  return (b, i) => values[b * groupStride + i * rowStride];
}

export function denseInt8(p: DenseInt8Params): IntAccumulation {
  const mode = checkedAccumulator(p.accumulator);
  const { M, K, N, aBatchMap, bBatchMap, batches, aBatches, bBatches, outDims } = resolveDenseGeometry(
    p.aDims,
    p.bDims,
    p.transB ?? false,
    'denseInt8',
  );
  if (p.a.length !== aBatches * M * K || p.b.length !== bBatches * K * N)
    throw new Error('denseInt8: data length does not match dims');
  const za = zeroPointLookup(p.aZeroPoint, M, aBatches, 'A zero point');
  const zb = zeroPointLookup(p.bZeroPoint, N, bBatches, 'B zero point');
  checkDenseBias(p.bias, N);
  const xIsInt8 = p.a instanceof Int8Array;
  const wIsInt8 = p.b instanceof Int8Array;
  const acc = new Int32Array(batches * M * N);
  const stats = newStats(N);
  const column = new Float64Array(K);
  const r: DotResult = { value: 0, exact: 0, overflowed: false };
  for (let bo = 0; bo < batches; bo++) {
    const ab = aBatchMap[bo];
    const bb = bBatchMap[bo];
    for (let j = 0; j < N; j++) {
      const bOff = bb * K * N;
      for (let k = 0; k < K; k++) column[k] = p.transB ? p.b[bOff + j * K + k] : p.b[bOff + k * N + j];
      const zbj = zb(bb, j);
      const biasJ = p.bias ? p.bias[j] : 0;
      for (let i = 0; i < M; i++) {
        const row = p.a.subarray((ab * M + i) * K, (ab * M + i + 1) * K);
        accumulateDot(row, column, 0, K, za(ab, i), zbj, biasJ, mode, xIsInt8, wIsInt8, r);
        acc[(bo * M + i) * N + j] = r.value;
        recordStat(stats, j, r);
      }
    }
  }
  const dims = outDims;
  return { acc, dims, ...stats };
}
