// GPU int8/uint8 batched MatMul / Gemm (dense-int8.wgsl on the shared GEMM core), bit-exact with
// kernels/dense-int8/dense-int8.ref.ts: same shapes (numpy broadcast, 1-D promotion, transB), zero
// points (per tensor / per row or column / per batch row or column), bias, accumulator modes and
// statistics, plus an optional requantize epilogue.
//
// Two levels: `prepareDenseInt8` + `recordDenseInt8` run on caller-owned GPU buffers (the graph
// executor: constants uploaded once, each run encoded into the caller's command encoder, no host
// round trip); `denseInt8Gpu` uploads typed arrays, runs once and reads back (tests, benchmarks).

import type { GpuContext } from '../gpu/device.js';
import type { SplitLimits } from '../gpu/dispatch.js';
import {
  ACC_MODE_CODE,
  accumulatorBits,
  type GemmUniform,
  gemmPipeline,
  type Int8KernelOptions,
  type Int8KernelResult,
  isOrdered,
  MetaBuilder,
  packedEligible,
  requantCode,
  requantizeData,
} from '../gpu/int8-gemm.js';
import {
  createPreparedGemm,
  type GemmBuffers,
  type PreparedGemm,
  planGemmChunks,
  recordGemm,
  runPreparedGemm,
  WindowPlanner,
} from '../gpu/int8-gemm-run.js';
import { packInt8 } from '../gpu/int8-packing.js';
import { checkedAccumulator, type Int8Data } from '../quant-math/accumulator.js';
import { checkDenseBias, denseZeroPoints, resolveDenseGeometry } from './dense-geometry.js';
import { preparePackedGemv } from './dense-int8-gemv.js';

/** 8-bit element type of an operand. */
export type Int8Type = 'int8' | 'uint8';

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

/**
 * Everything constant about one dense op instance (MatMulInteger / QLinearMatMul / Gemm node):
 * shapes, types, zero points, bias, accumulator, requantize and, for constant weights, B itself.
 * Shapes follow dense-int8.ref.ts (numpy broadcast of batch dims, 1-D promotion, transB).
 */
export interface DenseInt8Spec extends Int8KernelOptions {
  readonly aDims: readonly number[];
  readonly bDims: readonly number[];
  readonly aType: Int8Type;
  readonly bType: Int8Type;
  /** One value, one per row of A (M), or one per batch row (aBatches * M). */
  readonly aZeroPoint?: number | ArrayLike<number>;
  /** One value, one per column of B (N), or one per batch column (bBatches * N). */
  readonly bZeroPoint?: number | ArrayLike<number>;
  /** int32, one per output column N (added before any accumulator clamp, as the reference). */
  readonly bias?: ArrayLike<number>;
  readonly transB?: boolean;
  /**
   * Constant B (must match bType): uploaded packed at prepare time with its per-column sums (the
   * za * sum(b) correction then costs nothing per K step). Omit it to pass B per run.
   */
  readonly b?: Int8Data;
}

/** A prepared dense op: pass it to `recordDenseInt8`. See PreparedGemm for the buffer sizes. */
export type PreparedDenseInt8 = PreparedGemm;

function elementType(data: Int8Data): Int8Type {
  return data instanceof Int8Array ? 'int8' : 'uint8';
}

/**
 * Compiles (or takes from the cache) the pipeline and uploads the constants of a dense op.
 * Buffers of a run (`recordDenseInt8`):
 *  - a: packed 8-bit, row-major [...aBatchDims, M, K] (4 values per u32, little endian), aBytes;
 *  - b: packed 8-bit [...bBatchDims, K, N] ([..., N, K] with transB), unless spec.b was given;
 *  - out: [...batchDims, M, N] row-major: int32 accumulators, or packed 8-bit values with
 *    spec.requantize (int8 if requantize.qmin < 0, else uint8), outBytes;
 *  - stats (spec.stats): per column n, u32 [overflow count, max |exact acc| clamped to 2^32-1].
 * `limits` lowers the binding / dispatch limits (tests of the splitting).
 */
