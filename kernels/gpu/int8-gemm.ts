// Host side of the shared int8 GEMM core (kernels/gpu/wgsl/int8-gemm-core.wgsl), used by the dense
// and conv hosts: module assembly, compile-time parameters, the meta buffer (zero points, bias,
// requantize data, op tables), the uniform, and reading results and overflow statistics back.

import type { AccumulatorMode } from '../quant-math/accumulator.js';
import {
  fusedClampBounds,
  ortRequantMultiplier,
  quantizeMultiplier,
  type RequantizeSpec,
} from '../requantize/requantize.ref.js';
import type { GpuContext } from './device.js';
import type { PipelineParams } from './pipeline-cache.js';
import { getPipeline } from './pipeline-cache.js';
import { loadWgsl } from './wgsl-loader.js';

export type { RequantizeSpec } from '../requantize/requantize.ref.js';

/** Options shared by the int8 dense and conv kernels. */
export interface Int8KernelOptions {
  /** Default int32 (wrapping). */
  readonly accumulator?: AccumulatorMode;
  /** Without it the result is the int32 accumulators. */
  readonly requantize?: RequantizeSpec;
  /** Collect per-output-channel overflow counts and max |exact accumulator|. */
  readonly stats?: boolean;
  /** Use WGSL dot4I8Packed (default: when the device has it) or the bit-identical fallback. */
  readonly useDot4?: boolean;
}

/** Result of an int8 kernel: accumulators or requantized values, plus optional statistics. */
export interface Int8KernelResult {
  readonly dims: readonly number[];
  /** int32 accumulators (no requantize). */
  readonly acc?: Int32Array;
  /** Requantized outputs (with requantize). */
  readonly q?: Int8Array | Uint8Array;
  /** Per output channel (stats only). */
  readonly overflowCount?: Int32Array;
  /** Per output channel, max |exact accumulator| (clamped to 2^32 - 1; stats only). */
  readonly maxAbs?: Float64Array;
}

export const ACC_MODE_CODE = { int32: 0, wrap: 1, saturate: 2, 'pairwise-int16-saturate': 3 } as const;

export function requantCode(spec: RequantizeSpec | undefined): number {
  if (!spec) return 0;
  const s = spec.scheme ?? { kind: 'ort' };
  if (s.kind === 'ort') return 1;
  if (s.kind === 'gemmlowp') return 2;
  return s.rounding === 'TONEAREST' ? 4 : 3;
}

/**
 * Compile-time parameters of one int8 GEMM-core pipeline (the cache key is derived from them).
 * Accumulator mode, requantize scheme and statistics are uniforms (gemm.acc_mode / gemm.flags):
 * their branches run once per output or are uniform, so they do not multiply pipelines (a
 * SwiftShader compile costs seconds). Only the K loop kind (`ordered`) and the B-sum source are
 * compiled in.
 */
export interface GemmPipelineParams extends PipelineParams {
  readonly op: string;
  readonly dot4: boolean;
  /** Saturate / pairwise accumulators: the k-ascending loop instead of the dot4 tile. */
  readonly ordered: boolean;
  /** Exact modes: B column sums come precomputed from the tables (constant weights). */
  readonly bSums: boolean;
  readonly wgX: number;
  readonly wgY: number;
  readonly tm: number;
  readonly kWords: number;
  /**
   * A packed kernel (exact modes, no statistics: see int8-packed-common.wgsl): the op sources
   * follow int8-packed-common.wgsl and only WG_X (the 1-D workgroup size) is set.
   */
  readonly packed: boolean;
}

/** Whether the packed kernels (int8-packed-common.wgsl) can serve a run: exact mode, no statistics. */
export function packedEligible(mode: AccumulatorMode, stats: boolean | undefined): boolean {
  return !stats && (mode.kind === 'int32' || mode.kind === 'wrap');
}

/** Whether a mode needs the ordered (k-ascending) K loop. */
export function isOrdered(mode: AccumulatorMode): boolean {
  return mode.kind === 'saturate' || mode.kind === 'pairwise-int16-saturate';
}

const DOT4_NATIVE = 'fn dot4_i8(a: u32, b: u32) -> i32 { return dot4I8Packed(a, b); }\n';
const DOT4_FALLBACK = `// Bit-identical fallback for dot4I8Packed: sign-extended bytes, integer dot product.
fn dot4_i8(a: u32, b: u32) -> i32 {
  let x = bitcast<i32>(a);
  let y = bitcast<i32>(b);
  let xv = vec4<i32>(extractBits(x, 0u, 8u), extractBits(x, 8u, 8u), extractBits(x, 16u, 8u), extractBits(x, 24u, 8u));
  let yv = vec4<i32>(extractBits(y, 0u, 8u), extractBits(y, 8u, 8u), extractBits(y, 16u, 8u), extractBits(y, 24u, 8u));
  return dot(xv, yv);
}
`;

