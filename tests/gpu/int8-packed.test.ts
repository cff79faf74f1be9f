// The packed int8 kernels (conv2d-int8-packed / depthwise-packed / dense-int8-gemv: exact
// accumulator modes without statistics) vs the references, bit-exact: int32 and wrap-N
// accumulators, odd channel counts (partial channel words), unaligned rows and columns (partial
// output words), strides, dilations, asymmetric pads, groups, uint8 inputs, per-channel zero
// points, accumulators that wrap, and the requantize epilogue (every scheme, int8 and uint8 out).
import { describe, expect, it } from 'vitest';
import { type ConvInt8GpuParams, conv2dInt8Gpu } from '../../kernels/conv2d-int8/conv2d-int8.js';
import { conv2dInt8 } from '../../kernels/conv2d-int8/conv2d-int8.ref.js';
import { type DenseInt8GpuParams, denseInt8Gpu } from '../../kernels/dense-int8/dense-int8.js';
import { denseInt8 } from '../../kernels/dense-int8/dense-int8.ref.js';
import { cachedPipelineCount } from '../../kernels/gpu/pipeline-cache.js';
import type { AccumulatorMode } from '../../kernels/quant-math/accumulator.js';
import { requantizeTensor } from '../../kernels/requantize/requantize.ref.js';
import { firstMismatch, randomInts, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

interface ConvCase {
  x: number[];
  w: number[];
  group?: number;
  s?: [number, number];
  d?: [number, number];
  pads?: number[];
  u8?: boolean;
  zx: number;
  zw: number | 'per-channel';
  bias?: boolean;
}

function buildConv(c: ConvCase, seed: number, accumulator?: AccumulatorMode): ConvInt8GpuParams {
  const rand = rng(seed);
  const xv = c.u8 ? randomInts(rand, size(c.x), 0, 255) : randomInts(rand, size(c.x), -128, 127);
  const M = c.w[0];
  return {
    x: c.u8 ? Uint8Array.from(xv) : Int8Array.from(xv),
    xDims: c.x,
    w: Int8Array.from(randomInts(rand, size(c.w), -128, 127)),
    wDims: c.w,
    xZeroPoint: c.zx,
    wZeroPoint: c.zw === 'per-channel' ? randomInts(rand, M, -128, 127) : c.zw,
    bias: c.bias ? randomInts(rand, M, -50000, 50000) : undefined,
    group: c.group,
    strides: c.s,
    dilations: c.d,
    pads: c.pads,
    accumulator,
    algorithm: 'packed',
  };
}

const CONV_CASES: ConvCase[] = [
  // Unit stride, aligned rows: the one/two-word x reads; 9 output channels: a partial oc block.
  { x: [1, 8, 8, 8], w: [9, 8, 3, 3], pads: [1, 1, 1, 1], zx: 5, zw: 'per-channel', bias: true },
  // Odd channels (partial channel word), odd width (partial output words), uint8, zero point 255.
  { x: [2, 5, 7, 9], w: [7, 5, 1, 1], u8: true, zx: 255, zw: -128, bias: true },
  // Strides, dilations, asymmetric pads, groups: the byte-by-byte x reads.
  {
    x: [1, 6, 9, 11],
    w: [6, 3, 3, 2],
    group: 2,
    s: [2, 1],
    d: [2, 1],
    pads: [2, 0, 1, 3],
    u8: true,
    zx: 0,
    zw: 'per-channel',
  },
  { x: [1, 3, 13, 10], w: [17, 3, 3, 3], s: [2, 2], pads: [1, 1, 1, 1], zx: -128, zw: 0 },
  // 1-wide output: every quad holds one pixel.
  { x: [1, 4, 6, 1], w: [3, 4, 3, 1], pads: [1, 0, 1, 0], zx: 9, zw: 3 },
];

const DEPTHWISE_CASES: ConvCase[] = [
  { x: [1, 6, 8, 8], w: [6, 1, 3, 3], group: 6, pads: [1, 1, 1, 1], zx: 3, zw: 'per-channel', bias: true },
  { x: [2, 4, 9, 7], w: [8, 1, 3, 3], group: 4, s: [2, 2], pads: [1, 0, 1, 2], u8: true, zx: 128, zw: -5 },
  {
    x: [1, 3, 10, 10],
    w: [3, 1, 5, 5],
    group: 3,
    d: [2, 2],
    pads: [4, 4, 4, 4],
    zx: -128,
    zw: 'per-channel',
  },
];

async function expectConv(p: ConvInt8GpuParams): Promise<void> {
  const ctx = await gpu();
  const got = await conv2dInt8Gpu(ctx, p);
  const want = conv2dInt8(p);
  expect(got.dims).toEqual(want.dims);
  expect(got.overflowCount).toBeUndefined();
  expect(firstMismatch(got.acc!, want.acc)).toBeUndefined();
}

const label = (c: ConvCase) =>
  `x=[${c.x}]${c.u8 ? 'u8' : 'i8'} w=[${c.w}] g=${c.group ?? 1} s=${c.s ?? 1} d=${c.d ?? 1} pads=[${c.pads ?? 0}]`;

describe('packed int8 conv vs conv2d-int8.ref', () => {
  for (const [i, c] of [...CONV_CASES, ...DEPTHWISE_CASES].entries()) {
    it(`${label(c)} int32`, async () => {
      await expectConv(buildConv(c, 700 + i));
    });
  }
  it('wrap-12 and int32 wrapping sums (large bias, extreme zero points)', async () => {
    for (const mode of [{ kind: 'wrap', bits: 12 }, { kind: 'int32' }] as const) {
      const p = buildConv(CONV_CASES[0], 750, mode);
      await expectConv({ ...p, bias: Array.from({ length: 9 }, (_, i) => 2147480000 - i * 1000) });
      await expectConv(buildConv(DEPTHWISE_CASES[0], 751, mode));
    }
  });
  // The GEMM-style kernel sums products in f32 blocks of <= 1024 terms (exact below 2^24): near-
  // extreme products whose sums pass 2^24 with odd low bits would round if a block were longer.
  it('f32 product blocks stay exact past 2^24 (Cg > 1024; several taps per block)', async () => {
    for (const [xDims, wDims, pads] of [
      [[1, 1100, 2, 3], [5, 1100, 1, 1], [0, 0, 0, 0]],
      [[1, 200, 5, 6], [9, 200, 3, 3], [1, 1, 1, 1]],
    ] as const) {
      const rand = rng(777);
      const wv = Int8Array.from({ length: size(wDims) }, () => (rand() < 0.5 ? -128 : -127));
      for (const xv of [
        new Int8Array(size(xDims)).fill(-127),
        Int8Array.from(randomInts(rand, size(xDims), -128, 127)),
      ]) {
        await expectConv({
          x: xv,
          xDims: [...xDims],
          w: wv,
          wDims: [...wDims],
          xZeroPoint: 0,
          wZeroPoint: 0,
          pads: [...pads],
          algorithm: 'packed',
        });
      }
    }
  });
  it('a conv with statistics or saturation refuses the packed algorithm', async () => {
    const ctx = await gpu();
    const p = buildConv(CONV_CASES[0], 760);
    await expect(conv2dInt8Gpu(ctx, { ...p, stats: true })).rejects.toThrow(/packed/);
    await expect(conv2dInt8Gpu(ctx, { ...p, accumulator: { kind: 'saturate', bits: 16 } })).rejects.toThrow(
      /packed/,
    );
  });
  for (const [qmin, qmax, zy] of [
    [-128, 127, -3],
    [0, 255, 131],
  ]) {
    for (const scheme of [
      { kind: 'ort' },
      { kind: 'gemmlowp' },
      { kind: 'tvm', rounding: 'TONEAREST' },
    ] as const) {
      it(`requantize ${scheme.kind} out=[${qmin},${qmax}] (auto picks packed)`, async () => {
        const ctx = await gpu();
        for (const [i, c] of [CONV_CASES[0], CONV_CASES[1], DEPTHWISE_CASES[1]].entries()) {
          const p = { ...buildConv(c, 780 + i), algorithm: 'auto' as const };
          const M = c.w[0];
          const spec = {
            scheme,
            inputScale: 0.011,
            weightScale: Array.from({ length: M }, (_, j) => 0.0002 + 0.00007 * j),
            outputScale: 0.05,
            outputZeroPoint: zy,
            qmin,
            qmax,
            activation: { kind: 'relu' } as const,
          };
          const got = await conv2dInt8Gpu(ctx, { ...p, requantize: spec });
          const ref = conv2dInt8(p);
          const want = requantizeTensor({ acc: ref.acc, dims: ref.dims, channelAxis: 1, ...spec });
          expect(firstMismatch(Array.from(got.q!), Array.from(want))).toBeUndefined();
        }
      });
    }
  }
  it('the pipeline of a kernel compiles once for every shape', async () => {
    const ctx = await gpu();
    await expectConv(buildConv(CONV_CASES[3], 790));
    const before = cachedPipelineCount(ctx);
    await expectConv(buildConv(CONV_CASES[4], 791));
    await expectConv(buildConv(CONV_CASES[1], 792));
    expect(cachedPipelineCount(ctx)).toBe(before);
  });
});

describe('packed int8 GEMV vs dense-int8.ref', () => {
  const cases: {
    a: number[];
    b: number[];
    transB?: boolean;
    u8?: boolean;
    za: number | number[];
    zb: number | number[];
  }[] = [
    { a: [1, 64], b: [64, 40], za: 3, zb: -2 },
    { a: [1, 70], b: [70, 9], u8: true, za: 255, zb: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
    { a: [37], b: [13, 37], transB: true, za: -128, zb: 127 },
    { a: [3, 1, 31], b: [2, 1, 31, 6], u8: true, za: 0, zb: 5 },
  ];
  for (const [i, c] of cases.entries()) {
    for (const mode of [{ kind: 'int32' }, { kind: 'wrap', bits: 10 }] as const) {
      it(`a=[${c.a}] b=[${c.b}]${c.transB ? 'T' : ''} ${mode.kind}`, async () => {
        const ctx = await gpu();
        const rand = rng(800 + i);
        const na = size(c.a);
        const av = c.u8 ? randomInts(rand, na, 0, 255) : randomInts(rand, na, -128, 127);
        const N = c.transB ? c.b.at(-2)! : c.b.at(-1)!;
        const p: DenseInt8GpuParams = {
          a: c.u8 ? Uint8Array.from(av) : Int8Array.from(av),
          aDims: c.a,
          b: Int8Array.from(randomInts(rand, size(c.b), -128, 127)),
          bDims: c.b,
          transB: c.transB,
          aZeroPoint: c.za,
          bZeroPoint: c.zb,
          bias: randomInts(rand, N, -2147483648, 2147483647),
          accumulator: mode,
        };
        const got = await denseInt8Gpu(ctx, p);
        const want = denseInt8(p);
        expect(got.dims).toEqual(want.dims);
        expect(firstMismatch(got.acc!, want.acc)).toBeUndefined();
      });
    }
  }
  // Near-extreme odd products whose sums pass 2^24 (an f32 accumulator would round them).
  it('sums past 2^24 stay exact (K = 1100)', async () => {
    const ctx = await gpu();
    const rand = rng(820);
    const [K, N] = [1100, 7];
    const p: DenseInt8GpuParams = {
      a: new Int8Array(K).fill(-127),
      aDims: [1, K],
      b: Int8Array.from({ length: K * N }, () => (rand() < 0.5 ? -128 : -127)),
      bDims: [K, N],
      aZeroPoint: 0,
      bZeroPoint: 0,
    };
    const got = await denseInt8Gpu(ctx, p);
    expect(firstMismatch(got.acc!, denseInt8(p).acc)).toBeUndefined();
  });
});
