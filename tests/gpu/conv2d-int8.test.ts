// GPU int8 conv (implicit-im2col GEMM and direct depthwise) vs kernels/conv2d-int8/conv2d-int8.ref.ts,
// bit-exact: accumulators, per-channel overflow statistics, and the requantize epilogue.
import { describe, expect, it } from 'vitest';
import { type ConvInt8GpuParams, conv2dInt8Gpu } from '../../kernels/conv2d-int8/conv2d-int8.js';
import { conv2dInt8 } from '../../kernels/conv2d-int8/conv2d-int8.ref.js';
import type { AccumulatorMode } from '../../kernels/quant-math/accumulator.js';
import { requantizeTensor } from '../../kernels/requantize/requantize.ref.js';
import { expectSameAccumulation, firstMismatch, randomInts, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

interface ConvCase {
  x: number[]; // NCHW
  w: number[]; // M, C/g, KH, KW
  group?: number;
  s?: number;
  d?: number;
  pads?: number[];
  xKind: 'i8' | 'u8';
  zx: number;
  zw: number | 'per-channel';
  bias?: boolean;
}

function name(c: ConvCase): string {
  return (
    `conv x=[${c.x}]${c.xKind} w=[${c.w}] g=${c.group ?? 1} s=${c.s ?? 1} d=${c.d ?? 1}` +
    ` pads=[${c.pads ?? [0, 0, 0, 0]}] zx=${c.zx} zw=${c.zw}${c.bias ? ' bias' : ''}`
  );
}

function build(c: ConvCase, seed: number, accumulator?: AccumulatorMode): ConvInt8GpuParams {
  const rand = rng(seed);
  const xVals =
    c.xKind === 'i8' ? randomInts(rand, size(c.x), -128, 127) : randomInts(rand, size(c.x), 0, 255);
  const M = c.w[0];
  return {
    x: c.xKind === 'i8' ? Int8Array.from(xVals) : Uint8Array.from(xVals),
    xDims: c.x,
    w: Int8Array.from(randomInts(rand, size(c.w), -128, 127)),
    wDims: c.w,
    xZeroPoint: c.zx,
    wZeroPoint: c.zw === 'per-channel' ? randomInts(rand, M, -128, 127) : c.zw,
    bias: c.bias ? randomInts(rand, M, -50000, 50000) : undefined,
    group: c.group,
    strides: [c.s ?? 1, c.s ?? 1],
    dilations: [c.d ?? 1, c.d ?? 1],
    pads: c.pads,
    accumulator,
  };
}

/** Bit-exact with the reference (expectSameAccumulation); returns the reference's result. */
async function expectConvMatches(p: ConvInt8GpuParams): Promise<ReturnType<typeof conv2dInt8>> {
  const ctx = await gpu();
  const got = await conv2dInt8Gpu(ctx, { ...p, stats: true });
  const want = conv2dInt8(p);
  expectSameAccumulation(got, want);
  return want;
}

const GEMM_CASES: ConvCase[] = [
  { x: [1, 3, 8, 8], w: [4, 3, 3, 3], s: 2, xKind: 'i8', zx: -128, zw: 0 },
  {
    x: [1, 3, 8, 8],
    w: [5, 3, 3, 3],
    pads: [1, 1, 1, 1],
    xKind: 'u8',
    zx: 255,
    zw: 'per-channel',
    bias: true,
  },
  { x: [2, 5, 7, 9], w: [7, 5, 1, 1], xKind: 'i8', zx: 127, zw: -128, bias: true },
  {
    x: [1, 6, 9, 9],
    w: [6, 3, 3, 2],
    group: 2,
    d: 2,
    pads: [2, 0, 1, 3],
    xKind: 'u8',
    zx: 0,
    zw: 'per-channel',
  },
  {
    x: [1, 8, 12, 11],
    w: [70, 8, 3, 3],
    s: 1,
    pads: [1, 1, 1, 1],
    xKind: 'i8',
    zx: 3,
    zw: 'per-channel',
    bias: true,
  },
  {
    x: [1, 4, 10, 10],
    w: [4, 1, 3, 3],
    group: 4,
    s: 2,
    pads: [1, 1, 1, 1],
    xKind: 'i8',
    zx: -7,
    zw: 'per-channel',
  },
];

describe('conv2d-int8 (GPU) int32 accumulators vs conv2d-int8.ref', () => {
  GEMM_CASES.forEach((c, i) => {
    for (const dot4 of [true, false]) {
      it(`${name(c)} gemm dot4=${dot4}`, async () => {
        await expectConvMatches({ ...build(c, 300 + i), algorithm: 'gemm', useDot4: dot4 });
      });
    }
  });
});

const DEPTHWISE_CASES: ConvCase[] = [
  {
    x: [1, 5, 9, 9],
    w: [5, 1, 3, 3],
    group: 5,
    pads: [1, 1, 1, 1],
    xKind: 'u8',
    zx: 128,
    zw: 'per-channel',
    bias: true,
  },
  {
    x: [2, 3, 8, 7],
    w: [6, 1, 3, 3],
    group: 3,
    s: 2,
    d: 2,
    pads: [2, 1, 0, 2],
    xKind: 'i8',
    zx: -128,
    zw: 127,
  },
  {
    x: [1, 7, 5, 5],
    w: [7, 1, 5, 5],
    group: 7,
    pads: [2, 2, 2, 2],
    xKind: 'i8',
    zx: 127,
    zw: 'per-channel',
    bias: true,
  },
];

describe('conv2d-int8 direct depthwise vs conv2d-int8.ref', () => {
  DEPTHWISE_CASES.forEach((c, i) => {
    it(`${name(c)} direct-depthwise`, async () => {
      await expectConvMatches({ ...build(c, 400 + i), algorithm: 'direct-depthwise' });
    });
  });
});

describe("conv2d-int8 K order 'hwc' (onnxruntime's channels-last im2col pairs)", () => {
  const pairwise: AccumulatorMode = { kind: 'pairwise-int16-saturate' };
  it('u8 x i8 3x3 with saturating pairs, bit-exact with the reference, and differs from (c, kh, kw)', async () => {
    const p = build(GEMM_CASES[1], 510);
    // u8 activations at 255 with large weights make pairs saturate (255*127*2 > 32767).
    const x = Uint8Array.from(p.x, (v) => (v & 1 ? 255 : v & 0xff));
    const hwc = await expectConvMatches({
      ...p,
      x,
      xZeroPoint: 30,
      accumulator: pairwise,
      algorithm: 'gemm',
      kOrder: 'hwc',
    });
    const chw = conv2dInt8({ ...p, x, xZeroPoint: 30, accumulator: pairwise });
    expect(Array.from(hwc.acc)).not.toEqual(Array.from(chw.acc));
  });
  for (const [i, shape] of [
    { x: [1, 5, 7, 6], w: [6, 5, 3, 3], group: 1 },
    { x: [2, 6, 9, 5], w: [4, 3, 3, 2], group: 2 },
    { x: [1, 7, 5, 5], w: [3, 7, 1, 3], group: 1 },
  ].entries())
    it(`random x=[${shape.x}] w=[${shape.w}] group ${shape.group}: pairwise and int32`, async () => {
      const base = build(
        {
          x: shape.x,
          w: shape.w,
          group: shape.group,
          pads: [1, 0, 1, 1],
          xKind: 'u8',
          zx: 17,
          zw: 'per-channel',
          bias: true,
        },
        520 + i,
      );
      for (const accumulator of [pairwise, { kind: 'int32' } as AccumulatorMode])
        await expectConvMatches({ ...base, accumulator, algorithm: 'gemm', kOrder: 'hwc' });
    });
});

describe('conv2d-int8 accumulator modes (order c, kh, kw) and requantize', () => {
  const modes: AccumulatorMode[] = [{ kind: 'saturate', bits: 14 }, { kind: 'pairwise-int16-saturate' }];
  for (const mode of modes) {
    it(`${name(GEMM_CASES[1])} gemm ${mode.kind}`, async () => {
      await expectConvMatches({ ...build(GEMM_CASES[1], 500), accumulator: mode, algorithm: 'gemm' });
    });
    it(`${name(DEPTHWISE_CASES[2])} direct-depthwise ${mode.kind}`, async () => {
      const p = build(DEPTHWISE_CASES[2], 501);
      // u8 activations at 255 with large weights make pairs saturate (255*127*2 > 32767).
      await expectConvMatches({
        ...p,
        x: Uint8Array.from(p.x, (v) => (v & 1 ? 255 : v & 0xff)),
        xZeroPoint: 30,
        accumulator: mode,
        algorithm: 'direct-depthwise',
      });
    });
  }

  // Narrow accumulators on random data: K = 8*3*3 = 72 (gemm) or 9 (depthwise) products of up to
  // 2^14 sum far past 2^(N-1), so most accumulators wrap or saturate, in the c, kh, kw order.
  const narrow: AccumulatorMode[] = [
    { kind: 'wrap', bits: 9 },
    { kind: 'saturate', bits: 8 },
    { kind: 'saturate', bits: 11 },
  ];
  narrow.forEach((mode, i) => {
    for (const [c, algorithm] of [
      [GEMM_CASES[4], 'gemm'],
      [DEPTHWISE_CASES[2], 'direct-depthwise'],
    ] as const) {
      it(`random ${mode.kind}-${'bits' in mode ? mode.bits : ''} ${algorithm}: overflows often, bit-exact`, async () => {
        const want = await expectConvMatches({ ...build(c, 520 + i), accumulator: mode, algorithm });
        const overflows = want.overflowCount.reduce((x, y) => x + y, 0);
        expect(overflows, `of ${want.acc.length} accumulators`).toBeGreaterThanOrEqual(want.acc.length / 2);
      });
    }
  });

  for (const algorithm of ['gemm', 'direct-depthwise'] as const) {
    it(`requantize ort per-channel weight scales relu ${algorithm}`, async () => {
      const ctx = await gpu();
      const c = algorithm === 'gemm' ? GEMM_CASES[1] : DEPTHWISE_CASES[0];
      const p = build(c, 600);
      const M = c.w[0];
      const weightScale = Array.from({ length: M }, (_, i) => 0.002 + 0.0007 * i);
      const spec = {
        inputScale: 0.011,
        weightScale,
        outputScale: 0.05,
        outputZeroPoint: 7,
        qmin: -128,
        qmax: 127,
        activation: { kind: 'relu' } as const,
      };
      const got = await conv2dInt8Gpu(ctx, { ...p, algorithm, requantize: spec });
      const ref = conv2dInt8(p);
      const want = requantizeTensor({ acc: ref.acc, dims: ref.dims, channelAxis: 1, ...spec });
      expect(firstMismatch(Array.from(got.q!), Array.from(want))).toBeUndefined();
    });
  }
});
