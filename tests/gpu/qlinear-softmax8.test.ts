// QLinearSoftmax on the GPU (kernels/qlinear-softmax/qlinear-softmax8.ts) vs qlinear-softmax.ref.ts
// byte for byte: the exact f32 quotient (integer long division in WGSL) over many random rows,
// inner axes, opset < 13 coercion, zero points at the extremes, output scales that saturate, and
// a direct check of the division against JavaScript's correctly rounded one.
import { describe, expect, it } from 'vitest';
import { createStorageBuffer, readBuffer, uploadBuffer } from '../../kernels/gpu/buffers.js';
import { loadWgsl } from '../../kernels/gpu/wgsl-loader.js';
import { qlinearSoftmax } from '../../kernels/qlinear-softmax/qlinear-softmax.ref.js';
import {
  prepareQLinearSoftmax8,
  qlinearSoftmax8Applies,
} from '../../kernels/qlinear-softmax/qlinear-softmax8.js';
import { runOnGpu } from './float-kernel-helpers.js';
import { firstMismatch, randomInts, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
type D = 'int8' | 'uint8';

interface Case {
  dtype: D;
  dims: number[];
  axis: number;
  opset: number;
  xs: number;
  ys: number;
  zy: number;
  data?: Int8Array | Uint8Array;
}

function padded(d: Int8Array | Uint8Array): Uint8Array {
  const p = new Uint8Array(Math.max(4, Math.ceil(d.length / 4) * 4));
  p.set(new Uint8Array(d.buffer, d.byteOffset, d.length));
  return p;
}

/** Runs one case; false when the host declined it (then the CPU keeps the op). */
async function check(c: Case, seed: number): Promise<boolean> {
  const ctx = await gpu();
  const n = c.dims.reduce((a, b) => a * b, 1);
  const r = rng(seed);
  const x =
    c.data ??
    (c.dtype === 'int8'
      ? Int8Array.from(randomInts(r, n, -128, 127))
      : Uint8Array.from(randomInts(r, n, 0, 255)));
  const want = qlinearSoftmax({
    x,
    dims: c.dims,
    axis: c.axis,
    opset: c.opset,
    xScale: c.xs,
    yScale: c.ys,
    yZeroPoint: c.zy,
  });
  const params = {
    dtype: c.dtype,
    dims: c.dims,
    axis: c.axis,
    opset: c.opset,
    xScale: c.xs,
    yScale: c.ys,
    yZeroPoint: c.zy,
  };
  if (!qlinearSoftmax8Applies(params)) return false;
  const out = await runOnGpu(ctx, [padded(x)], Math.max(4, Math.ceil(n / 4) * 4), async ([gx], o) =>
    prepareQLinearSoftmax8(ctx, gx, o, params),
  );
  const got = c.dtype === 'int8' ? new Int8Array(out, 0, n) : new Uint8Array(out, 0, n);
  expect(firstMismatch(got, want), JSON.stringify({ ...c, data: undefined })).toBeUndefined();
  return true;
}

describe('QLinearSoftmax on the GPU', () => {
  it('the usual scales (1/256), zero points at the extremes, both types', async () => {
    for (const dtype of ['int8', 'uint8'] as const)
      for (const zy of dtype === 'int8' ? [-128, 0, 127] : [0, 128, 255])
        for (const xs of [0.01, 0.1, 0.5, 2])
          expect(
            await check(
              { dtype, dims: [3, 17], axis: 1, opset: 13, xs, ys: 1 / 256, zy },
              Math.round(xs * 100) + zy,
            ),
          ).toBe(true);
  });

  it('inner axes and opset < 13 coercion', async () => {
    for (const dtype of ['int8', 'uint8'] as const) {
      expect(
        await check(
          {
            dtype,
            dims: [2, 5, 3, 4],
            axis: 1,
            opset: 13,
            xs: 0.07,
            ys: 1 / 200,
            zy: dtype === 'int8' ? -128 : 0,
          },
          1,
        ),
      ).toBe(true);
      expect(
        await check(
          {
            dtype,
            dims: [2, 5, 3, 4],
            axis: 2,
            opset: 11,
            xs: 0.07,
            ys: 1 / 250,
            zy: dtype === 'int8' ? -100 : 3,
          },
          2,
        ),
      ).toBe(true);
      expect(
        await check({ dtype, dims: [4, 1000], axis: 1, opset: 13, xs: 0.2, ys: 1 / 256, zy: 0 }, 3),
      ).toBe(true);
    }
  });

  it('saturation: constant rows, one-hot rows, coarse and fine output scales', async () => {
    for (const dtype of ['int8', 'uint8'] as const) {
      const n = 24;
      const hi = dtype === 'int8' ? 127 : 255;
      const lo = dtype === 'int8' ? -128 : 0;
      const oneHot = dtype === 'int8' ? new Int8Array(n).fill(lo) : new Uint8Array(n).fill(lo);
      oneHot[5] = hi;
      oneHot[17] = hi;
      const flat = dtype === 'int8' ? new Int8Array(n).fill(hi) : new Uint8Array(n).fill(hi);
      for (const data of [oneHot, flat])
        for (const ys of [1 / 256, 1 / 3, 0.9, 1 / 100000])
          for (const xs of [0.05, 1])
            expect(
              await check(
                { dtype, dims: [2, 12], axis: 1, opset: 13, xs, ys, zy: dtype === 'int8' ? -128 : 0, data },
                0,
              ),
            ).toBe(true);
    }
  });

  it('random shapes, scales and zero points', async () => {
    const rand = rng(123);
    let ran = 0;
    for (let t = 0; t < 60; t++) {
      const dtype: D = t % 2 ? 'int8' : 'uint8';
      const rank = 1 + Math.floor(rand() * 3);
      const dims = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 40));
      const axis = Math.floor(rand() * rank);
      const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
      const ok = await check(
        {
          dtype,
          dims,
          axis,
          opset: rand() < 0.3 ? 11 : 13,
          xs: 0.001 + rand() * 0.5,
          ys: 1 / (1 + Math.floor(rand() * 100000)) + rand() * 1e-4,
          zy: randomInts(rand, 1, lo, hi)[0],
        },
        t,
      );
      if (ok) ran++;
    }
    expect(ran).toBeGreaterThan(50);
  });
});

