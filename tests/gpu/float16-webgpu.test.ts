// float16 models on the WebGPU executor, stored widened to f32 (app/exec/webgpu/widen-float16.ts):
// the round-to-float16 kernel is bit-exact against numberToFloat16Bits (curated edges and random
// f32 bit patterns), and small float16 models (a CNN block, a transformer block) plan no CPU
// fallback and match the CPU interpreter within 2 float16 ulps of the expected value (or 1e-3
// absolute near zero, where Softmax / LayerNorm cancel), with float16 outputs; Casts around
// float32, a float16-only op behind Casts, an intermediate whose rounding decides the result, a
// float16 QDQ pair and mnist-8 converted to float16. One-node cases: float16-webgpu-ops.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Model, ValueInfo } from '../../app/model/ir.js';
import { floatTensor } from '../../kernels/activation/float-io.js';
import { prepareRoundToFloat16 } from '../../kernels/dtypes/round-f16.js';
import { float16BitsToNumber, int64Tensor, numberToFloat16Bits, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { runOnGpu } from './float-kernel-helpers.js';
import { expectFloat16Near, f16Random } from './float16-helpers.js';
import { runModelOnGpu } from './extra-ops.helper.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

const f32Bits = (v: number) => new Uint32Array(Float32Array.of(v).buffer)[0];

/** Curated f32 bit patterns: ties at every place that matters, range ends, specials. */
const CURATED: number[] = [
  0,
  -0,
  1,
  -1,
  65504,
  -65504,
  65519.99,
  65520,
  -65520,
  65536,
  1e30,
  -1e30,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  // ties between neighbouring halves: 1 + 2^-11 (to even: 1), 1 + 3 * 2^-11 (to even: up)
  1 + 2 ** -11,
  1 + 3 * 2 ** -11,
  -(1 + 2 ** -11),
  2048 + 1,
  2048 + 3,
  1 + 2 ** -11 + 2 ** -23,
  // the normal/subnormal border and subnormals
  2 ** -14,
  -(2 ** -14),
  2 ** -14 - 2 ** -25,
  2 ** -14 - 2 ** -26,
  2 ** -24,
  2 ** -25,
  2 ** -25 + 2 ** -40,
  3 * 2 ** -25,
  5 * 2 ** -25,
  2 ** -26,
  -(2 ** -26),
  1.5 * 2 ** -24,
  1e-8,
  1e-40,
  -1e-40,
  2 ** -126,
  0.1,
  -0.1,
  1 / 3,
  Math.PI,
  1000.5,
  1001.5,
].map(f32Bits);
// NaNs: quiet, signalling, negative.
CURATED.push(0x7fc00000, 0x7f800001, 0xffc00001, 0x7fbfffff);

/** The expected f32 bits of rounding `bits` to float16 (NaN: any NaN of the same sign). */
function expectedRound(bits: number): number {
  const v = new Float32Array(new Uint32Array([bits]).buffer)[0];
  const h = numberToFloat16Bits(v);
  return f32Bits(float16BitsToNumber(h)) | (h === 0x8000 ? 0x80000000 : 0);
}

describe('round to float16 (WGSL, integer bit manipulation)', () => {
  it('is bit-exact against numberToFloat16Bits on curated and random values', async () => {
    const r = rng(16);
    const words = [...CURATED];
    // Random bit patterns over every exponent, and random values in float16's range.
    for (let i = 0; i < 20000; i++) words.push(Math.floor(r() * 2 ** 32) >>> 0);
    for (let i = 0; i < 20000; i++) words.push(f32Bits((r() - 0.5) * 2 ** (Math.floor(r() * 44) - 26)));
    const x = Uint32Array.from(words);
    const ctx = await gpu();
    const out = new Uint32Array(
      await runOnGpu(ctx, [x], x.length * 4, ([xb], y) => prepareRoundToFloat16(ctx, xb, y, x.length)),
    );
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < x.length; i++) {
      const nan = (x[i] & 0x7fffffff) > 0x7f800000;
      const ok = nan
        ? (out[i] & 0x7fffffff) > 0x7f800000 && out[i] >>> 31 === x[i] >>> 31
        : out[i] === expectedRound(x[i]) >>> 0;
      if (!ok && mismatches++ === 0)
        first = `x=0x${x[i].toString(16)} got 0x${out[i].toString(16)} want 0x${(expectedRound(x[i]) >>> 0).toString(16)}`;
    }
    expect(mismatches, first).toBe(0);
  });
});