export async function prepareDenseInt8(
  ctx: GpuContext,
  spec: DenseInt8Spec,
  limits?: SplitLimits,
): Promise<PreparedDenseInt8> {
  const p = spec;
  const mode = checkedAccumulator(p.accumulator);
  if (p.b && elementType(p.b) !== p.bType) throw new Error(`denseInt8Gpu: b is not ${p.bType}`);
  const geometry = resolveDenseGeometry(p.aDims, p.bDims, p.transB ?? false, 'denseInt8Gpu');
  const { M, K, N, batches, aBatches, bBatches } = geometry;
  const aMap = geometry.aBatchMap;
  const bMap = geometry.bBatchMap;
  if (p.b && p.b.length !== bBatches * K * N) throw new Error('denseInt8Gpu: b length does not match bDims');
  checkDenseBias(p.bias, N);
  const aSigned = p.aType === 'int8';
  const bSigned = p.bType === 'int8';
  const za = denseZeroPoints(p.aZeroPoint, M, aBatches, 'A zero point', aSigned ? 0 : -128);
  const zb = denseZeroPoints(p.bZeroPoint, N, bBatches, 'B zero point', bSigned ? 0 : -128);

  const meta = new MetaBuilder();
  const zaBase = meta.add(za.values);
  const zbBase = meta.add(zb.values);
  const biasBase = meta.add(p.bias ?? []);
  const rq = p.requantize ? requantizeData(p.requantize, N) : undefined;
  const rqBase = meta.add(rq?.words ?? []);
  const batchMap: number[] = [];
  for (let i = 0; i < batches; i++) batchMap.push(aMap[i], bMap[i]);
  const opBase = meta.add(batchMap);
  const stats = p.stats ?? false;
  // GEMV with constant B in the exact modes without statistics: the packed kernel.
  const packedGemv = M === 1 && p.b !== undefined && packedEligible(mode, stats);
  const bSums = p.b !== undefined && !isOrdered(mode);
  const bSumsBase = meta.add(bSums && p.b ? columnSums(p.b, bBatches, K, N, p.transB ?? false) : []);

  // GEMV (M = 1): one row per thread, 256 columns per workgroup instead of a mostly empty 64x64 tile.
  const gemv = M === 1;
  const wgX = gemv ? 64 : 16;
  const wgY = gemv ? 1 : 16;
  const tm = gemv ? 1 : 4;
  const dims = [...geometry.outDims];
  const uniform: GemmUniform = {
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
    accMode: ACC_MODE_CODE[mode.kind],
    flags: requantCode(p.requantize) | (stats ? 8 : 0),
    bSumsBase,
  };
  const gemvPrepared =
    packedGemv && p.b
      ? await preparePackedGemv(
          ctx,
          {
            K,
            N,
            b: p.b,
            bBatches,
            aBatches,
            transB: p.transB ?? false,
            aSigned,
            aMap,
            bMap,
            dims,
            dot4: p.useDot4 ?? ctx.hasDot4I8Packed,
            uniform,
            tables: meta.build(),
            requantize: p.requantize,
          },
          limits,
        )
      : undefined;
  if (gemvPrepared) return gemvPrepared;
  const pipeline = await gemmPipeline(ctx, new URL('./dense-int8.wgsl', import.meta.url), {
    op: 'dense-int8',
    dot4: p.useDot4 ?? ctx.hasDot4I8Packed,
    ordered: isOrdered(mode),
    bSums,
    wgX,
    wgY,
    tm,
    kWords: 8,
    packed: false,
  });
  const requantized = p.requantize !== undefined;
  const tileM = tm * wgY;
  const planner = new WindowPlanner(ctx, limits);
  const chunks = planGemmChunks(
    planner,
    {
      grid: [Math.ceil(N / (4 * wgX)), Math.ceil(M / tileM), batches],
      aRange: (z, y0, y1) => [
        aMap[z] * M * K + y0 * tileM * K,
        aMap[z] * M * K + Math.min(y1 * tileM, M) * K,
      ],
      bRange: (z) => [bMap[z] * K * N, (bMap[z] + 1) * K * N],
      outRange: (z, y0, y1) => [(z * M + y0 * tileM) * N, (z * M + Math.min(y1 * tileM, M)) * N],
      outElementBytes: requantized ? 1 : 4,
    },
    'dense-int8',
  );
  const outputCount = batches * M * N;
  return createPreparedGemm(ctx, {
    op: 'dense-int8',
    pipeline,
    uniform,
    opUniform: Uint32Array.from([M * K, K * N, p.transB ? 1 : 0, aSigned ? 1 : 0, bSigned ? 1 : 0, 0, 0, 0]),
    tables: meta.build(),
    weights: p.b ? packInt8(p.b) : undefined,
    chunks,
    aBytes: aBatches * M * K,
    bBytes: bBatches * K * N,
    outBytes: requantized ? outputCount : 4 * outputCount,
    dims,
    outputCount,
    channels: N,
    requantized,
    signedOutput: (p.requantize?.qmin ?? 0) < 0,
    stats,
  });
}

/** Per (B batch, column) sums of the signed-mapped B values (uint8 counts as x - 128). */
function columnSums(b: Int8Data, bBatches: number, K: number, N: number, transB: boolean): Int32Array {
  const shift = b instanceof Int8Array ? 0 : -128;
  const sums = new Int32Array(bBatches * N);
  for (let g = 0; g < bBatches; g++) {
    const base = g * K * N;
    for (let k = 0; k < K; k++) {
      for (let n = 0; n < N; n++) sums[g * N + n] += b[base + (transB ? n * K + k : k * N + n)] + shift;
    }
  }
  return sums;
}

/**
 * Encodes one dense run into `encoder` (see prepareDenseInt8 for the buffers): clears `out` when
 * requantized and `stats` unless options.accumulateStats, then the dispatches (several when the
 * problem was split for the device limits). Synchronous: nothing is read back.
 */
export function recordDenseInt8(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  prepared: PreparedDenseInt8,
  buffers: GemmBuffers,
  options?: { readonly accumulateStats?: boolean },
): void {
  recordGemm(ctx, encoder, prepared, buffers, options);
}

/** Runs the int8 dense kernel on typed arrays. Output dims as dense-int8.ref.ts. */
export async function denseInt8Gpu(
  ctx: GpuContext,
  p: DenseInt8GpuParams,
  limits?: SplitLimits,
): Promise<Int8KernelResult> {
  const aBatches = p.aDims.slice(0, -2).reduce((x, y) => x * y, 1);
  if (p.a.length !== aBatches * (p.aDims.length === 1 ? p.aDims[0] : p.aDims.at(-1)! * p.aDims.at(-2)!)) {
    throw new Error('denseInt8Gpu: data length does not match dims');
  }
  const prepared = await prepareDenseInt8(
    ctx,
    { ...p, aType: elementType(p.a), bType: elementType(p.b), b: p.b },
    limits,
  );
  try {
    return await runPreparedGemm(ctx, prepared, packInt8(p.a));
  } finally {
    prepared.destroy();
  }
}
