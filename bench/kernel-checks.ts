// Kernel-vs-oracle checks that run inside the browser, on the browser's own WebGPU adapter
// (tests/e2e/kernels.spec.ts drives them through bench/kernel-test.html). The Node GPU tests
// (tests/gpu/) cover the same kernels on Dawn; these prove the browser build agrees bit for bit:
// the WGSL files load through Vite's asset URLs, and Chromium's WGSL compiler and adapter give
// the same integers as the pure-TS references.
import { conv2dInt8Gpu } from '../kernels/conv2d-int8/conv2d-int8.js';
import { conv2dInt8 } from '../kernels/conv2d-int8/conv2d-int8.ref.js';
import { denseInt8Gpu } from '../kernels/dense-int8/dense-int8.js';
import { denseInt8 } from '../kernels/dense-int8/dense-int8.ref.js';
import type { GpuContext } from '../kernels/gpu/device.js';
import type { Int8KernelResult, RequantizeSpec } from '../kernels/gpu/int8-gemm.js';
import type { AccumulatorMode, Int8Data, IntAccumulation } from '../kernels/quant-math/accumulator.js';
import { dequantizeGpu, quantizeGpu } from '../kernels/quantize/quantize.js';
import { dequantizeLinear, quantizeLinear } from '../kernels/quantize/quantize.ref.js';
import { requantizeTensor } from '../kernels/requantize/requantize.ref.js';
import { makeTensor } from '../kernels/tensor.js';
import { nearTies } from './near-ties.js';
import { rng } from './bench-cases.js';

/** One check: its name and, when it failed, what differed. */
export interface CheckResult {
  readonly name: string;
  readonly mismatch?: string;
}

type Rand = () => number;
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);
const ints = (rand: Rand, n: number, lo: number, hi: number) =>
  Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo + 1)));
const int = (rand: Rand, lo: number, hi: number) => ints(rand, 1, lo, hi)[0];
const bytes = (rand: Rand, signed: boolean, n: number): Int8Data =>
  signed ? Int8Array.from(ints(rand, n, -128, 127)) : Uint8Array.from(ints(rand, n, 0, 255));

/** First difference of two sequences (NaN equals NaN, -0 differs from 0), or undefined. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): string | undefined {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) return `at ${i}: got ${got[i]}, expected ${want[i]}`;
  }
  return undefined;
}

/** GPU result vs the reference: accumulators and statistics, or the requantized values. */
function compare(
  got: Int8KernelResult,
  want: IntAccumulation,
  channelAxis: number,
  rq?: RequantizeSpec,
): string | undefined {
  if (firstMismatch(got.dims, want.dims)) return `dims [${got.dims}], expected [${want.dims}]`;
  if (rq) {
    const q = requantizeTensor({ acc: want.acc, dims: want.dims, channelAxis, ...rq });
    return got.q ? firstMismatch(got.q, q) : 'no requantized output';
  }
  if (!got.acc || !got.overflowCount || !got.maxAbs) return 'missing accumulators or statistics';
  const acc = firstMismatch(got.acc, want.acc);
  if (acc) return `acc ${acc}`;
  const overflow = firstMismatch(got.overflowCount, want.overflowCount);
  if (overflow) return `overflowCount ${overflow}`;
  const maxAbs = firstMismatch(got.maxAbs, want.maxAbs);
  return maxAbs ? `maxAbs ${maxAbs}` : undefined;
}

function requantize(rand: Rand, channels: number, signedOut: boolean): RequantizeSpec {
  return {
    inputScale: 0.01 + rand() * 0.02,
    weightScale: Array.from({ length: channels }, () => 0.001 + rand() * 0.01),
    outputScale: 0.5 + rand() * 4,
    outputZeroPoint: signedOut ? int(rand, -20, 20) : int(rand, 100, 150),
    qmin: signedOut ? -128 : 0,
    qmax: signedOut ? 127 : 255,
    activation: rand() < 0.3 ? { kind: 'relu' } : { kind: 'none' },
  };
}

const SATURATE_16: AccumulatorMode = { kind: 'saturate', bits: 16 };
const PAIRWISE: AccumulatorMode = { kind: 'pairwise-int16-saturate' };

interface DenseCase {
  aDims: number[];
  bDims: number[];
  transB?: boolean;
  accumulator?: AccumulatorMode;
  requant?: boolean;
  useDot4?: boolean;
}

const DENSE_CASES: DenseCase[] = [
  { aDims: [1, 37], bDims: [37, 70], requant: true },
  { aDims: [7, 13], bDims: [13, 9] },
  { aDims: [65, 67], bDims: [67, 66], useDot4: false },
  { aDims: [9, 10], bDims: [11, 10], transB: true },
  { aDims: [2, 1, 5, 6], bDims: [3, 6, 7], requant: true },
  { aDims: [4, 33], bDims: [33, 5], accumulator: SATURATE_16 },
  { aDims: [3, 20], bDims: [20, 6], accumulator: PAIRWISE },
];

