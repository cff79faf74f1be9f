// GPU int8/uint8 batched MatMul / Gemm (dense-int8.wgsl on the shared GEMM core), bit-exact with
// kernels/dense-int8/dense-int8.ref.ts: same shapes (numpy broadcast, 1-D promotion, transB), zero
// points (per tensor / per row or column / per batch row or column), bias, accumulator modes and
// statistics, plus an optional requantize epilogue.

import { broadcastIndexMap, broadcastShapes } from '../broadcast/broadcast.js';
import type { GpuContext } from '../gpu/device.js';
import {
  ACC_MODE_CODE,
  accumulatorBits,
  gemmPipeline,
  gemmUniformWords,
  type Int8KernelOptions,
  type Int8KernelResult,
  MetaBuilder,
  requantCode,
  requantizeData,
  runGemmLaunch,
} from '../gpu/int8-gemm.js';
import { packInt8 } from '../gpu/int8-packing.js';
import { INT32_ACCUMULATOR, type Int8Data, validateAccumulatorMode } from '../quant-math/accumulator.js';

export interface DenseInt8GpuParams extends Int8KernelOptions {
  readonly a: Int8Data;
  readonly aDims: readonly number[];
  readonly b: Int8Data;
  readonly bDims: readonly number[];
  readonly aZeroPoint?: number | ArrayLike<number>;
  readonly bZeroPoint?: number | ArrayLike<number>;
  readonly bias?: ArrayLike<number>;
  readonly transB?: boolean;
}

function zeroPoints(
  zp: number | ArrayLike<number> | undefined,
  perRow: number,
  batches: number,
  shift: number,
  what: string,
): { values: number[]; groupStride: number; rowStride: number } {
  const list = zp === undefined ? [0] : typeof zp === 'number' ? [zp] : Array.from(zp);
  const values = list.map((v) => v + shift);
  if (list.length === 1) return { values, groupStride: 0, rowStride: 0 };
  if (list.length === perRow) return { values, groupStride: 0, rowStride: 1 };
  if (list.length === perRow * batches) return { values, groupStride: perRow, rowStride: 1 };
  throw new Error(`${what} has ${list.length} values, expected 1, ${perRow} or ${perRow * batches}`);
}

/** Runs the int8 dense kernel. Output dims as dense-int8.ref.ts (1-D operands drop their axis). */
export async function denseInt8Gpu(ctx: GpuContext, p: DenseInt8GpuParams): Promise<Int8KernelResult> {
  const mode = p.accumulator ?? INT32_ACCUMULATOR;
  validateAccumulatorMode(mode);
  if (p.aDims.length === 0 || p.bDims.length === 0)
    throw new Error('denseInt8Gpu: inputs must have rank >= 1');
  const aIs1d = p.aDims.length === 1;
  const bIs1d = p.bDims.length === 1;
  const aDims = aIs1d ? [1, p.aDims[0]] : [...p.aDims];
  const bDims = bIs1d ? (p.transB ? [1, p.bDims[0]] : [p.bDims[0], 1]) : [...p.bDims];
  const M = aDims[aDims.length - 2];
  const K = aDims[aDims.length - 1];
  const bK = p.transB ? bDims[bDims.length - 1] : bDims[bDims.length - 2];
  const N = p.transB ? bDims[bDims.length - 2] : bDims[bDims.length - 1];
  if (bK !== K) throw new Error(`denseInt8Gpu: A has K=${K}, B has K=${bK}`);
  const aBatchDims = aDims.slice(0, -2);
  const bBatchDims = bDims.slice(0, -2);
  const batchDims = broadcastShapes(aBatchDims, bBatchDims);
  const aMap = broadcastIndexMap(aBatchDims, batchDims);
  const bMap = broadcastIndexMap(bBatchDims, batchDims);
  const batches = aMap.length;
  const aBatches = aBatchDims.reduce((x, y) => x * y, 1);
  const bBatches = bBatchDims.reduce((x, y) => x * y, 1);
  if (p.a.length !== aBatches * M * K || p.b.length !== bBatches * K * N) {
    throw new Error('denseInt8Gpu: data length does not match dims');
  }
  if (p.bias && p.bias.length !== N) throw new Error(`bias has ${p.bias.length} values, expected ${N}`);
  const aSigned = p.a instanceof Int8Array;
  const bSigned = p.b instanceof Int8Array;
  const za = zeroPoints(p.aZeroPoint, M, aBatches, aSigned ? 0 : -128, 'A zero point');
  const zb = zeroPoints(p.bZeroPoint, N, bBatches, bSigned ? 0 : -128, 'B zero point');

  const meta = new MetaBuilder();
  const zaBase = meta.add(za.values);
  const zbBase = meta.add(zb.values);
  const biasBase = meta.add(p.bias ?? []);
  const rq = p.requantize ? requantizeData(p.requantize, N) : undefined;
  const rqBase = meta.add(rq?.words ?? []);
  const batchMap: number[] = [];
  for (let i = 0; i < batches; i++) batchMap.push(aMap[i], bMap[i]);
  const opBase = meta.add(batchMap);

  // GEMV (M = 1): one row per thread, 256 columns per workgroup instead of a mostly empty 64x64 tile.
  const gemv = M === 1;
  const wgX = gemv ? 64 : 16;
  const wgY = gemv ? 1 : 16;
  const tm = gemv ? 1 : 4;
  const useDot4 = p.useDot4 ?? ctx.hasDot4I8Packed;
  const stats = p.stats ?? false;
  const pipeline = await gemmPipeline(ctx, new URL('./dense-int8.wgsl', import.meta.url), {
    op: 'dense-int8',
    dot4: useDot4,
    accMode: ACC_MODE_CODE[mode.kind],
    requant: requantCode(p.requantize),
    stats,
    wgX,
    wgY,
    tm,
    kWords: 8,
  });
  const uniform = gemmUniformWords({
    m: M,
    n: N,
    k: K,
    accBits: accumulatorBits(mode),
    zaBase,
    zaGroupStride: za.groupStride,
    zaRowStride: za.rowStride,
    zbBase,
    zbGroupStride: zb.groupStride,
    zbColStride: zb.rowStride,
    chanGroupStride: 0,
    biasBase,
    rqBase,
    hasBias: p.bias !== undefined,
    zy: p.requantize?.outputZeroPoint ?? 0,
    qmin: rq?.qmin ?? 0,
    qmax: rq?.qmax ?? 0,
    opBase,
  });
  const dims = [...batchDims];
  if (!aIs1d) dims.push(M);
  if (!bIs1d) dims.push(N);
  return runGemmLaunch(ctx, {
    op: 'dense-int8',
    pipeline,
    uniform,
    opUniform: Uint32Array.from([M * K, K * N, p.transB ? 1 : 0, aSigned ? 1 : 0, bSigned ? 1 : 0, 0, 0, 0]),
    meta: meta.build(),
    a: packInt8(p.a),
    b: packInt8(p.b),
    outputCount: batches * M * N,
    channels: N,
    requantized: p.requantize !== undefined,
    signedOutput: (p.requantize?.qmin ?? 0) < 0,
    stats,
    grid: [Math.ceil(N / (4 * wgX)), Math.ceil(M / (tm * wgY)), batches],
    dims,
  });
}
