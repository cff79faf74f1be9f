// GPU int8 dense/GEMM (and GEMV) vs kernels/dense-int8/dense-int8.ref.ts, bit-exact: accumulators,
// overflow statistics, and the requantize epilogue vs kernels/requantize/requantize.ref.ts.
import { describe, expect, it } from 'vitest';
import { type DenseInt8GpuParams, denseInt8Gpu } from '../../kernels/dense-int8/dense-int8.js';
import { denseInt8 } from '../../kernels/dense-int8/dense-int8.ref.js';
import { type AccumulatorMode, MAX_ABS_U32 } from '../../kernels/quant-math/accumulator.js';
import { requantizeTensor } from '../../kernels/requantize/requantize.ref.js';
import { expectSameAccumulation, firstMismatch, randomInts, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

type Kind = 'i8' | 'u8';
function data(kind: Kind, values: number[]): Int8Array | Uint8Array {
  return kind === 'i8' ? Int8Array.from(values) : Uint8Array.from(values);
}
function randomData(rand: () => number, kind: Kind, n: number): Int8Array | Uint8Array {
  return kind === 'i8' ? data(kind, randomInts(rand, n, -128, 127)) : data(kind, randomInts(rand, n, 0, 255));
}
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

/** Bit-exact with the reference (expectSameAccumulation); returns the reference's result. */
async function expectDenseMatches(p: DenseInt8GpuParams): Promise<ReturnType<typeof denseInt8>> {
  const ctx = await gpu();
  const got = await denseInt8Gpu(ctx, { ...p, stats: true });
  const want = denseInt8(p);
  expectSameAccumulation(got, want);
  return want;
}

interface ShapeCase {
  aDims: number[];
  bDims: number[];
  transB?: boolean;
  a: Kind;
  b: Kind;
  za: number | number[];
  zb: number | number[];
  bias?: boolean;
}

const SHAPES: ShapeCase[] = [
  { aDims: [1, 8], bDims: [8, 5], a: 'i8', b: 'i8', za: 0, zb: 0 },
  { aDims: [1, 37], bDims: [37, 70], a: 'u8', b: 'i8', za: 128, zb: 0, bias: true },
  { aDims: [3, 5], bDims: [5, 3], a: 'i8', b: 'u8', za: -128, zb: 255 },
  { aDims: [7, 13], bDims: [13, 9], a: 'i8', b: 'i8', za: 127, zb: -128, bias: true },
  { aDims: [65, 67], bDims: [67, 66], a: 'u8', b: 'u8', za: 0, zb: 255, bias: true },
  { aDims: [33, 1], bDims: [1, 17], a: 'i8', b: 'i8', za: -5, zb: 3 },
  { aDims: [2, 1, 5, 6], bDims: [3, 6, 7], a: 'i8', b: 'i8', za: 1, zb: -1 },
  {
    aDims: [9, 10],
    bDims: [11, 10],
    transB: true,
    a: 'u8',
    b: 'i8',
    za: 77,
    zb: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  },
  { aDims: [10], bDims: [10, 4], a: 'i8', b: 'i8', za: 0, zb: 0, bias: true },
  { aDims: [4, 10], bDims: [10], a: 'i8', b: 'u8', za: [1, -2, 3, -4], zb: 200 },
  {
    aDims: [2, 3, 4],
    bDims: [2, 4, 5],
    a: 'i8',
    b: 'i8',
    za: [0, 1, 2, 3, 4, 5],
    zb: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
  },
];

function shapeName(s: ShapeCase): string {
  return `a=[${s.aDims}]${s.a} b=[${s.bDims}]${s.b}${s.transB ? ' transB' : ''} za=${s.za} zb=${s.zb}${s.bias ? ' bias' : ''}`;
}

function buildCase(s: ShapeCase, seed: number): DenseInt8GpuParams {
  const rand = rng(seed);
  const n = s.transB ? s.bDims[s.bDims.length - 2] : s.bDims.length === 1 ? 1 : s.bDims[s.bDims.length - 1];
  return {
    a: randomData(rand, s.a, size(s.aDims)),
    aDims: s.aDims,
    b: randomData(rand, s.b, size(s.bDims)),
    bDims: s.bDims,
    transB: s.transB,
    aZeroPoint: s.za,
    bZeroPoint: s.zb,
    bias: s.bias ? randomInts(rand, n, -100000, 100000) : undefined,
  };
}

describe('dense-int8 (GPU) int32 accumulators vs dense-int8.ref', () => {
  SHAPES.forEach((s, i) => {
    for (const dot4 of [true, false]) {
      it(`dense ${shapeName(s)} dot4=${dot4}`, async () => {
        await expectDenseMatches({ ...buildCase(s, 100 + i), useDot4: dot4 });
      });
    }
  });

  it('dense edge values: all -128 / 127 / 0 with extreme zero points', async () => {
    for (const v of [-128, 127, 0]) {
      const a = Int8Array.from({ length: 6 * 9 }, () => v);
      const b = Int8Array.from({ length: 9 * 5 }, (_, i) => (i % 2 ? -128 : 127));
      await expectDenseMatches({
        a,
        aDims: [6, 9],
        b,
        bDims: [9, 5],
        aZeroPoint: v === 0 ? 127 : -v - 1,
        bZeroPoint: -128,
      });
    }
  });
});

/** Constant operands so the exact sum is K * a * b + bias: placed at a chosen boundary. */
function boundaryCase(
  mode: AccumulatorMode,
  exact: number,
  a: number,
  b: number,
  K: number,
): DenseInt8GpuParams {
  const bias = exact - K * a * b;
  return {
    a: Int8Array.from({ length: 2 * K }, () => a),
    aDims: [2, K],
    b: Int8Array.from({ length: K * 3 }, () => b),
    bDims: [K, 3],
    bias: [bias, bias, bias],
    accumulator: mode,
  };
}

describe('dense-int8 accumulator modes at their overflow boundaries', () => {
  for (const bits of [16, 24, 32]) {
    const top = 2 ** (bits - 1) - 1;
    for (const kind of ['wrap', 'saturate'] as const) {
      const mode: AccumulatorMode = { kind, bits };
      for (const [label, exact] of [
        ['below max', top],
        ['above max', top + 1],
        ['below min', -top - 1],
        ['above min', -top - 2],
      ] as const) {
        it(`${kind}-${bits} ${label} (exact=${exact})`, async () => {
          await expectDenseMatches(boundaryCase(mode, exact, exact > 0 ? 127 : -128, 127, 40));
        });
      }
    }
  }
  for (const [label, exact] of [
    ['below', 2 ** 31 - 1],
    ['above', 2 ** 31],
  ] as const) {
    it(`int32 wrap ${label} 2^31 (exact=${exact})`, async () => {
      await expectDenseMatches(boundaryCase({ kind: 'int32' }, exact, 127, 127, 40));
    });
  }

  for (const [label, w] of [
    ['pair just below int16', 64],
    ['pair just above int16', 65],
  ] as const) {
    it(`pairwise-int16-saturate ${label} (u8 255 x ${w})`, async () => {
      // 255 * w * 2 per pair: 32640 fits int16, 33150 saturates; odd K=9 ends with a half pair.
      await expectDenseMatches({
        a: Uint8Array.from({ length: 2 * 9 }, () => 255),
        aDims: [2, 9],
        b: Int8Array.from({ length: 9 * 3 }, () => w),
        bDims: [9, 3],
        aZeroPoint: 3,
        bZeroPoint: -2,
        accumulator: { kind: 'pairwise-int16-saturate' },
      });
    });
  }

  const RANDOM_MODES: AccumulatorMode[] = [
    { kind: 'saturate', bits: 12 },
    { kind: 'saturate', bits: 16 },
    { kind: 'wrap', bits: 10 },
    { kind: 'pairwise-int16-saturate' },
  ];
  for (const mode of RANDOM_MODES) {
    for (const [a, b] of [
      ['i8', 'i8'],
      ['u8', 'u8'],
    ] as const) {
      it(`random ${mode.kind}${'bits' in mode ? `-${mode.bits}` : ''} a=${a} b=${b} [5,71]x[71,9] (order matters)`, async () => {
        const rand = rng(17);
        await expectDenseMatches({
          a: randomData(rand, a, 5 * 71),
          aDims: [5, 71],
          b: randomData(rand, b, 71 * 9),
          bDims: [71, 9],
          aZeroPoint: a === 'u8' ? 131 : -3,
          bZeroPoint: b === 'u8' ? 120 : 2,
          bias: randomInts(rand, 9, -3000, 3000),
          accumulator: mode,
          useDot4: false,
        });
      });
    }
  }
});

describe('dense-int8 narrow accumulators on random data: both overflow often, bit-exact', () => {
  // K = 97 random products (|p| up to 2^14) sum far past 2^(N-1) for N <= 12: most accumulators
  // wrap or saturate, many of them several times along K, so the order of every clamp counts.
  const modes: AccumulatorMode[] = [
    { kind: 'wrap', bits: 8 },
    { kind: 'wrap', bits: 11 },
    { kind: 'saturate', bits: 8 },
    { kind: 'saturate', bits: 10 },
    { kind: 'saturate', bits: 12 },
  ];
  modes.forEach((mode, i) => {
    for (const [a, b] of [
      ['i8', 'i8'],
      ['u8', 'i8'],
    ] as const) {
      it(`random ${mode.kind}-${'bits' in mode ? mode.bits : ''} a=${a} b=${b} [6,97]x[97,10]`, async () => {
        const rand = rng(400 + 7 * i + (a === 'u8' ? 1 : 0));
        const want = await expectDenseMatches({
          a: randomData(rand, a, 6 * 97),
          aDims: [6, 97],
          b: randomData(rand, b, 97 * 10),
          bDims: [97, 10],
          aZeroPoint: a === 'u8' ? randomInts(rand, 1, 0, 255)[0] : randomInts(rand, 1, -20, 20)[0],
          bZeroPoint: randomInts(rand, 10, -10, 10),
          bias: randomInts(rand, 10, -5000, 5000),
          accumulator: mode,
        });
        const overflows = want.overflowCount.reduce((x, y) => x + y, 0);
        expect(overflows, 'accumulators that overflowed (of 60)').toBeGreaterThanOrEqual(45);
      });
    }
  });
});

describe('dense-int8 max |exact acc| above 2^32', () => {
  // K = 33100 products of +-255 * 255 plus a bias of +-2^31: |exact| = 4299811147 > 2^32. The
  // reference keeps the exact value; the GPU keeps max |acc| in a u32 and reports 2^32 - 1, the cap
  // of the statistics' contract (kernels/quant-math/accumulator.ts). Values and counts bit-exact.
  const K = 33100;
  const modes: AccumulatorMode[] = [
    { kind: 'int32' },
    { kind: 'wrap', bits: 20 },
    { kind: 'saturate', bits: 20 },
  ];
  for (const mode of modes) {
    it(`${mode.kind}${'bits' in mode ? `-${mode.bits}` : ''}: GPU max |acc| = 2^32 - 1, reference exact`, async () => {
      const p: DenseInt8GpuParams = {
        a: new Int8Array(2 * K).fill(-128),
        aDims: [2, K],
        b: Int8Array.from({ length: K * 2 }, (_, i) => (i % 2 ? 127 : -128)),
        bDims: [K, 2],
        aZeroPoint: 127,
        bZeroPoint: [127, -128],
        bias: [2 ** 31 - 1, -(2 ** 31)],
        accumulator: mode,
      };
      const want = await expectDenseMatches(p);
      expect(Array.from(want.maxAbs)).toEqual([4299811147, 4299811148]);
      expect(Array.from(want.overflowCount)).toEqual([2, 2]);
      const got = await denseInt8Gpu(await gpu(), { ...p, stats: true });
      expect(Array.from(got.maxAbs!)).toEqual([MAX_ABS_U32, MAX_ABS_U32]);
    });
  }
});

describe('dense-int8 requantize epilogue vs requantize.ref', () => {
  const schemes = [
    { kind: 'ort' },
    { kind: 'gemmlowp' },
    { kind: 'tvm' },
    { kind: 'tvm', rounding: 'TONEAREST' },
  ] as const;
  const activations = [{ kind: 'none' }, { kind: 'relu' }, { kind: 'clip', min: -0.5, max: 2 }] as const;
  for (const scheme of schemes) {
    for (const activation of activations) {
      for (const [qmin, qmax, zy] of [
        [-128, 127, -3],
        [0, 255, 131],
      ]) {
        it(`requantize ${scheme.kind}${'rounding' in scheme ? `-${scheme.rounding}` : ''} act=${activation.kind} out=[${qmin},${qmax}] zy=${zy}`, async () => {
          const ctx = await gpu();
          const rand = rng(5);
          const p: DenseInt8GpuParams = {
            a: randomData(rand, 'u8', 6 * 40),
            aDims: [6, 40],
            b: randomData(rand, 'i8', 40 * 11),
            bDims: [40, 11],
            aZeroPoint: 120,
            bias: randomInts(rand, 11, -20000, 20000),
          };
          const weightScale = Array.from({ length: 11 }, (_, i) => 0.001 * (i + 1) + 0.0003);
          const spec = {
            scheme,
            inputScale: 0.0173,
            weightScale,
            outputScale: 0.09,
            outputZeroPoint: zy,
            qmin,
            qmax,
            activation,
          };
          const got = await denseInt8Gpu(ctx, { ...p, requantize: spec });
          const acc = denseInt8(p).acc;
          const want = requantizeTensor({ acc, dims: [6, 11], channelAxis: 1, ...spec });
          expect(firstMismatch(Array.from(got.q!), Array.from(want))).toBeUndefined();
        });
      }
    }
  }
});