/** Random dense shapes: M 1..9, K 1..48, N 1..40. */
function randomDenseCases(rand: Rand, n: number): DenseCase[] {
  return Array.from({ length: n }, () => {
    const [M, K, N] = [int(rand, 1, 9), int(rand, 1, 48), int(rand, 1, 40)];
    return { aDims: [M, K], bDims: [K, N], requant: rand() < 0.5 };
  });
}

export async function checkDense(ctx: GpuContext, seed: number): Promise<CheckResult[]> {
  const rand = rng(seed);
  const results: CheckResult[] = [];
  for (const c of [...DENSE_CASES, ...randomDenseCases(rand, 6)]) {
    const aSigned = rand() < 0.5;
    const bSigned = rand() < 0.5;
    const N = c.transB ? c.bDims[c.bDims.length - 2] : c.bDims[c.bDims.length - 1];
    const p = {
      a: bytes(rand, aSigned, size(c.aDims)),
      aDims: c.aDims,
      b: bytes(rand, bSigned, size(c.bDims)),
      bDims: c.bDims,
      aZeroPoint: aSigned ? int(rand, -128, 127) : int(rand, 0, 255),
      bZeroPoint: rand() < 0.5 ? ints(rand, N, bSigned ? -128 : 0, bSigned ? 127 : 255) : bSigned ? 3 : 200,
      bias: rand() < 0.6 ? ints(rand, N, -40000, 40000) : undefined,
      transB: c.transB,
      accumulator: c.accumulator,
    };
    const rq = c.requant ? requantize(rand, N, rand() < 0.5) : undefined;
    const name = `dense [${c.aDims}]x[${c.bDims}]${c.transB ? 'ᵀ' : ''} ${aSigned ? 'i8' : 'u8'}·${bSigned ? 'i8' : 'u8'} ${c.accumulator?.kind ?? 'int32'}${rq ? ' requantize' : ''}${c.useDot4 === false ? ' no-dot4' : ''}`;
    const got = await denseInt8Gpu(ctx, { ...p, requantize: rq, stats: !rq, useDot4: c.useDot4 });
    results.push({ name, mismatch: compare(got, denseInt8(p), got.dims.length - 1, rq) });
  }
  return results;
}

interface ConvCase {
  x: number[];
  w: number[];
  group?: number;
  stride?: number;
  dilation?: number;
  pads?: number[];
  accumulator?: AccumulatorMode;
  requant?: boolean;
  algorithm?: 'gemm' | 'direct-depthwise';
}

const CONV_CASES: ConvCase[] = [
  { x: [1, 3, 8, 8], w: [4, 3, 3, 3], stride: 2 },
  { x: [1, 3, 8, 8], w: [5, 3, 3, 3], pads: [1, 1, 1, 1], requant: true },
  { x: [2, 5, 7, 9], w: [7, 5, 1, 1] },
  { x: [1, 6, 9, 9], w: [6, 3, 3, 2], group: 2, dilation: 2, pads: [2, 0, 1, 3] },
  { x: [1, 8, 12, 11], w: [70, 8, 3, 3], pads: [1, 1, 1, 1], requant: true },
  { x: [1, 4, 10, 10], w: [8, 4, 3, 3], pads: [1, 1, 1, 1], accumulator: PAIRWISE },
];

/** Depthwise convs (group = C): the direct kernel, and the GEMM path on the same shape. */
const DEPTHWISE_CASES: ConvCase[] = [
  { x: [1, 5, 9, 9], w: [5, 1, 3, 3], group: 5, pads: [1, 1, 1, 1] },
  { x: [1, 5, 9, 9], w: [5, 1, 3, 3], group: 5, pads: [1, 1, 1, 1], requant: true },
  { x: [2, 3, 8, 7], w: [6, 1, 3, 3], group: 3, stride: 2, dilation: 2, pads: [2, 1, 0, 2] },
  { x: [1, 16, 6, 6], w: [16, 1, 3, 3], group: 16, pads: [1, 1, 1, 1], algorithm: 'gemm' },
  { x: [1, 6, 7, 7], w: [6, 1, 5, 5], group: 6, pads: [2, 2, 2, 2], accumulator: SATURATE_16 },
];

function randomConvCases(rand: Rand, n: number): ConvCase[] {
  return Array.from({ length: n }, () => {
    const group = rand() < 0.3 ? 2 : 1;
    const C = group * int(rand, 1, 4);
    const M = group * int(rand, 1, 6);
    const [kh, kw] = [int(rand, 1, 3), int(rand, 1, 3)];
    const pads = ints(rand, 4, 0, 1);
    return {
      x: [int(rand, 1, 2), C, int(rand, kh, 9), int(rand, kw, 9)],
      w: [M, C / group, kh, kw],
      group,
      stride: int(rand, 1, 2),
      pads,
      requant: rand() < 0.5,
    };
  });
}