describe('div_nearest (kernels/gpu/wgsl/div-nearest.wgsl)', () => {
  it('equals the correctly rounded f32 quotient on random and extreme operands', async () => {
    const ctx = await gpu();
    const rand = rng(31);
    const f32 = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0];
    const pairs: number[] = [];
    // b >= 1: exponent 127..254; a >= 0: any normal exponent (and a few zeros and subnormals).
    for (let i = 0; i < 20000; i++) {
      const aExp = 1 + Math.floor(rand() * 254);
      const bExp = 127 + Math.floor(rand() * 128);
      pairs.push(
        f32((aExp << 23) | Math.floor(rand() * 2 ** 23)),
        f32((bExp << 23) | Math.floor(rand() * 2 ** 23)),
      );
    }
    // Random signs and exponents (quotients that overflow are left out: div_overflow's job).
    while (pairs.length < 80000) {
      const a = f32(
        ((rand() < 0.5 ? 1 : 0) << 31) |
          ((1 + Math.floor(rand() * 254)) << 23) |
          Math.floor(rand() * 2 ** 23),
      );
      const b = f32(
        ((rand() < 0.5 ? 1 : 0) << 31) |
          ((1 + Math.floor(rand() * 254)) << 23) |
          Math.floor(rand() * 2 ** 23),
      );
      if (Number.isFinite(Math.fround(a / b))) pairs.push(a, b);
    }
    pairs.push(
      0,
      1,
      f32(1),
      1,
      f32(0x7f7fffff),
      1,
      f32(0x7f7fffff),
      f32(0x7f7fffff),
      1,
      3,
      2,
      3,
      1,
      7,
      f32(0x00800000),
      1,
    );
    const n = pairs.length / 2;
    const code = `${await loadWgsl(new URL('../../kernels/gpu/wgsl/div-nearest.wgsl', import.meta.url))}
@group(0) @binding(0) var<storage, read> ab: array<f32>;
@group(0) @binding(1) var<storage, read_write> q: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x < arrayLength(&q)) { q[g.x] = div_nearest(ab[2u * g.x], ab[2u * g.x + 1u]); }
}`;
    const pipeline = await ctx.device.createComputePipelineAsync({
      layout: 'auto',
      compute: { module: ctx.device.createShaderModule({ code }), entryPoint: 'main' },
    });
    const input = uploadBuffer(ctx, 'div.in', Float32Array.from(pairs));
    const output = createStorageBuffer(ctx, 'div.out', n * 4);
    const encoder = ctx.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(
      0,
      ctx.device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: input } },
          { binding: 1, resource: { buffer: output } },
        ],
      }),
    );
    pass.dispatchWorkgroups(Math.ceil(n / 64));
    pass.end();
    ctx.device.queue.submit([encoder.finish()]);
    const got = new Float32Array(await readBuffer(ctx, output, n * 4));
    input.destroy();
    output.destroy();
    // A double quotient rounded to f32 is the correctly rounded f32 quotient (53 >= 2 * 24 + 2);
    // quotients below the normal range are 0 by contract.
    const want = Array.from({ length: n }, (_, i) => {
      const v = Math.fround(pairs[2 * i] / pairs[2 * i + 1]);
      return Math.abs(v) < 2 ** -126 ? (v < 0 || Object.is(v, -0) ? -0 : 0) : v;
    });
    expect(firstMismatch(got, want)).toBeUndefined();
  });
});
