// Host side of the packed int8 GEMV (dense-int8-gemv.wgsl): the fast path of prepareDenseInt8 for
// M = 1 with constant B, in the exact accumulator modes without statistics. B is repacked once
// into [bBatch][K word][N quad][4 columns] words, signed-mapped (uint8 - 128), zero-padded.

import type { GpuContext } from '../gpu/device.js';
import type { SplitLimits } from '../gpu/dispatch.js';
import { type GemmUniform, gemmPipeline, type RequantizeSpec, requantCode } from '../gpu/int8-gemm.js';
import {
  createPreparedGemm,
  type PreparedGemm,
  planGemmChunks,
  WindowPlanner,
} from '../gpu/int8-gemm-run.js';
import type { Int8Data } from '../quant-math/accumulator.js';

const WG = 64;

export interface GemvLayout {
  readonly K: number;
  readonly N: number;
  readonly b: Int8Data;
  readonly bBatches: number;
  readonly aBatches: number;
  readonly transB: boolean;
  readonly aSigned: boolean;
  /** Broadcast maps: batch -> A batch / B batch. */
  readonly aMap: ArrayLike<number>;
  readonly bMap: ArrayLike<number>;
  readonly dims: readonly number[];
  readonly dot4: boolean;
  readonly uniform: GemmUniform;
  readonly tables: Int32Array;
  readonly requantize: RequantizeSpec | undefined;
}

function repackB(l: GemvLayout, kWords: number, nQuads: number): Uint32Array {
  const { b, K, N, transB } = l;
  const shift = b instanceof Int8Array ? 0 : -128;
  const out = new Uint32Array(l.bBatches * kWords * nQuads * 4);
  for (let g = 0; g < l.bBatches; g++) {
    const base = g * K * N;
    for (let kw = 0; kw < kWords; kw++) {
      for (let n = 0; n < N; n++) {
        let word = 0;
        for (let i = 0; i < 4 && kw * 4 + i < K; i++) {
          const k = kw * 4 + i;
          word |= ((b[base + (transB ? n * K + k : k * N + n)] + shift) & 0xff) << (8 * i);
        }
        out[((g * kWords + kw) * nQuads + (n >> 2)) * 4 + (n & 3)] = word >>> 0;
      }
    }
  }
  return out;
}

/**
 * Prepares the packed GEMV (the caller checked M = 1, constant B and packedEligible), or returns
 * undefined when one batch of the repacked (zero-padded) B would exceed a binding: the tiled core
 * then serves it.
 */
export async function preparePackedGemv(
  ctx: GpuContext,
  l: GemvLayout,
  limits?: SplitLimits,
): Promise<PreparedGemm | undefined> {
  const { K, N } = l;
  const kWords = Math.ceil(K / 4);
  const nQuads = Math.ceil(N / 4);
  const planner = new WindowPlanner(ctx, limits);
  if (kWords * nQuads * 16 > planner.maxBytes) return undefined;
  const wholeWords = N % 4 === 0;
  const pipeline = await gemmPipeline(
    ctx,
    new URL('./dense-int8-gemv.wgsl', import.meta.url),
    {
      op: 'dense-int8-gemv',
      dot4: l.dot4,
      ordered: false,
      bSums: false,
      packed: true,
      wgX: WG,
      wgY: 1,
      tm: 1,
      kWords: 1,
    },
    { REQUANT: requantCode(l.requantize), WHOLE_WORDS: wholeWords ? 1 : 0 },
  );
  const weights = repackB(l, kWords, nQuads);
  const batchBytes = kWords * nQuads * 16;
  const requantized = l.requantize !== undefined;
  const batches = l.aMap.length;
  const chunks = planGemmChunks(
    planner,
    {
      grid: [Math.ceil(nQuads / WG), 1, batches],
      aRange: (z) => [l.aMap[z] * K, (l.aMap[z] + 1) * K],
      bRange: (z) => [l.bMap[z] * batchBytes, (l.bMap[z] + 1) * batchBytes],
      outRange: (z) => [z * N, (z + 1) * N],
      outElementBytes: requantized ? 1 : 4,
    },
    'dense-int8-gemv',
  );
  const outputCount = batches * N;
  return createPreparedGemm(ctx, {
    op: 'dense-int8-gemv',
    pipeline,
    uniform: l.uniform,
    opUniform: Uint32Array.from([kWords, nQuads, l.aSigned ? 0 : 0x80808080, 0]),
    tables: l.tables,
    weights,
    chunks,
    aBytes: l.aBatches * K,
    bBytes: weights.byteLength,
    outBytes: requantized ? outputCount : 4 * outputCount,
    dims: l.dims,
    outputCount,
    channels: N,
    requantized,
    signedOutput: (l.requantize?.qmin ?? 0) < 0,
    stats: false,
    fullWrites: wholeWords,
  });
}