async function checkConvCases(ctx: GpuContext, rand: Rand, cases: ConvCase[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of cases) {
    const xSigned = rand() < 0.5;
    const M = c.w[0];
    const p = {
      x: bytes(rand, xSigned, size(c.x)),
      xDims: c.x,
      w: Int8Array.from(ints(rand, size(c.w), -128, 127)),
      wDims: c.w,
      xZeroPoint: xSigned ? int(rand, -128, 127) : int(rand, 0, 255),
      wZeroPoint: rand() < 0.5 ? ints(rand, M, -128, 127) : int(rand, -5, 5),
      bias: rand() < 0.6 ? ints(rand, M, -40000, 40000) : undefined,
      group: c.group,
      strides: [c.stride ?? 1, c.stride ?? 1],
      dilations: [c.dilation ?? 1, c.dilation ?? 1],
      pads: c.pads,
      accumulator: c.accumulator,
    };
    const rq = c.requant ? requantize(rand, M, rand() < 0.5) : undefined;
    const name = `conv x=[${c.x}]${xSigned ? 'i8' : 'u8'} w=[${c.w}] g=${c.group ?? 1} s=${c.stride ?? 1} d=${c.dilation ?? 1} pads=[${c.pads ?? [0, 0, 0, 0]}] ${c.accumulator?.kind ?? 'int32'}${rq ? ' requantize' : ''} ${c.algorithm ?? 'auto'}`;
    const got = await conv2dInt8Gpu(ctx, { ...p, requantize: rq, stats: !rq, algorithm: c.algorithm });
    results.push({ name, mismatch: compare(got, conv2dInt8(p), 1, rq) });
  }
  return results;
}

export function checkConv(ctx: GpuContext, seed: number): Promise<CheckResult[]> {
  const rand = rng(seed);
  return checkConvCases(ctx, rand, [...CONV_CASES, ...randomConvCases(rand, 5)]);
}

export function checkDepthwise(ctx: GpuContext, seed: number): Promise<CheckResult[]> {
  return checkConvCases(ctx, rng(seed), DEPTHWISE_CASES);
}

const SPECIALS = [0, -0, Number.NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38];

export async function checkQuantize(ctx: GpuContext, seed: number): Promise<CheckResult[]> {
  const rand = rng(seed);
  const results: CheckResult[] = [];
  const ranges: [string, number, number, number][] = [
    ['int8', -128, 127, 0],
    ['int8', -128, 127, -128],
    ['uint8', 0, 255, 128],
    ['uint8', 0, 255, 0],
  ];
  for (const scale of [0.1, 0.0078125, 1 / 3, 17.25, 6.1e-5].map(Math.fround)) {
    for (const [dtype, qmin, qmax, zp] of ranges) {
      const values = [...nearTies(scale, -140, 140), ...nearTies(scale, 250, 260), ...SPECIALS];
      const x = Float32Array.from(values);
      const got = await quantizeGpu(ctx, x, {
        dims: [x.length],
        scale: [scale],
        zeroPoint: [zp],
        qmin,
        qmax,
      });
      const want = quantizeLinear(
        makeTensor('float32', [x.length], x),
        { scale: [scale], scaleDims: [1], zeroPoint: [zp] },
        dtype as 'int8',
      );
      results.push({
        name: `quantize near ties s=${scale} ${dtype} zp=${zp}`,
        mismatch: firstMismatch(got, want.data as Int8Array),
      });
    }
  }
  // Per axis (channels on axis 1), random values and scales, then dequantize back.
  const dims = [2, 3, 5, 4];
  const scale = Array.from({ length: 3 }, () => Math.fround(0.001 + rand() * 0.1));
  const zeroPoint = ints(rand, 3, -10, 10);
  const x = Float32Array.from({ length: size(dims) }, () => (rand() - 0.5) * 30);
  const q = await quantizeGpu(ctx, x, { dims, scale, zeroPoint, axis: 1, qmin: -128, qmax: 127 });
  const params = { scale, scaleDims: [3], zeroPoint, axis: 1 };
  const wantQ = quantizeLinear(makeTensor('float32', dims, x), params, 'int8');
  results.push({ name: 'quantize per axis 1 int8', mismatch: firstMismatch(q, wantQ.data as Int8Array) });
  const y = await dequantizeGpu(ctx, wantQ.data as Int8Array, {
    dims,
    scale,
    zeroPoint,
    axis: 1,
    qmin: -128,
    qmax: 127,
  });
  const wantY = dequantizeLinear(wantQ, params);
  results.push({
    name: 'dequantize per axis 1 int8',
    mismatch: firstMismatch(y, wantY.data as Float32Array),
  });
  return results;
}

export const CHECKS = {
  dense: checkDense,
  conv: checkConv,
  depthwise: checkDepthwise,
  quantize: checkQuantize,
} as const;

export type CheckFamily = keyof typeof CHECKS;
