// The benchmark shapes and their deterministic data, shared by the bench page (which times them)
// and the Node driver (which prints them). Each case is one layer of a real network, run by our
// int8 kernel (int8 in, int8 out, requantize epilogue) and by the peers on the float op.

export interface ConvShape {
  readonly kind: 'conv';
  /** [N, C, H, W] */
  readonly xDims: readonly [number, number, number, number];
  /** [M, C/group, kH, kW] */
  readonly wDims: readonly [number, number, number, number];
  readonly group: number;
  /** [top, left, bottom, right] */
  readonly pads: readonly [number, number, number, number];
}

export interface DenseShape {
  readonly kind: 'dense';
  /** [M, K] */
  readonly aDims: readonly [number, number];
  /** [K, N] */
  readonly bDims: readonly [number, number];
}

export interface BenchCase {
  readonly name: string;
  /** Where the layer comes from, for the table. */
  readonly origin: string;
  readonly shape: ConvShape | DenseShape;
}

export const BENCH_CASES: readonly BenchCase[] = [
  {
    name: 'conv3x3',
    origin: 'ResNet-18/34 stage 1',
    shape: { kind: 'conv', xDims: [1, 64, 56, 56], wDims: [64, 64, 3, 3], group: 1, pads: [1, 1, 1, 1] },
  },
  {
    name: 'depthwise3x3',
    origin: 'MobileNetV2 block 2',
    shape: { kind: 'conv', xDims: [1, 144, 56, 56], wDims: [144, 1, 3, 3], group: 144, pads: [1, 1, 1, 1] },
  },
  {
    name: 'pointwise1x1',
    origin: 'MobileNetV2 block 2 projection',
    shape: { kind: 'conv', xDims: [1, 144, 56, 56], wDims: [24, 144, 1, 1], group: 1, pads: [0, 0, 0, 0] },
  },
  {
    name: 'dense',
    origin: 'ImageNet classifier head',
    shape: { kind: 'dense', aDims: [1, 1024], bDims: [1024, 1000] },
  },
];

const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/** Human-readable shape, as the table and JSON show it. */
export function describeShape(s: ConvShape | DenseShape): string {
  if (s.kind === 'dense') return `${s.aDims.join('x')} · ${s.bDims.join('x')}`;
  const [, C] = s.xDims;
  const [M, , kh, kw] = s.wDims;
  const g = s.group > 1 ? ` group ${s.group}` : '';
  return `${s.xDims.join('x')} k${kh}x${kw} ${C}->${M} pad ${s.pads[0]}${g}`;
}

/** Output dims (stride and dilation 1): conv NCHW [N, M, OH, OW], dense [M, N]. */
export function outputDims(s: ConvShape | DenseShape): number[] {
  if (s.kind === 'dense') return [s.aDims[0], s.bDims[1]];
  const [N, , H, W] = s.xDims;
  const [M, , kh, kw] = s.wDims;
  return [N, M, H + s.pads[0] + s.pads[2] - kh + 1, W + s.pads[1] + s.pads[3] - kw + 1];
}

/** Multiply-accumulates of one run (the work both sides do). */
export function macCount(s: ConvShape | DenseShape): number {
  const outputs = size(outputDims(s));
  if (s.kind === 'dense') return outputs * s.aDims[1];
  const [, Cg, kh, kw] = s.wDims;
  return outputs * Cg * kh * kw;
}

/** Deterministic PRNG (mulberry32): every run benchmarks the same numbers. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The two operands of a case: activations and weights, as int8 and as the float values they stand for. */
export interface CaseData {
  readonly xDims: readonly number[];
  readonly wDims: readonly number[];
  readonly xQ: Int8Array;
  readonly wQ: Int8Array;
  /** Per output channel (conv: M, dense: N); the dense case does not use it (its peer is MatMul). */
  readonly biasQ: Int32Array;
  readonly xScale: number;
  readonly wScale: Float32Array;
  readonly outScale: number;
  /** Dequantized values: the float peers compute on exactly these numbers. */
  readonly xF: Float32Array;
  readonly wF: Float32Array;
  readonly biasF: Float32Array;
}

export function caseData(c: BenchCase, seed = 1): CaseData {
  const rand = rng(seed);
  const s = c.shape;
  const xDims = s.kind === 'conv' ? s.xDims : s.aDims;
  const wDims = s.kind === 'conv' ? s.wDims : s.bDims;
  const channels = s.kind === 'conv' ? s.wDims[0] : s.bDims[1];
  const xQ = Int8Array.from({ length: size(xDims) }, () => Math.floor(rand() * 256) - 128);
  const wQ = Int8Array.from({ length: size(wDims) }, () => Math.floor(rand() * 255) - 127);
  const biasQ = Int32Array.from({ length: channels }, () => Math.floor(rand() * 2001) - 1000);
  const xScale = 0.02;
  const wScale = Float32Array.from({ length: channels }, () => 0.002 + rand() * 0.004);
  // Output scale so that +-4 standard deviations of y fit int8 (as a calibrated layer would):
  // uniform int8 values have a standard deviation of about 74, the mean weight scale is 0.004.
  const k = size(wDims) / channels;
  const yStd = xScale * 74 * 0.004 * 74 * Math.sqrt(k);
  const outScale = Math.fround((4 * yStd) / 127);
  const xF = Float32Array.from(xQ, (v) => v * xScale);
  const wF = new Float32Array(wQ.length);
  const biasF = Float32Array.from(biasQ, (b, m) => b * xScale * wScale[m]);
  for (let i = 0; i < wQ.length; i++) {
    // Conv weights are [M, ...]: channel = i / k; dense B is [K, N]: channel = i % N.
    const m = s.kind === 'conv' ? Math.floor(i / k) : i % channels;
    wF[i] = wQ[i] * wScale[m];
  }
  return { xDims, wDims, xQ, wQ, biasQ, xScale, wScale, outScale, xF, wF, biasF };
}