async function compareOnGpu(
  model: ReturnType<typeof decodeModel>,
  feeds: Map<string, Tensor>,
  outputs: string[],
) {
  const { got, want, summary } = await runModelOnGpu(model, feeds);
  for (const name of outputs) expectFloat16Near(got.get(name)!, want.get(name)!, name);
  return summary;
}

describe('float16 models on the WebGPU executor', () => {
  it('a CNN block (Conv, BatchNormalization, Relu, MaxPool, Gemm, Softmax) runs on the GPU', async () => {
    const r = rng(7);
    const model = decodeModel(
      buildModel({
        opset: 17,
        inputs: [{ name: 'x', dtype: 'float16', dims: [2, 3, 8, 8] }],
        outputs: [
          { name: 'prob', dtype: 'float16' },
          { name: 'feat', dtype: 'float16' },
        ],
        initializers: {
          w: f16Random(r, [4, 3, 3, 3], -0.5, 0.5),
          b: f16Random(r, [4], -0.2, 0.2),
          scale: f16Random(r, [4], 0.5, 1.5),
          bias: f16Random(r, [4], -0.5, 0.5),
          mean: f16Random(r, [4], -0.2, 0.2),
          var: f16Random(r, [4], 0.5, 2),
          fcw: f16Random(r, [64, 10], -0.3, 0.3),
          fcb: f16Random(r, [10], -0.1, 0.1),
          shape: int64Tensor([2], [2, 64]),
        },
        nodes: [
          { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
          { op: 'BatchNormalization', inputs: ['c', 'scale', 'bias', 'mean', 'var'], outputs: ['bn'] },
          { op: 'Relu', inputs: ['bn'], outputs: ['feat'] },
          {
            op: 'MaxPool',
            inputs: ['feat'],
            outputs: ['p'],
            attrs: { kernel_shape: [2, 2], strides: [2, 2] },
          },
          { op: 'Reshape', inputs: ['p', 'shape'], outputs: ['flat'] },
          { op: 'Gemm', inputs: ['flat', 'fcw', 'fcb'], outputs: ['logits'] },
          { op: 'Softmax', inputs: ['logits'], outputs: ['prob'], attrs: { axis: -1 } },
        ],
      }),
    );
    await compareOnGpu(model, new Map([['x', f16Random(r, [2, 3, 8, 8], -2, 2)]]), ['prob', 'feat']);
  });

  it('a transformer block (LayerNormalization, MatMul, Softmax, Gelu) runs on the GPU', async () => {
    const r = rng(11);
    const d = 16;
    const model = decodeModel(
      buildModel({
        opset: 20,
        inputs: [{ name: 'x', dtype: 'float16', dims: [1, 6, d] }],
        outputs: [{ name: 'y', dtype: 'float16' }],
        initializers: {
          g: f16Random(r, [d], 0.5, 1.5),
          beta: f16Random(r, [d], -0.3, 0.3),
          wq: f16Random(r, [d, d], -0.4, 0.4),
          wk: f16Random(r, [d, d], -0.4, 0.4),
          wv: f16Random(r, [d, d], -0.4, 0.4),
          w1: f16Random(r, [d, 2 * d], -0.4, 0.4),
          w2: f16Random(r, [2 * d, d], -0.3, 0.3),
          scale: floatTensor('float16', [], [0.25]),
        },
        nodes: [
          { op: 'LayerNormalization', inputs: ['x', 'g', 'beta'], outputs: ['ln'], attrs: { axis: -1 } },
          { op: 'MatMul', inputs: ['ln', 'wq'], outputs: ['q'] },
          { op: 'MatMul', inputs: ['ln', 'wk'], outputs: ['k'] },
          { op: 'MatMul', inputs: ['ln', 'wv'], outputs: ['v'] },
          { op: 'Transpose', inputs: ['k'], outputs: ['kt'], attrs: { perm: [0, 2, 1] } },
          { op: 'MatMul', inputs: ['q', 'kt'], outputs: ['s'] },
          { op: 'Mul', inputs: ['s', 'scale'], outputs: ['ss'] },
          { op: 'Softmax', inputs: ['ss'], outputs: ['a'], attrs: { axis: -1 } },
          { op: 'MatMul', inputs: ['a', 'v'], outputs: ['att'] },
          { op: 'Add', inputs: ['att', 'x'], outputs: ['h'] },
          { op: 'MatMul', inputs: ['h', 'w1'], outputs: ['u'] },
          { op: 'Gelu', inputs: ['u'], outputs: ['gu'] },
          { op: 'MatMul', inputs: ['gu', 'w2'], outputs: ['m'] },
          { op: 'Add', inputs: ['m', 'h'], outputs: ['y'] },
        ],
      }),
    );
    await compareOnGpu(model, new Map([['x', f16Random(r, [1, 6, d], -2, 2)]]), ['y']);
  });

  it('Cast to and from float16 around float32 work, and a float16-only op falls back through Casts', async () => {
    const r = rng(5);
    const model = decodeModel(
      buildModel({
        opset: 17,
        inputs: [{ name: 'x', dtype: 'float32', dims: [3, 5] }],
        outputs: [
          { name: 'h', dtype: 'float16' },
          { name: 'back', dtype: 'float32' },
          { name: 'm', dtype: 'float16' },
        ],
        initializers: {},
        nodes: [
          { op: 'Cast', inputs: ['x'], outputs: ['h'], attrs: { to: 10 } },
          { op: 'Cast', inputs: ['h'], outputs: ['back'], attrs: { to: 1 } },
          // Mean of three rounds each running sum in float16: planned as written, on the CPU.
          { op: 'Mean', inputs: ['h', 'h', 'h'], outputs: ['m0'] },
          // m0 is read on the GPU (widened, cast back) and by another as-written Mean, which
          // takes the float16 original.
          { op: 'Relu', inputs: ['m0'], outputs: ['r'] },
          { op: 'Mean', inputs: ['m0', 'r', 'h'], outputs: ['m'] },
        ],
      }),
    );
    const x = Float32Array.from({ length: 15 }, () => (r() - 0.5) * 200000);
    x[0] = 65519;
    x[1] = 65520;
    x[2] = 1 + 2 ** -11;
    x[3] = 2 ** -25;
    const feeds = new Map<string, Tensor>([['x', { dtype: 'float32', dims: [3, 5], data: x }]]);
    const want = new CpuInterpreter(model).runSync(feeds);
    const executor = await WebGpuExecutor.create(model);
    try {
      const got = await executor.run(feeds);
      expect(got.get('h')).toEqual(want.get('h'));
      expect(got.get('back')).toEqual(want.get('back'));
      expect(got.get('m')).toEqual(want.get('m'));
      const summary = await executor.summary();
      // h and r cast to float16 for the Means, m0 cast to f32 for Relu; m, read by no widened
      // node, stays float16.
      expect(summary.cpuFallbacks.map((f) => f.split(' ')[0]).sort()).toEqual([
        'Cast',
        'Cast',
        'Cast',
        'Mean',
        'Mean',
      ]);
    } finally {
      executor.dispose();
    }
  });
});

describe('float16 intermediates on the WebGPU executor', () => {
  it('are rounded to float16 where the CPU interpreter rounds them ((x + c) - x with a lost c)', async () => {
    const model = decodeModel(
      buildModel({
        opset: 17,
        inputs: [{ name: 'x', dtype: 'float16', dims: [4] }],
        outputs: [{ name: 'y', dtype: 'float16' }],
        initializers: { c: floatTensor('float16', [4], [0.3, 0.49, 0.5, 0.75]) },
        nodes: [
          { op: 'Add', inputs: ['x', 'c'], outputs: ['s'] },
          { op: 'Sigmoid', inputs: ['s'], outputs: ['g'] },
          { op: 'Mul', inputs: ['g', 's'], outputs: ['gs'] },
          { op: 'Sub', inputs: ['gs', 'x'], outputs: ['y'] },
        ],
      }),
    );
    // float16 steps of 1 at 1024 and 2 at 2048: s = x + c keeps no fraction.
    const feeds = new Map<string, Tensor>([['x', floatTensor('float16', [4], [1024, 1025, 2048, 1024])]]);
    const want = new CpuInterpreter(model).runSync(feeds);
    expect(Array.from(want.get('y')!.data as Uint16Array, float16BitsToNumber)).toEqual([0, 0, 0, 1]);
    const executor = await WebGpuExecutor.create(model);
    try {
      expect((await executor.run(feeds)).get('y')).toEqual(want.get('y'));
      expect((await executor.summary()).cpuFallbacks).toEqual([]);
    } finally {
      executor.dispose();
    }
  });
});

describe('a float16 QDQ pair on the WebGPU executor', () => {
  it('quantizes with a float16 scale and dequantizes to float16 on the GPU', async () => {
    const r = rng(3);
    const model = decodeModel(
      buildModel({
        opset: 19,
        inputs: [{ name: 'x', dtype: 'float16', dims: [2, 9] }],
        outputs: [
          { name: 'q', dtype: 'int8' },
          { name: 'y', dtype: 'float16' },
        ],
        initializers: {
          s: floatTensor('float16', [], [0.0173]),
          zp: { dtype: 'int8', dims: [], data: Int8Array.of(3) },
        },
        nodes: [
          { op: 'QuantizeLinear', inputs: ['x', 's', 'zp'], outputs: ['q'] },
          { op: 'DequantizeLinear', inputs: ['q', 's', 'zp'], outputs: ['y'] },
        ],
      }),
    );
    const feeds = new Map<string, Tensor>([['x', f16Random(r, [2, 9], -2.5, 2.5)]]);
    const want = new CpuInterpreter(model).runSync(feeds);
    const executor = await WebGpuExecutor.create(model);
    try {
      const got = await executor.run(feeds);
      expect((await executor.summary()).cpuFallbacks).toEqual([]);
      expect(got.get('q')).toEqual(want.get('q'));
      expect(got.get('y')).toEqual(want.get('y'));
    } finally {
      executor.dispose();
    }
  });
});

/** The model with every float32 tensor, value and Constant made float16 (what fp16 exporters write). */
function toFloat16Model(m: Model): Model {
  const half = (t: Tensor): Tensor =>
    t.dtype === 'float32' ? floatTensor('float16', t.dims, t.data as Float32Array) : t;
  const info = (v: ValueInfo): ValueInfo => (v.dtype === 'float32' ? { ...v, dtype: 'float16' } : v);
  const g = m.graph;
  return {
    ...m,
    graph: {
      ...g,
      inputs: g.inputs.map(info),
      outputs: g.outputs.map(info),
      valueInfo: new Map([...g.valueInfo].map(([k, v]) => [k, info(v)])),
      initializers: new Map([...g.initializers].map(([k, t]) => [k, half(t)])),
      nodes: g.nodes.map((n) => ({
        ...n,
        attributes: Object.fromEntries(
          Object.entries(n.attributes).map(([k, a]) => [
            k,
            a.kind === 'tensor' ? { kind: 'tensor' as const, value: half(a.value) } : a,
          ]),
        ),
      })),
    },
  };
}

describe('real models converted to float16 on the WebGPU executor', () => {
  // (light-squeezenet also plans without fallback, but its constant weights overflow float16 and
  // its CPU run takes ~20 s: not kept.)
  for (const name of ['mnist-8']) {
    it(`${name} in float16 plans no CPU fallback and matches the CPU interpreter`, async () => {
      const model = toFloat16Model(
        decodeModel(new Uint8Array(readFileSync(`tests/fixtures/models/${name}.onnx`))),
      );
      const input = model.graph.inputs[0];
      const dims = input.dims!.map((d) => (typeof d === 'number' ? d : 1));
      const feeds = new Map<string, Tensor>([[input.name, f16Random(rng(name.length), dims, 0, 1)]]);
      const want = new CpuInterpreter(model).runSync(feeds);
      const executor = await WebGpuExecutor.create(model);
      try {
        const got = await executor.run(feeds);
        expect((await executor.summary()).cpuFallbacks).toEqual([]);
        for (const out of model.graph.outputs) {
          const g = Array.from(got.get(out.name)!.data as Uint16Array, float16BitsToNumber);
          const w = Array.from(want.get(out.name)!.data as Uint16Array, float16BitsToNumber);
          expect(got.get(out.name)!.dtype).toBe('float16');
          // Per-node roundings that differ by an ulp now and then compound over the layers:
          // within 1% of the largest finite output, the same top class; overflows to inf / NaN
          // must be the same ones.
          const finite = w.filter(Number.isFinite);
          const scale = Math.max(...finite.map(Math.abs));
          for (let i = 0; i < w.length; i++) {
            if (Number.isFinite(w[i]))
              expect(Math.abs(g[i] - w[i]), `${out.name}[${i}]`).toBeLessThanOrEqual(0.01 * scale);
            else expect(g[i], `${out.name}[${i}]`).toBe(w[i]);
          }
          if (finite.length === w.length) expect(g.indexOf(Math.max(...g))).toBe(w.indexOf(Math.max(...w)));
        }
      } finally {
        executor.dispose();
      }
    });
  }
});
