// kernels/gpu/wgsl/f32-exact.wgsl (exactly rounded f32 add / multiply / divide / divide by
// 255 in integers, used by the run-time DynamicQuantizeLinear and QLinear requantization kernels)
// against JavaScript's float64 arithmetic rounded once with Math.fround, which is the correctly
// rounded f32 result for these operations: random bit patterns over every exponent, subnormals,
// overflow to +inf and underflow to 0 included.
import { describe, expect, it } from 'vitest';
import { createStorageBuffer, readBuffer, uploadBuffer } from '../../kernels/gpu/buffers.js';
import { withValidation } from '../../kernels/gpu/device.js';
import { loadWgsl } from '../../kernels/gpu/wgsl-loader.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

const MAIN = `
@group(0) @binding(0) var<storage, read> ab: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x;
  if (i >= arrayLength(&ab) / 2u) { return; }
  let a = ab[2u * i];
  let b = ab[2u * i + 1u];
  out[4u * i] = add_nonneg(a, b);
  out[4u * i + 1u] = mul_nonneg(a, b);
  out[4u * i + 2u] = select(div_nonneg(a, b), 0u, b == 0u);
  out[4u * i + 3u] = div255(a);
}`;

/** Runs the four operations on the GPU over pairs of bit patterns. */
async function run(pairs: Uint32Array): Promise<Uint32Array> {
  const ctx = await gpu();
  const lib = await loadWgsl(new URL('../../kernels/gpu/wgsl/f32-exact.wgsl', import.meta.url));
  const dq = await loadWgsl(
    new URL('../../kernels/quantize-runtime/dynamic-quantize-params.wgsl', import.meta.url),
  );
  // div255 and add_nonneg live in the DynamicQuantizeLinear kernel: take its helper functions only.
  const helpers = dq.slice(dq.indexOf('// fl32(a + b)'), dq.indexOf('// divide_round: f32-exact.wgsl'));
  const module = ctx.device.createShaderModule({ code: `${lib}\n${helpers}\n${MAIN}` });
  const pipeline = ctx.device.createComputePipeline({
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const n = pairs.length / 2;
  const src = uploadBuffer(ctx, 'f32-exact.in', pairs);
  const dst = createStorageBuffer(ctx, 'f32-exact.out', n * 16);
  const encoder = ctx.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    ctx.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: src } },
        { binding: 1, resource: { buffer: dst } },
      ],
    }),
  );
  pass.dispatchWorkgroups(Math.ceil(n / 64));
  pass.end();
  await withValidation(ctx, 'f32-exact', () => ctx.device.queue.submit([encoder.finish()]));
  const out = new Uint32Array(await readBuffer(ctx, dst, n * 16));
  src.destroy();
  dst.destroy();
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number) => {
  u32[0] = b;
  return f32[0];
};
const toBits = (v: number) => {
  f32[0] = v;
  return u32[0];
};

describe('f32-exact.wgsl', () => {
  it('add, multiply, divide and divide by 255 equal the correctly rounded f32 results', async () => {
    const r = rng(77);
    const n = 4096;
    const pairs = new Uint32Array(2 * n);
    const bits = (e: number) => (Math.max(0, Math.min(254, e)) << 23) | Math.floor(r() * 0x800000);
    for (let i = 0; i < n; i++) {
      const e = Math.floor(r() * 255);
      // Operands with nearby exponents (rounding matters) or anywhere (overflow / underflow).
      const e2 = i % 3 === 0 ? Math.floor(r() * 255) : e + Math.floor(r() * 61) - 30;
      pairs[2 * i] = i % 97 === 0 ? 0 : bits(e);
      pairs[2 * i + 1] = i % 89 === 0 ? 1 : bits(e2);
    }
    const got = await run(pairs);
    for (let i = 0; i < n; i++) {
      const a = fromBits(pairs[2 * i]);
      const b = fromBits(pairs[2 * i + 1]);
      const want = [
        toBits(Math.fround(a + b)),
        toBits(Math.fround(a * b)),
        b === 0 ? 0 : toBits(Math.fround(a / b)),
        toBits(Math.fround(a / 255)),
      ];
      const what = `a=${pairs[2 * i].toString(16)} b=${pairs[2 * i + 1].toString(16)}`;
      expect(Array.from(got.slice(4 * i, 4 * i + 4)), what).toEqual(want);
    }
  });
});
