// Cast on WebGPU (kernels/shape-ops/cast-gpu.wgsl, lowered in app/exec/webgpu/lower-float.ts)
// bit-exact against cast.ref.ts's castRef for every pair among float32, int32, uint32, int8,
// uint8, bool and int64: curated edge values (NaN payloads, infinities, +-0, halves, values at and
// past the int32 / uint32 / int64 limits, integers that tie at float32 precision), element counts
// that are not multiples of 4 (packed 8-bit outputs), and seeded random bit patterns. Then an
// executor-level check: an attention-mask chain (bool mask -> Cast -> Sub / Mul -> Add into scores)
// and an int64 input -> Cast(float32) run without a CPU fallback and equal the CPU interpreter.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { gpuByteLength, gpuStorageBytes, tensorBytes } from '../../app/exec/webgpu/gpu-storage.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { dtypeToOnnx } from '../../app/model/tensor-proto.js';
import { castRef } from '../../kernels/shape-ops/cast.ref.js';
import { prepareCast } from '../../kernels/shape-ops/cast-gpu.js';
import { allocData, type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { expectSameTensor } from '../unit/tensor-oracle.helper.js';
import { runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

const DTYPES: DType[] = ['float32', 'int32', 'uint32', 'int8', 'uint8', 'bool', 'int64'];

const f32Bits = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0];

const CURATED_F32: number[] = [
  Number.NaN,
  f32Bits(0x7f800001), // signalling NaN, smallest payload
  f32Bits(0xffc00001), // negative quiet NaN with a payload
  f32Bits(0x7fffffff),
  f32Bits(0xff800001),
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -0,
  0.5,
  -0.5,
  2.5,
  -1.5,
  255.7,
  -129.3,
  0.99999994,
  1,
  -1,
  127.9,
  128,
  -128.5,
  f32Bits(1), // smallest subnormal
  -f32Bits(0x00800000), // smallest normal, negative
  2 ** 24 + 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 31 - 128,
  -(2 ** 31) + 128,
  2 ** 32 - 256, // largest float32 below 2^32
  2 ** 32,
  -(2 ** 32),
  3e9,
  -3e9,
  -1e10,
  1e10,
  2 ** 63,
  -(2 ** 63),
  2 ** 63 - 2 ** 39, // largest float32 below 2^63
  -(2 ** 63) + 2 ** 39,
  1.9e19,
  -1.9e19,
  3.4e38,
  -3.4e38,
  123456.789,
  -98765.4321,
];

const CURATED_INT: number[] = [
  0,
  1,
  -1,
  2,
  127,
  128,
  -128,
  -129,
  255,
  256,
  -256,
  2 ** 24 + 1,
  2 ** 24 + 3, // ties at float32 precision: even mantissa
  -(2 ** 24) - 1,
  2 ** 25 + 2,
  2 ** 25 + 6,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31 - 128,
  2 ** 31 - 64, // tie between 2^31 - 128 and 2^31
  2 ** 31 - 63,
  -(2 ** 31) + 64,
  123456789,
  -987654321,
];

const CURATED_U32: number[] = [
  0,
  1,
  255,
  256,
  2 ** 24 + 1,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 31 + 1,
  2 ** 31 + 128, // tie at float32 precision (ulp 256 above 2^31)
  2 ** 31 + 384,
  3e9,
  2 ** 32 - 1,
  2 ** 32 - 128, // tie: rounds to 2^32 (even)
  2 ** 32 - 129,
  4000000001,
];

const CURATED_I64: bigint[] = [
  0n,
  1n,
  -1n,
  -(2n ** 63n),
  2n ** 63n - 1n,
  -(2n ** 63n) + 1n,
  2n ** 53n + 1n,
  2n ** 53n + 3n,
  -(2n ** 53n) - 1n,
  2n ** 40n + 2n ** 16n, // tie at float32 precision: stays 2^40 (even)
  2n ** 40n + 3n * 2n ** 16n, // tie: rounds up to even
  2n ** 40n + 2n ** 16n + 1n,
  2n ** 40n + 2n ** 16n - 1n,
  -(2n ** 40n) - 2n ** 16n,
  2n ** 62n + 2n ** 38n, // tie at 2^62
  2n ** 62n + 3n * 2n ** 38n,
  2n ** 63n - 2n ** 39n, // largest float32 below 2^63, exact
  2n ** 63n - 2n ** 38n, // tie: rounds up to 2^63 (exponent carry)
  2n ** 32n,
  2n ** 32n + 1n,
  -(2n ** 32n),
  2n ** 31n,
  -(2n ** 31n) - 1n,
  0xffffffffn,
  0x1_0000_ffffn,
  0x1_8000_0000n,
  -0x1_8000_0001n,
  2n ** 24n + 1n,
  2n ** 24n + 3n,
  255n,
  -129n,
  1234567890123456789n,
  -987654321987654321n,
];

/** Curated values of a dtype, as a tensor of [n] (n is rarely a multiple of 4). */
function curated(dtype: DType): Tensor {
  switch (dtype) {
    case 'float32':
      return makeTensor('float32', [CURATED_F32.length], CURATED_F32);
    case 'int32':
      return makeTensor('int32', [CURATED_INT.length], CURATED_INT);
    case 'uint32':
      return makeTensor('uint32', [CURATED_U32.length], CURATED_U32);
    case 'int8':
      return makeTensor(
        'int8',
        [257],
        Array.from({ length: 257 }, (_, i) => ((i + 128) % 256) - 128),
      );
    case 'uint8':
      return makeTensor(
        'uint8',
        [258],
        Array.from({ length: 258 }, (_, i) => i % 256),
      );
    case 'bool':
      return makeTensor('bool', [7], [1, 0, 0, 1, 1, 1, 0]);
    default:
      return { dtype: 'int64', dims: [CURATED_I64.length], data: BigInt64Array.from(CURATED_I64) };
  }
}

/** n seeded random elements: raw bit patterns, plus values of random magnitude for the wide types. */
function random(dtype: DType, n: number, seed: number): Tensor {
  const r = rng(seed);
  const word = () => Math.floor(r() * 2 ** 32) >>> 0;
  const data = allocData(dtype, n);
  const bytes = new Uint8Array(data.buffer);
  if (dtype === 'bool') {
    for (let i = 0; i < n; i++) bytes[i] = r() < 0.5 ? 1 : 0;
  } else if (dtype === 'int64') {
    const w = new Uint32Array(data.buffer);
    for (let i = 0; i < n; i++) {
      // Half raw patterns, half values of a random bit length (every rounding position).
      const len = Math.floor(r() * 64);
      w[2 * i] = word();
      w[2 * i + 1] = word();
      if (i % 2 === 1) {
        const v = BigInt.asUintN(len, (BigInt(w[2 * i + 1]) << 32n) | BigInt(w[2 * i]));
        (data as BigInt64Array)[i] = r() < 0.5 ? -v : v;
      }
    }
  } else if (dtype === 'float32') {
    const w = new Uint32Array(data.buffer);
    const f = data as Float32Array;
    for (let i = 0; i < n; i++) {
      // Raw patterns are mostly huge or tiny: a third are instead spread over +-2^70.
      if (i % 3 === 0) f[i] = (r() - 0.5) * 2 ** Math.floor(r() * 72);
      else w[i] = word();
    }
  } else if (dtype === 'int32' || dtype === 'uint32') {
    const w = new Uint32Array(data.buffer);
    for (let i = 0; i < n; i++) w[i] = i % 2 ? word() : word() >>> Math.floor(r() * 32);
  } else {
    for (let i = 0; i < n; i++) bytes[i] = word() & 0xff;
  }
  return { dtype, dims: [n], data };
}

/** The tensor's bytes padded to whole words, as the GPU holds them. */
function gpuBytes(t: Tensor): Uint8Array {
  const out = new Uint8Array(gpuByteLength(t.dtype, t.dims));
  out.set(tensorBytes(t));
  return out;
}

const show = (t: Tensor, i: number) => {
  const v = t.data[i];
  if (t.dtype !== 'float32') return String(v);
  const bits = new Uint32Array(new Float32Array([v as number]).buffer)[0];
  return `${v} (0x${bits.toString(16)})`;
};

/** castRef(x, to) equals the kernel's output bit for bit (padding bytes of the last word are 0). */
async function expectGpuCast(x: Tensor, to: DType, what: string): Promise<void> {
  const ctx = await gpu();
  const n = x.data.length;
  const want = castRef(x, to);
  const outBytes = gpuByteLength(to, x.dims);
  const got = new Uint8Array(
    await runOnGpu(ctx, [gpuBytes(x)], outBytes, ([xb], y) => prepareCast(ctx, xb, y, x.dtype, to, n)),
  );
  const expected = gpuBytes(want);
  for (let b = 0; b < expected.length; b++) {
    if (got[b] !== expected[b]) {
      const i = Math.floor(b / gpuStorageBytes(to));
      const gotT = { dtype: to, dims: [n], data: allocData(to, n) } as Tensor;
      new Uint8Array(gotT.data.buffer).set(got.subarray(0, gotT.data.byteLength));
      expect.fail(
        `${what}: element ${i} = ${show(x, i)}: GPU ${show(gotT, i)}, castRef ${show(want, i)} (byte ${b})`,
      );
    }
  }
}

describe('Cast on the GPU: every pair of stored dtypes, bit-exact with castRef', () => {
  for (const from of DTYPES)
    for (const to of DTYPES) {
      if (from === to) continue;
      it(`${from} -> ${to}`, async () => {
        await expectGpuCast(curated(from), to, `${from} -> ${to}, curated`);
        const seed = 1000 + DTYPES.indexOf(from) * 7 + DTYPES.indexOf(to);
        await expectGpuCast(random(from, 1021, seed), to, `${from} -> ${to}, random (seed ${seed})`);
        for (const n of [1, 2, 3, 5])
          await expectGpuCast(random(from, n, seed + n), to, `${from} -> ${to}, n = ${n}`);
      });
    }
});

describe('Cast on the WebGPU executor: no CPU fallback, equal to the CPU interpreter', () => {
  it('bool mask -> Cast(float32) -> (1 - m) * -10000 -> Add into scores; int64 ids -> Cast(float32)', async () => {
    const B = 2;
    const T = 5;
    const model = decodeModel(
      buildModel({
        inputs: [
          { name: 'scores', dtype: 'float32', dims: [B, 1, T, T] },
          { name: 'mask', dtype: 'bool', dims: [B, 1, 1, T] },
          { name: 'ids', dtype: 'int64', dims: [B, T] },
          { name: 'pixels', dtype: 'uint8', dims: [B, T] },
        ],
        outputs: [
          { name: 'masked', dtype: 'float32' },
          { name: 'ids_f', dtype: 'float32' },
          { name: 'pix_f', dtype: 'float32' },
          { name: 'ids_i32', dtype: 'int32' },
          { name: 'positive', dtype: 'bool' },
          { name: 'back', dtype: 'int64' },
        ],
        initializers: {
          one: makeTensor('float32', [], [1]),
          big: makeTensor('float32', [], [-10000]),
        },
        nodes: [
          { op: 'Cast', inputs: ['mask'], outputs: ['mask_f'], attrs: { to: dtypeToOnnx('float32') } },
          { op: 'Sub', inputs: ['one', 'mask_f'], outputs: ['inv'] },
          { op: 'Mul', inputs: ['inv', 'big'], outputs: ['bias'] },
          { op: 'Add', inputs: ['scores', 'bias'], outputs: ['masked'] },
          { op: 'Cast', inputs: ['ids'], outputs: ['ids_f'], attrs: { to: dtypeToOnnx('float32') } },
          { op: 'CastLike', inputs: ['pixels', 'scores'], outputs: ['pix_f'] },
          { op: 'Cast', inputs: ['ids'], outputs: ['ids_i32'], attrs: { to: dtypeToOnnx('int32') } },
          { op: 'Cast', inputs: ['masked'], outputs: ['positive'], attrs: { to: dtypeToOnnx('bool') } },
          { op: 'Cast', inputs: ['ids_f'], outputs: ['back'], attrs: { to: dtypeToOnnx('int64') } },
        ],
        opset: 15,
      }),
    );
    const r = rng(77);
    const scores = makeTensor(
      'float32',
      [B, 1, T, T],
      Array.from({ length: B * T * T }, (_, i) => (i % 7 === 0 ? 0 : r() * 4 - 2)),
    );
    const mask = makeTensor('bool', [B, 1, 1, T], [1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
    const ids: Tensor = {
      dtype: 'int64',
      dims: [B, T],
      data: BigInt64Array.from([
        0n,
        101n,
        -7n,
        2n ** 40n + 2n ** 16n,
        2n ** 53n + 1n,
        30522n,
        -(2n ** 63n),
        5n,
        2n ** 31n,
        9n,
      ]),
    };
    const pixels = makeTensor('uint8', [B, T], [0, 255, 128, 7, 1, 64, 200, 3, 99, 254]);
    const feeds = new Map<string, Tensor>([
      ['scores', scores],
      ['mask', mask],
      ['ids', ids],
      ['pixels', pixels],
    ]);
    const want = new CpuInterpreter(model).runSync(feeds);
    const executor = await WebGpuExecutor.create(model);
    try {
      const got = await executor.run(feeds);
      const s = await executor.summary();
      expect(s.cpuFallbacks, s.kernelErrors.join('; ')).toEqual([]);
      for (const name of ['masked', 'ids_f', 'pix_f', 'ids_i32', 'positive', 'back'])
        expectSameTensor(got.get(name)!, want.get(name)!, name);
      // Bit for bit, not only by value (-0 and NaN payloads).
      for (const name of ['masked', 'ids_f', 'pix_f'])
        expect(tensorBytes(got.get(name)!), name).toEqual(tensorBytes(want.get(name)!));
    } finally {
      executor.dispose();
    }
  });
});
