// The geometry of a batched int8 MatMul/Gemm (numpy matmul rules, optional transposed B), shared
// by the pure-TS oracle and the GPU host so both read the operands the same way.
import { broadcastIndexMap, broadcastShapes } from '../broadcast/broadcast.js';

export interface DenseGeometry {
  readonly M: number;
  readonly K: number;
  readonly N: number;
  /** Broadcast batch dims of the output. */
  readonly batchDims: readonly number[];
  /** For each output batch, the batch index into A and into B. */
  readonly aBatchMap: Int32Array;
  readonly bBatchMap: Int32Array;
  readonly batches: number;
  /** How many batches A and B hold themselves (before broadcasting). */
  readonly aBatches: number;
  readonly bBatches: number;
  /** Output dims: [...batchDims, M, N] without the axes a 1-D operand dropped. */
  readonly outDims: readonly number[];
}

/** `what` names the caller in error messages. */
export function resolveDenseGeometry(
  aDimsIn: readonly number[],
  bDimsIn: readonly number[],
  transB: boolean,
  what: string,
): DenseGeometry {
  if (aDimsIn.length === 0 || bDimsIn.length === 0) throw new Error(`${what}: inputs must have rank >= 1`);
  const aIs1d = aDimsIn.length === 1;
  const bIs1d = bDimsIn.length === 1;
  const aDims = aIs1d ? [1, aDimsIn[0]] : [...aDimsIn];
  const bDims = bIs1d ? (transB ? [1, bDimsIn[0]] : [bDimsIn[0], 1]) : [...bDimsIn];
  const M = aDims[aDims.length - 2];
  const K = aDims[aDims.length - 1];
  const bK = transB ? bDims[bDims.length - 1] : bDims[bDims.length - 2];
  const N = transB ? bDims[bDims.length - 2] : bDims[bDims.length - 1];
  if (bK !== K) throw new Error(`${what}: A has K=${K}, B has K=${bK}`);
  const aBatchDims = aDims.slice(0, -2);
  const bBatchDims = bDims.slice(0, -2);
  const batchDims = broadcastShapes(aBatchDims, bBatchDims);
  const aBatchMap = broadcastIndexMap(aBatchDims, batchDims);
  const bBatchMap = broadcastIndexMap(bBatchDims, batchDims);
  const outDims = [...batchDims];
  if (!aIs1d) outDims.push(M);
  if (!bIs1d) outDims.push(N);
  return {
    M,
    K,
    N,
    batchDims,
    aBatchMap,
    bBatchMap,
    batches: aBatchMap.length,
    aBatches: aBatchDims.reduce((x, y) => x * y, 1),
    bBatches: bBatchDims.reduce((x, y) => x * y, 1),
    outDims,
  };
}

/**
 * A zero point's layout (shared by dense-int8.ref.ts and the GPU host dense-int8.ts): one value,
 * one per row (`perRow`: M for A, N for B) or one per batch row (`batches * perRow`). The value of
 * (batch b, row i) is values[b * groupStride + i * rowStride]; `shift` is added to every value.
 */
export function denseZeroPoints(
  zp: number | ArrayLike<number> | undefined,
  perRow: number,
  batches: number,
  what: string,
  shift = 0,
): { values: number[]; groupStride: number; rowStride: number } {
  const list = zp === undefined ? [0] : typeof zp === 'number' ? [zp] : Array.from(zp);
  const values = list.map((v) => v + shift);
  if (list.length === 1) return { values, groupStride: 0, rowStride: 0 };
  if (list.length === perRow) return { values, groupStride: 0, rowStride: 1 };
  if (list.length === perRow * batches) return { values, groupStride: perRow, rowStride: 1 };
  throw new Error(`${what} has ${list.length} values, expected 1, ${perRow} or ${perRow * batches}`);
}

/** Checks an int32 bias of one value per output column. */
export function checkDenseBias(bias: ArrayLike<number> | undefined, N: number): void {
  if (bias && bias.length !== N) throw new Error(`bias has ${bias.length} values, expected ${N}`);
}
