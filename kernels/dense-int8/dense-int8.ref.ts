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
import { broadcastIndexMap, broadcastShapes } from '../broadcast/broadcast.js';
import {
  type AccumulatorMode,
  accumulateDot,
  type DotResult,
  type Int8Data,
  INT32_ACCUMULATOR,
  type IntAccumulation,
  newStats,
  recordStat,
  validateAccumulatorMode,
} from '../quant-math/accumulator.js';

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
  if (zp === undefined) return () => 0;
  if (typeof zp === 'number') return () => zp;
  if (zp.length === 1) return () => zp[0];
  if (zp.length === perRow) return (_b, i) => zp[i];
  if (zp.length === perRow * batches) return (b, i) => zp[b * perRow + i];
  throw new Error(`${what} has ${zp.length} values, expected 1, ${perRow} or ${perRow * batches}`);
}

export function denseInt8(p: DenseInt8Params): IntAccumulation {
  const mode = p.accumulator ?? INT32_ACCUMULATOR;
  validateAccumulatorMode(mode);
  if (p.aDims.length === 0 || p.bDims.length === 0) throw new Error('denseInt8: inputs must have rank >= 1');
  const aIs1d = p.aDims.length === 1;
  const bIs1d = p.bDims.length === 1;
  const aDims = aIs1d ? [1, p.aDims[0]] : [...p.aDims];
  const bDims = bIs1d ? (p.transB ? [1, p.bDims[0]] : [p.bDims[0], 1]) : [...p.bDims];
  const M = aDims[aDims.length - 2];
  const K = aDims[aDims.length - 1];
  const bK = p.transB ? bDims[bDims.length - 1] : bDims[bDims.length - 2];
  const N = p.transB ? bDims[bDims.length - 2] : bDims[bDims.length - 1];
  if (bK !== K) throw new Error(`denseInt8: A has K=${K}, B has K=${bK}`);
  const aBatchDims = aDims.slice(0, -2);
  const bBatchDims = bDims.slice(0, -2);
  const batchDims = broadcastShapes(aBatchDims, bBatchDims);
  const aBatchMap = broadcastIndexMap(aBatchDims, batchDims);
  const bBatchMap = broadcastIndexMap(bBatchDims, batchDims);
  const batches = aBatchMap.length;
  const aBatches = aBatchDims.reduce((x, y) => x * y, 1);
  const bBatches = bBatchDims.reduce((x, y) => x * y, 1);
  if (p.a.length !== aBatches * M * K || p.b.length !== bBatches * K * N)
    throw new Error('denseInt8: data length does not match dims');
  const za = zeroPointLookup(p.aZeroPoint, M, aBatches, 'A zero point');
  const zb = zeroPointLookup(p.bZeroPoint, N, bBatches, 'B zero point');
  if (p.bias && p.bias.length !== N) throw new Error(`bias has ${p.bias.length} values, expected ${N}`);
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
  const dims = [...batchDims];
  if (!aIs1d) dims.push(M);
  if (!bIs1d) dims.push(N);
  return { acc, dims, ...stats };
}
