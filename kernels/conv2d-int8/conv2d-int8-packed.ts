// Host side of the packed int8 conv kernels (conv2d-int8-packed.wgsl for any conv,
// conv2d-int8-depthwise-packed.wgsl for depthwise): the fast path of prepareConv2dInt8 for the
// exact accumulator modes (int32, wrap-N) without statistics. Weights are repacked once here into
// the layouts those kernels read (signed-mapped, so the kernels never convert them).

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
import type { ConvInt8Geometry } from './conv2d-int8.ref.js';

/** Invocations per workgroup (one output quad each). */
const WG = 64;
/** Output channels per invocation of the GEMM-style kernel (fixed by its named accumulators). */
const OC_BLOCK = 8;

/** Everything prepareConv2dInt8 has worked out about one conv instance. */
export interface PackedConvLayout
  extends Pick<ConvInt8Geometry, 'N' | 'C' | 'H' | 'W' | 'M' | 'Cg' | 'KH' | 'KW' | 'OH' | 'OW' | 'group'> {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, left] */
  readonly pads: readonly [number, number];
  readonly depthwise: boolean;
  readonly w: Int8Data;
  /** Signed-mapped weight zero points: one value, or one per output channel. */
  readonly zw: readonly number[];
  /** Signed-mapped x zero point. */
  readonly zx: number;
  readonly xSigned: boolean;
  readonly dot4: boolean;
  /** The uniform fields (tables offsets, modes, requantize) as the GEMM path would set them. */
  readonly uniform: GemmUniform;
  readonly tables: Int32Array;
  readonly requantize: RequantizeSpec | undefined;
  readonly requantized: boolean;
  readonly signedOutput: boolean;
}

/** GEMM-kernel weights: [group][oc block][kh][kw][channel][2 words of 4 oc bytes] u32, zero-padded. */
function repackGemmWeights(l: PackedConvLayout, ocBlocks: number): Uint32Array {
  const { w, Cg, KH, KW, group } = l;
  const Mg = l.M / group;
  const taps = KH * KW;
  const shift = w instanceof Int8Array ? 0 : -128;
  const out = new Uint32Array(group * ocBlocks * taps * Cg * 2);
  let i = 0;
  for (let g = 0; g < group; g++) {
    for (let ob = 0; ob < ocBlocks; ob++) {
      for (let tap = 0; tap < taps; tap++) {
        for (let c = 0; c < Cg; c++) {
          for (let half = 0; half < 2; half++, i++) {
            let word = 0;
            for (let b = 0; b < 4; b++) {
              const oc = ob * OC_BLOCK + half * 4 + b;
              if (oc >= Mg) break;
              word |= ((w[((g * Mg + oc) * Cg + c) * taps + tap] + shift) & 0xff) << (8 * b);
            }
            out[i] = word >>> 0;
          }
        }
      }
    }
  }
  return out;
}

/** Depthwise weights: (w - zw) as i32 per [oc][kh][kw]. */
function depthwiseWeights(l: PackedConvLayout): Int32Array {
  const taps = l.KH * l.KW;
  const shift = l.w instanceof Int8Array ? 0 : -128;
  const out = new Int32Array(l.M * taps);
  for (let oc = 0; oc < l.M; oc++) {
    const zw = l.zw.length === 1 ? l.zw[0] : l.zw[oc];
    for (let t = 0; t < taps; t++) out[oc * taps + t] = l.w[oc * taps + t] + shift - zw;
  }
  return out;
}

