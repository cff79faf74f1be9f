// The buffer-level int8 API (prepare*/record* on caller-owned buffers) and the splitting of work
// above the device limits (tested with artificially low limits), bit-exact vs the *.ref.ts oracles.
import { describe, expect, it } from 'vitest';
import { type ConvInt8GpuParams, conv2dInt8Gpu } from '../../kernels/conv2d-int8/conv2d-int8.js';
import { conv2dInt8 } from '../../kernels/conv2d-int8/conv2d-int8.ref.js';
import {
  type DenseInt8GpuParams,
  denseInt8Gpu,
  prepareDenseInt8,
  recordDenseInt8,
} from '../../kernels/dense-int8/dense-int8.js';
import { denseInt8 } from '../../kernels/dense-int8/dense-int8.ref.js';
import { readBuffer, STORAGE_USAGE, uploadBuffer } from '../../kernels/gpu/buffers.js';
import type { GpuContext } from '../../kernels/gpu/device.js';
import type { SplitLimits } from '../../kernels/gpu/dispatch.js';
import { packInt8 } from '../../kernels/gpu/int8-packing.js';
import { cachedPipelineCount } from '../../kernels/gpu/pipeline-cache.js';
import { requantizeTensor } from '../../kernels/requantize/requantize.ref.js';
import { firstMismatch, randomInts, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

function denseCase(seed: number, aDims: number[], bDims: number[]): DenseInt8GpuParams {
  const rand = rng(seed);
  const N = bDims[bDims.length - 1];
  return {
    a: Uint8Array.from(randomInts(rand, size(aDims), 0, 255)),
    aDims,
    b: Int8Array.from(randomInts(rand, size(bDims), -128, 127)),
    bDims,
    aZeroPoint: 131,
    bZeroPoint: Array.from({ length: N }, (_, i) => (i % 7) - 3),
    bias: randomInts(rand, N, -40000, 40000),
  };
}

async function expectDenseSplit(ctx: GpuContext, p: DenseInt8GpuParams, limits: SplitLimits) {
  const got = await denseInt8Gpu(ctx, { ...p, stats: true }, limits);
  const want = denseInt8(p);
  expect(got.dims).toEqual(want.dims);
  expect(firstMismatch(got.acc!, want.acc)).toBeUndefined();
  expect(firstMismatch(got.overflowCount!, want.overflowCount)).toBeUndefined();
  expect(firstMismatch(got.maxAbs!, want.maxAbs)).toBeUndefined();
}

function convCase(seed: number, xDims: number[], wDims: number[], group: number): ConvInt8GpuParams {
  const rand = rng(seed);
  const M = wDims[0];
  return {
    x: Int8Array.from(randomInts(rand, size(xDims), -128, 127)),
    xDims,
    w: Int8Array.from(randomInts(rand, size(wDims), -128, 127)),
    wDims,
    xZeroPoint: -5,
    wZeroPoint: randomInts(rand, M, -20, 20),
    bias: randomInts(rand, M, -30000, 30000),
    group,
    pads: [1, 1, 1, 1],
  };
}

async function expectConvSplit(ctx: GpuContext, p: ConvInt8GpuParams, limits: SplitLimits) {
  const got = await conv2dInt8Gpu(ctx, { ...p, stats: true }, limits);
  const want = conv2dInt8(p);
  expect(firstMismatch(got.acc!, want.acc)).toBeUndefined();
  expect(firstMismatch(got.overflowCount!, want.overflowCount)).toBeUndefined();
  expect(firstMismatch(got.maxAbs!, want.maxAbs)).toBeUndefined();
}

describe('int8 kernels split above the device limits', () => {
  it('dense [3,200,20]x[20,30]: row-tile windows (maxBindingBytes=8448)', async () => {
    const ctx = await gpu();
    const p = denseCase(1, [3, 200, 20], [20, 30]);
    const limits = { maxBindingBytes: 8448 };
    const prepared = await prepareDenseInt8(ctx, { ...p, aType: 'uint8', bType: 'int8', b: p.b }, limits);
    // 3 batches x 4 row tiles: one dispatch per tile (an int32 tile is 7680 bytes).
    expect(prepared.chunks.length).toBe(12);
    prepared.destroy();
    await expectDenseSplit(ctx, p, limits);
  });

  it('dense broadcast [4,1,70,9]x[3,9,5] with 1 workgroup per grid dimension', async () => {
    const ctx = await gpu();
    const p = denseCase(2, [4, 1, 70, 9], [3, 9, 5]);
    await expectDenseSplit(ctx, p, { maxWorkgroupsPerDimension: 1 });
  });

  it('dense requantized GEMV [5,1,300]x[300,70], windows of a few batches', async () => {
    const ctx = await gpu();
    const p = denseCase(3, [5, 1, 300], [300, 70]);
    const spec = {
      inputScale: 0.02,
      weightScale: 0.003,
      outputScale: 0.4,
      outputZeroPoint: 3,
      qmin: -128,
      qmax: 127,
    };
    const limits = { maxBindingBytes: 21000 + 512 };
    const got = await denseInt8Gpu(ctx, { ...p, requantize: spec }, limits);
    const ref = denseInt8(p);
    const want = requantizeTensor({ acc: ref.acc, dims: ref.dims, channelAxis: 2, ...spec });
    expect(firstMismatch(Array.from(got.q!), Array.from(want))).toBeUndefined();
  });

  it('conv x=[3,4,12,12] w=[6,2,3,3] g=2: per-image windows and one row tile per dispatch', async () => {
    const ctx = await gpu();
    const p = convCase(4, [3, 4, 12, 12], [6, 2, 3, 3], 2);
    await expectConvSplit(ctx, p, { maxBindingBytes: 2048, maxWorkgroupsPerDimension: 1 });
  });

  it('depthwise x=[3,5,9,9]: output-range windows, 1 workgroup per grid dimension', async () => {
    const ctx = await gpu();
    const p = convCase(5, [3, 5, 9, 9], [5, 1, 3, 3], 5);
    await expectConvSplit(ctx, { ...p, algorithm: 'direct-depthwise' }, { maxBindingBytes: 1024 });
    await expectConvSplit(ctx, { ...p, algorithm: 'direct-depthwise' }, { maxWorkgroupsPerDimension: 1 });
  });

  it('a row tile above the binding limit is an error, not a wrong result', async () => {
    const ctx = await gpu();
    const p = denseCase(6, [70, 400], [400, 8]);
    await expect(denseInt8Gpu(ctx, p, { maxBindingBytes: 4096 })).rejects.toThrow(/binding/);
  });
});

describe('int8 record API on caller-owned buffers', () => {
  it('dense prepared once with constant B, recorded twice into one encoder, requantized uint8', async () => {
    const ctx = await gpu();
    const p1 = denseCase(7, [9, 33], [33, 14]);
    const p2 = { ...p1, a: Uint8Array.from(p1.a, (v) => 255 - v) };
    const spec = {
      inputScale: 0.05,
      weightScale: 0.01,
      outputScale: 0.7,
      outputZeroPoint: 100,
      qmin: 0,
      qmax: 255,
    };
    const prepared = await prepareDenseInt8(ctx, {
      ...p1,
      aType: 'uint8',
      bType: 'int8',
      b: p1.b,
      requantize: spec,
      stats: true,
    });
    const a1 = uploadBuffer(ctx, 'test.a1', packInt8(p1.a));
    const a2 = uploadBuffer(ctx, 'test.a2', packInt8(p2.a));
    const out1 = ctx.device.createBuffer({
      label: 'test.out1',
      size: prepared.outBytes,
      usage: STORAGE_USAGE,
    });
    const out2 = ctx.device.createBuffer({
      label: 'test.out2',
      size: prepared.outBytes,
      usage: STORAGE_USAGE,
    });
    const stats = ctx.device.createBuffer({
      label: 'test.stats',
      size: prepared.statsBytes,
      usage: STORAGE_USAGE,
    });
    const encoder = ctx.device.createCommandEncoder();
    recordDenseInt8(ctx, encoder, prepared, { a: a1, out: out1, stats });
    recordDenseInt8(ctx, encoder, prepared, { a: a2, out: out2, stats }, { accumulateStats: true });
    ctx.device.queue.submit([encoder.finish()]);
    const r1 = denseInt8(p1);
    const r2 = denseInt8(p2);
    for (const [out, ref] of [
      [out1, r1],
      [out2, r2],
    ] as const) {
      const got = new Uint8Array(await readBuffer(ctx, out, 9 * 14));
      const want = requantizeTensor({ acc: ref.acc, dims: ref.dims, channelAxis: 1, ...spec });
      expect(firstMismatch(Array.from(got), Array.from(want))).toBeUndefined();
    }
    const s = new Uint32Array(await readBuffer(ctx, stats, prepared.statsBytes));
    const maxAbs = Array.from({ length: 14 }, (_, c) => s[2 * c + 1]);
    const want = Array.from({ length: 14 }, (_, c) => Math.max(r1.maxAbs[c], r2.maxAbs[c]));
    expect(firstMismatch(maxAbs, want)).toBeUndefined();
    for (const b of [a1, a2, out1, out2, stats]) b.destroy();
    prepared.destroy();
  });

  it('dense with B given per run (two activations), batched, int32 output', async () => {
    const ctx = await gpu();
    const p = denseCase(8, [2, 6, 11], [2, 11, 5]);
    const { b: _constant, ...dynamicB } = p;
    const prepared = await prepareDenseInt8(ctx, { ...dynamicB, aType: 'uint8', bType: 'int8' });
    const a = uploadBuffer(ctx, 'test.a', packInt8(p.a));
    const b = uploadBuffer(ctx, 'test.b', packInt8(p.b));
    const out = ctx.device.createBuffer({ label: 'test.out', size: prepared.outBytes, usage: STORAGE_USAGE });
    const encoder = ctx.device.createCommandEncoder();
    expect(() => recordDenseInt8(ctx, encoder, prepared, { a, out })).toThrow(/no B buffer/);
    recordDenseInt8(ctx, encoder, prepared, { a, b, out });
    ctx.device.queue.submit([encoder.finish()]);
    const got = new Int32Array(await readBuffer(ctx, out, prepared.outBytes));
    expect(firstMismatch(got, denseInt8(p).acc)).toBeUndefined();
    for (const x of [a, b, out]) x.destroy();
    prepared.destroy();
  });

  it('requantize scheme, stats and int32/wrap accumulators share one pipeline', async () => {
    const ctx = await gpu();
    const p = denseCase(9, [3, 8], [8, 4]);
    await denseInt8Gpu(ctx, p);
    const before = cachedPipelineCount(ctx);
    const spec = {
      inputScale: 0.1,
      weightScale: 0.1,
      outputScale: 1,
      outputZeroPoint: 0,
      qmin: -128,
      qmax: 127,
    };
    await denseInt8Gpu(ctx, { ...p, stats: true, accumulator: { kind: 'wrap', bits: 20 } });
    await denseInt8Gpu(ctx, { ...p, requantize: { ...spec, scheme: { kind: 'gemmlowp' } } });
    await denseInt8Gpu(ctx, { ...p, requantize: spec, stats: true });
    expect(cachedPipelineCount(ctx)).toBe(before);
  });
});