/** The GEMM-core pipeline for an op file (`opSource` is the op's .wgsl URL). */
export function gemmPipeline(
  ctx: GpuContext,
  opSource: URL | readonly URL[],
  params: GemmPipelineParams,
  /** Packed kernels: more override values (REQUANT, WHOLE_WORDS, STRIDE1), part of the cache key. */
  packedConstants: Readonly<Record<string, number>> = {},
): Promise<GPUComputePipeline> {
  if (params.dot4 && !ctx.hasDot4I8Packed) throw new Error('dot4I8Packed requested but the device lacks it');
  // The ordered accumulation (saturate, pairwise) never calls dot4 nor uses B sums.
  const normalized = {
    ...(params.ordered ? { ...params, dot4: false, bSums: false } : params),
    ...packedConstants,
  };
  return getPipeline(ctx, {
    op: params.op,
    params: normalized,
    build: async (p) => {
      const opSources = Array.isArray(opSource) ? opSource : [opSource as URL];
      const parts = await Promise.all([
        loadWgsl(new URL('./wgsl/int64-math.wgsl', import.meta.url)),
        loadWgsl(new URL('./wgsl/requantize.wgsl', import.meta.url)),
        loadWgsl(new URL('./wgsl/int8-gemm-core.wgsl', import.meta.url)),
        ...(p.packed ? [loadWgsl(new URL('./wgsl/int8-packed-common.wgsl', import.meta.url))] : []),
        ...opSources.map((u) => loadWgsl(u)),
      ]);
      const code = (p.dot4 ? DOT4_NATIVE : DOT4_FALLBACK) + parts.join('\n');
      if (p.packed) return { code, constants: { WG_X: p.wgX, ...packedConstants } as Record<string, number> };
      return {
        code,
        constants: {
          WG_X: p.wgX,
          WG_Y: p.wgY,
          TM: p.tm,
          K_WORDS: p.kWords,
          ORDERED: p.ordered ? 1 : 0,
          B_SUMS: p.bSums ? 1 : 0,
        },
      };
    },
  });
}

/** Builds the i32 meta buffer: named sections appended in order, offsets returned. */
export class MetaBuilder {
  private readonly parts: number[] = [];
  add(values: ArrayLike<number>): number {
    const base = this.parts.length;
    for (let i = 0; i < values.length; i++) this.parts.push(values[i]);
    if (values.length === 0) this.parts.push(0);
    return base;
  }
  build(): Int32Array {
    return Int32Array.from(this.parts.length ? this.parts : [0]);
  }
}

/** Per-channel requantize words (2 per channel) and the clamp bounds with the activation folded in. */
export function requantizeData(
  spec: RequantizeSpec,
  channels: number,
): { words: Int32Array; qmin: number; qmax: number } {
  const scheme = spec.scheme ?? { kind: 'ort' };
  const sw = (c: number) =>
    typeof spec.weightScale === 'number'
      ? spec.weightScale
      : spec.weightScale.length === 1
        ? spec.weightScale[0]
        : spec.weightScale[c];
  if (
    typeof spec.weightScale !== 'number' &&
    spec.weightScale.length !== 1 &&
    spec.weightScale.length !== channels
  ) {
    throw new Error(`requantize: ${spec.weightScale.length} weight scales for ${channels} channels`);
  }
  const words = new Int32Array(2 * channels);
  const f32 = new Float32Array(1);
  const bits = new Int32Array(f32.buffer);
  for (let c = 0; c < channels; c++) {
    if (scheme.kind === 'ort') {
      f32[0] = ortRequantMultiplier(spec.inputScale, sw(c), spec.outputScale);
      words[2 * c] = bits[0];
    } else {
      // As requantizeTensor: the real multiplier in f64 from the f32 scales.
      const real = (Math.fround(spec.inputScale) * Math.fround(sw(c))) / Math.fround(spec.outputScale);
      const m = quantizeMultiplier(real);
      words[2 * c] = m.q31;
      words[2 * c + 1] = m.shift;
    }
  }
  const bounds = fusedClampBounds(
    spec.activation ?? { kind: 'none' },
    spec.outputScale,
    spec.outputZeroPoint,
    spec.qmin,
    spec.qmax,
  );
  return { words, ...bounds };
}

/** The GemmParams uniform (see int8-gemm-core.wgsl for the field order). */
export interface GemmUniform {
  m: number;
  n: number;
  k: number;
  accBits: number;
  zaBase: number;
  zaGroupStride: number;
  zaRowStride: number;
  zbBase: number;
  zbGroupStride: number;
  zbColStride: number;
  chanGroupStride: number;
  biasBase: number;
  rqBase: number;
  hasBias: boolean;
  zy: number;
  qmin: number;
  qmax: number;
  opBase: number;
  /** ACC_MODE_CODE of the accumulator. */
  accMode: number;
  /** requantCode(...) in bits 0..2, statistics on in bit 3. */
  flags: number;
  /** Offset of the B column sums in the tables (B_SUMS pipelines). */
  bSumsBase: number;
}

/** Where one dispatch of a split run starts: workgroup offsets and binding-window bases. */
export interface GemmChunkPosition {
  readonly wgOffset: readonly [number, number, number];
  /** First element of each binding window (8-bit elements for a / b; output elements). */
  readonly aBase: number;
  readonly bBase: number;
  readonly outBase: number;
  /** Depthwise: the end of this dispatch's output indices (replaces `m`). */
  readonly mEnd?: number;
}

export function gemmUniformWords(u: GemmUniform, c: GemmChunkPosition): Int32Array {
  return Int32Array.from([
    c.mEnd ?? u.m,
    u.n,
    u.k,
    u.accBits,
    u.zaBase,
    u.zaGroupStride,
    u.zaRowStride,
    u.zbBase,
    u.zbGroupStride,
    u.zbColStride,
    u.chanGroupStride,
    u.biasBase,
    u.rqBase,
    u.hasBias ? 1 : 0,
    u.zy,
    u.qmin,
    u.qmax,
    u.opBase,
    u.accMode,
    u.flags,
    c.wgOffset[0],
    c.wgOffset[1],
    c.wgOffset[2],
    c.outBase,
    c.aBase,
    c.bBase,
    u.bSumsBase,
    0,
  ]);
}

export function accumulatorBits(mode: AccumulatorMode): number {
  return mode.kind === 'wrap' || mode.kind === 'saturate' ? mode.bits : 32;
}