/** Prepares a packed conv (the caller checked packedEligible). */
export async function preparePackedConv(
  ctx: GpuContext,
  l: PackedConvLayout,
  limits?: SplitLimits,
): Promise<PreparedGemm> {
  const { N, C, H, W, M, Cg, KH, KW, OH, OW, group } = l;
  const Mg = M / group;
  const plane = OH * OW;
  // Both kernels cover 8 pixels (two quads) of a row per invocation.
  const octsW = Math.ceil(OW / 8);
  const ocBlocks = Math.ceil(Mg / OC_BLOCK);
  const taps = KH * KW;
  // Each invocation writes 4 outputs of one row: whole words when rows are whole words.
  const wholeWords = OW % 4 === 0;
  const op = l.depthwise ? 'conv2d-int8-depthwise-packed' : 'conv2d-int8-packed';
  const input = new URL('./conv2d-int8-packed-input.wgsl', import.meta.url);
  const kernel = l.depthwise
    ? new URL('./conv2d-int8-depthwise-packed.wgsl', import.meta.url)
    : new URL('./conv2d-int8-packed.wgsl', import.meta.url);
  const pipeline = await gemmPipeline(
    ctx,
    [input, kernel],
    {
      op,
      // Neither kernel calls dot4 (f32 fma / i32 products are faster on SwiftShader).
      dot4: false,
      ordered: false,
      bSums: false,
      packed: true,
      wgX: WG,
      wgY: 1,
      tm: 1,
      kWords: 1,
    },
    {
      REQUANT: requantCode(l.requantize),
      WHOLE_WORDS: wholeWords ? 1 : 0,
      STRIDE1: l.strides[1] === 1 ? 1 : 0,
      // Sum of x per pixel only matters when some weight zero point is not 0.
      ...(l.depthwise ? {} : { SUM_X: l.zw.some((z) => z !== 0) ? 1 : 0 }),
    },
  );
  const weights = l.depthwise ? new Uint32Array(depthwiseWeights(l).buffer) : repackGemmWeights(l, ocBlocks);
  const groupWeightBytes = l.depthwise ? 0 : ocBlocks * taps * Cg * 2 * 4;
  const imageBytes = C * H * W;
  const outElementBytes = l.requantized ? 1 : 4;
  const planner = new WindowPlanner(ctx, limits);
  const chunks = l.depthwise
    ? planGemmChunks(
        planner,
        {
          grid: [Math.ceil((OH * octsW) / WG), M, N],
          aRange: (z) => [z * imageBytes, (z + 1) * imageBytes],
          bRange: () => [0, weights.byteLength],
          outRange: (z, y0, y1) => [(z * M + y0) * plane, (z * M + y1) * plane],
          outElementBytes,
        },
        op,
      )
    : planGemmChunks(
        planner,
        {
          grid: [Math.ceil((OH * octsW) / WG), ocBlocks, N * group],
          aRange: (z) => {
            const start = (Math.floor(z / group) * C + (z % group) * Cg) * H * W;
            return [start, start + Cg * H * W];
          },
          bRange: (z) => [(z % group) * groupWeightBytes, ((z % group) + 1) * groupWeightBytes],
          outRange: (z, y0, y1) => {
            const first = Math.floor(z / group) * M + (z % group) * Mg;
            return [(first + y0 * OC_BLOCK) * plane, (first + Math.min(y1 * OC_BLOCK, Mg)) * plane];
          },
          outElementBytes,
        },
        op,
      );
  const opUniform = Uint32Array.from([
    C,
    H,
    W,
    Cg,
    KH,
    KW,
    l.strides[0],
    l.strides[1],
    l.dilations[0],
    l.dilations[1],
    l.pads[0],
    l.pads[1],
    OH,
    OW,
    Mg,
    group,
    l.zx >>> 0,
    l.xSigned ? 0 : 0x80808080,
    M,
    octsW,
    ocBlocks,
    0,
    0,
    0,
  ]);
  const outputCount = N * M * plane;
  return createPreparedGemm(ctx, {
    op,
    pipeline,
    uniform: l.uniform,
    opUniform,
    tables: l.tables,
    weights,
    chunks,
    aBytes: N * C * H * W,
    bBytes: weights.byteLength,
    outBytes: outputCount * outElementBytes,
    dims: [N, M, OH, OW],
    outputCount,
    channels: M,
    requantized: l.requantized,
    signedOutput: l.signedOutput,
    stats: false,
    fullWrites: wholeWords,
  });
}
