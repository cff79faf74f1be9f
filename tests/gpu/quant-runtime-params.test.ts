// Quantization ops whose scales / zero points are run-time values (graph inputs, or outputs of GPU
// nodes: onnxruntime's quantize_dynamic pattern DynamicQuantizeLinear -> MatMulInteger -> Cast ->
// Mul) on the WebGPU executor (app/exec/webgpu/lower-quant-runtime.ts): every node on the GPU (no
// CPU fallback) and every output bit-exact with the CPU reference, curated edge cases (zero range,
// all negative, saturation, ties at .5, per axis, NaN / infinities) and seeded random ones.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor, numberToFloat16Bits, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import {
  expectSameTensor,
  type OneNode,
  oneNodeModel,
  randInt,
  randomTensor,
  rng,
  runOurs,
} from '../unit/tensor-oracle.helper.js';
import { expectOutputs, runModelOnGpu, runOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

const f32 = (dims: number[], v: number[]) => makeTensor('float32', dims, Float32Array.from(v));
const u8 = (dims: number[], v: number[]) => makeTensor('uint8', dims, Uint8Array.from(v));
const i8 = (dims: number[], v: number[]) => makeTensor('int8', dims, Int8Array.from(v));

/** One node on the GPU, all outputs bit-exact with the CPU reference (f32 compared as bits). */
async function exactOnGpu(c: OneNode, what: string): Promise<void> {
  const got = await runOnGpu(c, what);
  const want = runOurs(c);
  c.outputs.forEach((o, i) => {
    const g = got.get(o.name)!;
    if (g.dtype === 'float32') {
      expect(g.dims, what).toEqual(want[i].dims);
      const bits = (t: Tensor) =>
        Array.from(new Uint32Array(Float32Array.from(t.data as Float32Array).buffer));
      expect(bits(g), `${what}: ${o.name} bits`).toEqual(bits(want[i]));
    } else expectOutputs({ ...c, outputs: [o] }, new Map([[o.name, g]]), [want[i]], true, what);
  });
}

const dql = (x: Tensor): OneNode => ({
  op: 'DynamicQuantizeLinear',
  opset: 11,
  inputs: [['x', x]],
  outputs: [
    { name: 'y', dtype: 'uint8' },
    { name: 'y_scale', dtype: 'float32' },
    { name: 'y_zero_point', dtype: 'uint8' },
  ],
});

describe('DynamicQuantizeLinear on the GPU', () => {
  it('curated: zero range, all negative, all positive, ties, NaN, infinities, huge range', async () => {
    const cases: [string, number[]][] = [
      ['zeros', [0, 0, 0, 0]],
      ['negative zero', [-0, -0]],
      ['all negative', [-1, -2.5, -3, -0.25, -7]],
      ['all positive', [0.5, 1, 2, 255, 1e-3]],
      ['ties', [-127.5, 127.5, 0.5, 1.5, 2.5, -0.5]],
      ['onnx example', [0, 2, -3, -2.5, 1.34, 0.5]],
      ['NaN skipped', [Number.NaN, 1, -2, Number.NaN]],
      ['+inf', [1, Number.POSITIVE_INFINITY, -1]],
      ['-inf', [1, Number.NEGATIVE_INFINITY]],
      ['both inf', [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 3]],
      ['overflowing range', [3e38, -3e38, 1]],
      ['large', [3e38, 1, -5]],
      ['tiny', [1e-30, -3e-31, 2e-31]],
      ['single', [-42]],
      ['subnormals', [-1e-40, 1e-40]],
      ['smallest subnormal', [1e-45, 0]],
      ['subnormal scale', [-3e-39, 2e-38, 1e-39]],
      ['normal + subnormal', [2 ** -120, -(2 ** -130)]],
      ['range just over the max', [3.4e38, -1e37]],
      ['empty', []],
    ];
    for (const [what, v] of cases) await exactOnGpu(dql(f32([v.length], v)), `DQL ${what}`);
  });

  it('random tensors, several ranges and sizes (more than one workgroup pass)', async () => {
    const r = rng(101);
    for (let k = 0; k < 12; k++) {
      const n = k < 6 ? randInt(r, 1, 300) : randInt(r, 1000, 70000);
      const lo = k % 3 === 0 ? randInt(r, 0, 5) : -randInt(r, 1, 1000) / randInt(r, 1, 7);
      const hi = k % 4 === 1 ? lo + 1e-3 : lo + randInt(r, 1, 2000) / randInt(r, 1, 9);
      await exactOnGpu(dql(randomTensor(r, 'float32', [n], lo, hi)), `DQL random ${k} n=${n}`);
    }
  });
});

function quantNode(
  op: 'QuantizeLinear' | 'DequantizeLinear',
  x: Tensor,
  scale: Tensor,
  zp: Tensor | undefined,
  axis: number | undefined,
  constants: string[] = [],
): OneNode {
  const qType = op === 'QuantizeLinear' ? (zp?.dtype ?? 'uint8') : x.dtype;
  return {
    op,
    opset: 13,
    inputs: [
      ['x', x],
      ['scale', scale],
      ['zp', zp],
    ],
    constants,
    outputs: [{ name: 'y', dtype: op === 'QuantizeLinear' ? qType : 'float32' }],
    attrs: axis === undefined ? undefined : { axis },
  };
}

describe('DynamicQuantizeLinear parameters over random bit patterns (every exponent)', () => {
  it('matches the reference for values drawn from all float32 exponents', async () => {
    const r = rng(131);
    for (let k = 0; k < 48; k++) {
      const n = randInt(r, 1, 6);
      const bits = new Uint32Array(n);
      // Random sign, exponent field 0..254 (a band of nearby exponents per case), mantissa.
      const e0 = randInt(r, 0, 254);
      for (let i = 0; i < n; i++) {
        const e = Math.min(254, Math.max(0, e0 + randInt(r, -30, 30)));
        bits[i] = ((r() < 0.5 ? 1 : 0) << 31) | (e << 23) | randInt(r, 0, 0x7fffff);
      }
      const x = makeTensor('float32', [n], new Float32Array(bits.buffer));
      await exactOnGpu(dql(x), `DQL bits ${k} [${Array.from(bits, (b) => b.toString(16))}]`);
    }
  });
});

describe('QuantizeLinear / DequantizeLinear with run-time scale and zero point', () => {
  it('curated: ties at .5, saturation, per axis, no zero point, constant scale with fed zero point', async () => {
    const x = f32([2, 3], [0.5, 1.5, 2.5, -1e9, 1e9, -0.5]);
    await exactOnGpu(quantNode('QuantizeLinear', x, f32([], [1]), u8([], [128]), undefined), 'Q ties uint8');
    await exactOnGpu(quantNode('QuantizeLinear', x, f32([], [0.5]), i8([], [-3]), undefined), 'Q int8');
    await exactOnGpu(quantNode('QuantizeLinear', x, f32([], [0.1]), undefined, undefined), 'Q no zp');
    await exactOnGpu(
      quantNode('QuantizeLinear', x, f32([3], [1, 0.5, 3]), i8([3], [1, -128, 127]), 1),
      'Q axis 1',
    );
    await exactOnGpu(quantNode('QuantizeLinear', x, f32([2], [0.3, 7]), u8([2], [0, 255]), 0), 'Q axis 0');
    await exactOnGpu(
      quantNode('QuantizeLinear', x, f32([], [0.25]), u8([], [7]), undefined, ['scale']),
      'Q constant scale, fed zp',
    );
    const q = i8([2, 3], [-128, 127, 0, 5, -5, 1]);
    await exactOnGpu(quantNode('DequantizeLinear', q, f32([], [0.1]), i8([], [3]), undefined), 'DQ int8');
    await exactOnGpu(
      quantNode('DequantizeLinear', q, f32([3], [0.1, 2, 1e-3]), i8([3], [0, -1, 127]), 1),
      'DQ axis',
    );
    await exactOnGpu(
      quantNode('DequantizeLinear', u8([4], [0, 255, 1, 128]), f32([], [3.3]), undefined, undefined),
      'DQ no zp',
    );
  });

  it('random: per tensor and per axis, int8 and uint8', async () => {
    const r = rng(202);
    for (let k = 0; k < 16; k++) {
      const dims = [randInt(r, 1, 4), randInt(r, 1, 5), randInt(r, 1, 6)];
      const axis = k % 2 === 0 ? undefined : randInt(r, -3, 2);
      const channels = axis === undefined ? 1 : dims[axis < 0 ? axis + 3 : axis];
      const pdims = axis === undefined ? [] : [channels];
      const dtype = k % 4 < 2 ? 'int8' : 'uint8';
      const scale = randomTensor(r, 'float32', pdims.length ? pdims : [1], 1e-3, 2);
      const s = makeTensor('float32', pdims, scale.data);
      const zp = randomTensor(
        r,
        dtype,
        pdims.length ? pdims : [1],
        dtype === 'int8' ? -128 : 0,
        dtype === 'int8' ? 127 : 255,
      );
      const z = makeTensor(dtype, pdims, zp.data);
      const x = randomTensor(r, 'float32', dims, -300, 300);
      await exactOnGpu(quantNode('QuantizeLinear', x, s, z, axis), `Q random ${k}`);
      const q = randomTensor(r, dtype, dims, dtype === 'int8' ? -128 : 0, dtype === 'int8' ? 127 : 255);
      await exactOnGpu(quantNode('DequantizeLinear', q, s, z, axis), `DQ random ${k}`);
    }
  });
});

function matMulInteger(
  a: Tensor,
  b: Tensor,
  za: Tensor | undefined,
  zb: Tensor | undefined,
  constants: string[] = [],
): OneNode {
  return {
    op: 'MatMulInteger',
    opset: 10,
    inputs: [
      ['a', a],
      ['b', b],
      ['za', za],
      ['zb', zb],
    ],
    constants,
    outputs: [{ name: 'y', dtype: 'int32' }],
  };
}

describe('MatMulInteger with run-time zero points', () => {
  it('curated and random: scalar / per-row / per-column zero points, batches, 1-D operands', async () => {
    const a = u8([2, 3], [0, 255, 128, 1, 2, 3]);
    const b = i8([3, 2], [-128, 127, 0, 1, -1, 5]);
    await exactOnGpu(matMulInteger(a, b, u8([], [255]), i8([], [-128])), 'MMI extremes');
    await exactOnGpu(matMulInteger(a, b, u8([2], [1, 200]), i8([2], [3, -4])), 'MMI per row / column');
    await exactOnGpu(matMulInteger(a, b, u8([], [7]), undefined), 'MMI no zb');
    await exactOnGpu(matMulInteger(a, b, u8([], [7]), i8([], [2]), ['b', 'zb']), 'MMI constant B and zb');
    const r = rng(303);
    for (let k = 0; k < 16; k++) {
      const [M, K, N] = [randInt(r, 1, 9), randInt(r, 1, 70), randInt(r, 1, 9)];
      const at = k % 3 === 0 ? 'int8' : 'uint8';
      const bt = k % 2 === 0 ? 'int8' : 'uint8';
      const lo = (t: string) => (t === 'int8' ? -128 : 0);
      const batch = k % 4 === 3 ? [randInt(r, 1, 3)] : [];
      const aDims = k === 5 ? [K] : [...batch, M, K];
      const bDims = k === 6 ? [K] : [K, N];
      const za = randomTensor(r, at, k % 5 === 1 && k !== 5 ? [M] : [], lo(at), lo(at) + 255);
      const zb = randomTensor(r, bt, k % 5 === 2 && k !== 6 ? [N] : [], lo(bt), lo(bt) + 255);
      await exactOnGpu(
        matMulInteger(
          randomTensor(r, at, aDims, lo(at), lo(at) + 255),
          randomTensor(r, bt, bDims, lo(bt), lo(bt) + 255),
          za,
          zb,
        ),
        `MMI random ${k} ${at}x${bt} [${aDims}] x [${bDims}]`,
      );
    }
  });
});

describe('quantize_dynamic pattern on the GPU', () => {
  it('DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul: no CPU node, bit-exact', async () => {
    const r = rng(404);
    for (const [M, K, N] of [
      [1, 16, 8],
      [5, 33, 7],
      [32, 64, 24],
    ]) {
      const w = randomTensor(r, 'int8', [K, N], -127, 127);
      const wScale = f32([], [0.0123]);
      const model = decodeModel(
        buildModel({
          opset: 13,
          inputs: [{ name: 'x', dtype: 'float32', dims: [M, K] }],
          outputs: [{ name: 'y', dtype: 'float32' }],
          initializers: { w, w_zp: i8([], [0]), w_scale: wScale },
          nodes: [
            { op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['xq', 'xs', 'xz'] },
            { op: 'MatMulInteger', inputs: ['xq', 'w', 'xz', 'w_zp'], outputs: ['acc'] },
            { op: 'Cast', inputs: ['acc'], outputs: ['accf'], attrs: { to: 1 } },
            { op: 'Mul', inputs: ['xs', 'w_scale'], outputs: ['s'] },
            { op: 'Mul', inputs: ['accf', 's'], outputs: ['y'] },
          ],
        }),
      );
      const feeds = new Map([['x', randomTensor(r, 'float32', [M, K], -4, 3)]]);
      const { got, want } = await runModelOnGpu(model, feeds);
      expectSameTensor(got.get('y')!, want.get('y')!, `quantize_dynamic ${M}x${K}x${N}`);
    }
  });
});

describe('MatMulInteger with run-time zero points, x86 pairwise int16 sums', () => {
  it('uint8 x int8 with saturating pairs: equals the CPU reference in the same mode', async () => {
    const settings = { integerAccumulation: 'x86-u8s8-pairwise' as const };
    const r = rng(505);
    for (let k = 0; k < 8; k++) {
      const [M, K, N] = [randInt(r, 1, 6), randInt(r, 1, 41), randInt(r, 1, 6)];
      // Large magnitudes so that pairs saturate int16 (255 * 127 * 2 > 32767).
      const c = matMulInteger(
        randomTensor(r, 'uint8', [M, K], 200, 255),
        randomTensor(r, 'int8', [K, N], k % 2 ? -128 : 100, 127),
        u8([], [randInt(r, 0, 255)]),
        i8([], [randInt(r, -128, 127)]),
      );
      const model = decodeModel(oneNodeModel(c));
      const feeds = new Map(c.inputs.map(([n, t]) => [n, t!] as [string, Tensor]));
      const want = new CpuInterpreter(model, settings).runSync(feeds);
      const gpu = await WebGpuExecutor.create(model, settings);
      try {
        const got = await gpu.run(feeds);
        expect((await gpu.summary()).cpuFallbacks).toEqual([]);
        expectSameTensor(got.get('y')!, want.get('y')!, `pairwise ${k} [${M}, ${K}] x [${K}, ${N}]`);
      } finally {
        gpu.dispose();
      }
    }
  });
});

describe('ConvInteger with run-time zero points', () => {
  it('random 1-D / 2-D, groups, strides, dilations, pads, per-channel weight zero points', async () => {
    const r = rng(606);
    for (let k = 0; k < 20; k++) {
      const is1d = k % 4 === 3;
      const group = k % 5 === 2 ? 2 : k % 5 === 4 ? 3 : 1;
      const cg = randInt(r, 1, 3);
      const M = group * randInt(r, 1, 3);
      const xt = k % 3 === 0 ? 'int8' : 'uint8';
      const wt = k % 2 === 0 ? 'int8' : 'uint8';
      const lo = (t: string) => (t === 'int8' ? -128 : 0);
      const sp = is1d ? [randInt(r, 3, 9)] : [randInt(r, 3, 8), randInt(r, 3, 8)];
      const ks = sp.map(() => randInt(r, 1, 3));
      const attrs: Record<string, number[] | number | string> = { group };
      if (k % 3 === 1) attrs.strides = sp.map(() => randInt(r, 1, 2));
      if (k % 4 === 2) attrs.dilations = sp.map(() => 2);
      if (k % 2 === 1) attrs.pads = [...sp.map(() => randInt(r, 0, 1)), ...sp.map(() => randInt(r, 0, 2))];
      if (k === 8) attrs.auto_pad = 'SAME_UPPER';
      const x = randomTensor(r, xt, [randInt(r, 1, 2), cg * group, ...sp], lo(xt), lo(xt) + 255);
      const w = randomTensor(r, wt, [M, cg, ...ks], lo(wt), lo(wt) + 255);
      const zx = k === 10 ? undefined : randomTensor(r, xt, [], lo(xt), lo(xt) + 255);
      const zw =
        k % 3 === 2
          ? randomTensor(r, wt, [M], lo(wt), lo(wt) + 255)
          : randomTensor(r, wt, [], lo(wt), lo(wt) + 255);
      await exactOnGpu(
        {
          op: 'ConvInteger',
          opset: 10,
          inputs: [
            ['x', x],
            ['w', w],
            ['zx', zx],
            ['zw', zw],
          ],
          constants: k % 2 ? ['w'] : [],
          outputs: [{ name: 'y', dtype: 'int32' }],
          attrs,
        },
        `ConvInteger ${k} ${xt}x${wt} [${x.dims}] * [${w.dims}] ${JSON.stringify(attrs)}`,
      );
    }
  });

  it('DynamicQuantizeLinear -> ConvInteger -> Cast -> Mul: no CPU node, bit-exact', async () => {
    const r = rng(707);
    const w = randomTensor(r, 'uint8', [4, 3, 3, 3], 0, 255);
    const model = decodeModel(
      buildModel({
        opset: 13,
        inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 9, 7] }],
        outputs: [{ name: 'y', dtype: 'float32' }],
        initializers: { w, w_zp: u8([], [131]), w_scale: f32([], [0.02]) },
        nodes: [
          { op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['xq', 'xs', 'xz'] },
          {
            op: 'ConvInteger',
            inputs: ['xq', 'w', 'xz', 'w_zp'],
            outputs: ['acc'],
            attrs: { pads: [1, 1, 1, 1] },
          },
          { op: 'Cast', inputs: ['acc'], outputs: ['accf'], attrs: { to: 1 } },
          { op: 'Mul', inputs: ['xs', 'w_scale'], outputs: ['s'] },
          { op: 'Mul', inputs: ['accf', 's'], outputs: ['y'] },
        ],
      }),
    );
    const feeds = new Map([['x', randomTensor(r, 'float32', [1, 3, 9, 7], -2, 5)]]);
    const { got, want } = await runModelOnGpu(model, feeds);
    expectSameTensor(got.get('y')!, want.get('y')!, 'DQL -> ConvInteger');
  });
});

const lo8 = (t: string) => (t === 'int8' ? -128 : 0);
const rand8 = (r: () => number, t: 'int8' | 'uint8', dims: number[]) =>
  randomTensor(r, t, dims, lo8(t), lo8(t) + 255);

function qlinearMatMul(
  a: Tensor,
  sa: Tensor,
  za: Tensor,
  b: Tensor,
  sb: Tensor,
  zb: Tensor,
  sy: Tensor,
  zy: Tensor,
  constants: string[] = [],
): OneNode {
  return {
    op: 'QLinearMatMul',
    opset: 10,
    inputs: [
      ['a', a],
      ['sa', sa],
      ['za', za],
      ['b', b],
      ['sb', sb],
      ['zb', zb],
      ['sy', sy],
      ['zy', zy],
    ],
    constants,
    outputs: [{ name: 'y', dtype: zy.dtype }],
  };
}

describe('QLinearMatMul / QLinearConv with run-time scales and zero points', () => {
  it('QLinearMatMul curated: ties at .5 (round half even), saturation, per-column scales', async () => {
    const a = u8([2, 2], [1, 3, 5, 0]);
    const b = i8([2, 2], [1, 0, 0, 1]);
    // M = 1 * 1 / 2: acc 1, 3, 5 give 0.5, 1.5, 2.5.
    await exactOnGpu(
      qlinearMatMul(a, f32([], [1]), u8([], [0]), b, f32([], [1]), i8([], [0]), f32([], [2]), u8([], [10])),
      'QLMM ties',
    );
    const big = u8([1, 4], [255, 255, 255, 255]);
    const bw = i8([4, 2], [127, -128, 127, -128, 127, -128, 127, -128]);
    await exactOnGpu(
      qlinearMatMul(
        big,
        f32([], [0.5]),
        u8([], [0]),
        bw,
        f32([], [1]),
        i8([], [0]),
        f32([], [0.01]),
        i8([], [0]),
      ),
      'QLMM saturation',
    );
    await exactOnGpu(
      qlinearMatMul(
        big,
        f32([], [0.02]),
        u8([], [3]),
        bw,
        f32([2], [0.3, 0.007]),
        i8([2], [1, -2]),
        f32([], [0.5]),
        u8([], [128]),
      ),
      'QLMM per column',
    );
    await exactOnGpu(
      qlinearMatMul(
        big,
        f32([], [0.02]),
        u8([], [3]),
        bw,
        f32([2], [0.3, 0.007]),
        i8([2], [1, -2]),
        f32([], [0.5]),
        u8([], [128]),
        ['b', 'sb', 'zb'],
      ),
      'QLMM constant B, fed activation parameters',
    );
    // sx * sw = 1e-40 is subnormal, M = 0.01 is not: the multiplier is made in integers.
    await exactOnGpu(
      qlinearMatMul(
        big,
        f32([], [1e-20]),
        u8([], [0]),
        bw,
        f32([], [1e-20]),
        i8([], [0]),
        f32([], [1e-38]),
        i8([], [0]),
      ),
      'QLMM subnormal scale product',
    );
  });

  it('QLinearMatMul random (batches, int8 / uint8)', async () => {
    const r = rng(808);
    for (let k = 0; k < 16; k++) {
      const [M, K, N] = [randInt(r, 1, 7), randInt(r, 1, 50), randInt(r, 1, 7)];
      const at = k % 2 ? 'int8' : 'uint8';
      const bt = k % 3 ? 'int8' : 'uint8';
      const yt = k % 4 < 2 ? 'int8' : 'uint8';
      const batch = k % 4 === 3 ? [randInt(r, 2, 3)] : [];
      const perCol = k % 3 === 0;
      const sb = randomTensor(r, 'float32', perCol ? [N] : [], 1e-3, 0.05);
      await exactOnGpu(
        qlinearMatMul(
          rand8(r, at, [...batch, M, K]),
          randomTensor(r, 'float32', [], 1e-3, 0.1),
          rand8(r, at, []),
          rand8(r, bt, [K, N]),
          sb,
          rand8(r, bt, perCol ? [N] : []),
          randomTensor(r, 'float32', [], 0.01, 2),
          rand8(r, yt, []),
        ),
        `QLMM random ${k}`,
      );
    }
  });

  it('QLinearConv random: bias, per-channel scales, groups, pads, 1-D', async () => {
    const r = rng(909);
    for (let k = 0; k < 16; k++) {
      const is1d = k % 4 === 3;
      const group = k % 5 === 2 ? 2 : 1;
      const cg = randInt(r, 1, 3);
      const M = group * randInt(r, 1, 3);
      const xt = k % 3 === 0 ? 'int8' : 'uint8';
      const wt = k % 2 === 0 ? 'int8' : 'uint8';
      const yt = k % 4 < 2 ? 'uint8' : 'int8';
      const sp = is1d ? [randInt(r, 3, 9)] : [randInt(r, 3, 7), randInt(r, 3, 7)];
      const ks = sp.map(() => randInt(r, 1, 3));
      const attrs: Record<string, number[] | number> = { group };
      if (k % 3 === 1) attrs.strides = sp.map(() => 2);
      if (k % 2 === 1) attrs.pads = [...sp.map(() => 1), ...sp.map(() => randInt(r, 0, 2))];
      const perChannel = k % 2 === 0;
      const bias = k % 3 !== 2 ? randomTensor(r, 'int32', [M], -5000, 5000) : undefined;
      await exactOnGpu(
        {
          op: 'QLinearConv',
          opset: 10,
          inputs: [
            ['x', rand8(r, xt, [1, cg * group, ...sp])],
            ['sx', randomTensor(r, 'float32', [], 1e-3, 0.1)],
            ['zx', rand8(r, xt, [])],
            ['w', rand8(r, wt, [M, cg, ...ks])],
            ['sw', randomTensor(r, 'float32', perChannel ? [M] : [], 1e-3, 0.05)],
            ['zw', rand8(r, wt, perChannel ? [M] : [])],
            ['sy', randomTensor(r, 'float32', [], 0.01, 1)],
            ['zy', rand8(r, yt, [])],
            ['bias', bias],
          ],
          constants: k % 2 ? ['w', 'sw', 'zw', 'bias'].filter((n) => n !== 'bias' || bias) : [],
          outputs: [{ name: 'y', dtype: yt }],
          attrs,
        },
        `QLinearConv random ${k}`,
      );
    }
  });
});

describe('BatchNormalization (inference) with run-time scale / B / mean / var', () => {
  it('per channel and opset-7 spatial = 0, random, within float tolerance of the reference', async () => {
    const r = rng(1001);
    for (let k = 0; k < 12; k++) {
      const spatial = k % 4 === 3 ? [] : k % 2 ? [randInt(r, 1, 6)] : [randInt(r, 1, 5), randInt(r, 1, 5)];
      const dims = [randInt(r, 1, 3), randInt(r, 1, 6), ...spatial];
      const perElement = k === 5; // opset 7, spatial = 0: one parameter per element of a sample
      const pdims = perElement ? dims.slice(1) : [dims[1]];
      const c: OneNode = {
        op: 'BatchNormalization',
        opset: perElement ? 7 : 15,
        inputs: [
          ['x', randomTensor(r, 'float32', dims, -10, 10)],
          ['scale', randomTensor(r, 'float32', pdims, -2, 2)],
          ['B', randomTensor(r, 'float32', pdims, -3, 3)],
          ['mean', randomTensor(r, 'float32', pdims, -1, 1)],
          ['var', randomTensor(r, 'float32', pdims, k === 2 ? 0 : 0.01, 4)],
        ],
        constants: k % 3 === 1 ? ['scale', 'B'] : [],
        outputs: [{ name: 'y', dtype: 'float32' }],
        attrs: perElement
          ? { spatial: 0, epsilon: { float: 1e-3 } }
          : { epsilon: { float: k % 2 ? 1e-2 : 1e-5 } },
      };
      const got = (await runOnGpu(c, `BatchNorm ${k}`)).get('y')!;
      const want = runOurs(c)[0];
      const g = got.data as Float32Array;
      const w = want.data as Float32Array;
      expect(got.dims).toEqual(want.dims);
      const tol = 2e-6 * Math.max(1, ...Array.from(w, Math.abs));
      for (let i = 0; i < w.length; i++)
        expect(Math.abs(g[i] - w[i]), `BatchNorm ${k} [${i}]`).toBeLessThanOrEqual(tol);
    }
  });
});

describe('QLinearMatMul with float16 scales (opset 21), widened to f32 on the GPU', () => {
  it('random: bit-exact with the reference, no CPU node', async () => {
    const r = rng(1102);
    const h = (dims: number[], v: number[]) =>
      makeTensor('float16', dims, Uint16Array.from(v, numberToFloat16Bits));
    for (let k = 0; k < 6; k++) {
      const [M, K, N] = [randInt(r, 1, 5), randInt(r, 1, 30), randInt(r, 1, 5)];
      const at = k % 2 ? 'int8' : 'uint8';
      await exactOnGpu(
        {
          ...qlinearMatMul(
            rand8(r, at, [M, K]),
            h([], [0.01 + r() * 0.1]),
            rand8(r, at, []),
            rand8(r, at, [K, N]),
            h([], [0.001 + r() * 0.05]),
            rand8(r, at, []),
            h([], [0.05 + r() * 0.5]),
            rand8(r, at, []),
          ),
          opset: 21,
        },
        `QLMM float16 scales ${k}`,
      );
    }
  });
});

describe('MatMulInteger with a constant B and a run-time A zero point (prepared kernel + correction)', () => {
  it('random: GEMV and tiled, batched A, per-row za, with and without zb', async () => {
    const r = rng(1203);
    for (let k = 0; k < 12; k++) {
      const [M, K, N] = [k % 3 === 0 ? 1 : randInt(r, 2, 40), randInt(r, 1, 90), randInt(r, 1, 70)];
      const at = k % 2 ? 'int8' : 'uint8';
      const bt = k % 4 < 2 ? 'int8' : 'uint8';
      const aDims = k % 4 === 3 ? [randInt(r, 2, 3), M, K] : [M, K];
      const za = rand8(r, at, k % 5 === 4 ? [M] : []);
      const zb = k % 3 === 2 ? undefined : rand8(r, bt, k % 2 ? [N] : []);
      const c = matMulInteger(rand8(r, at, aDims), rand8(r, bt, [K, N]), za, zb, ['b', 'zb']);
      await exactOnGpu(c, `MMI constant B ${k} [${aDims}] x [${K}, ${N}]`);
    }
  });
});

describe('ConvInteger with constant weights and a run-time x zero point (prepared kernel + correction)', () => {
  it('random: pads at every border, strides, dilations, groups, depthwise, 1-D, per-channel zw', async () => {
    const r = rng(1304);
    for (let k = 0; k < 16; k++) {
      const is1d = k % 4 === 3;
      const depthwise = k % 5 === 1;
      const group = depthwise ? randInt(r, 1, 4) : k % 5 === 2 ? 2 : 1;
      const cg = depthwise ? 1 : randInt(r, 1, 4);
      const M = depthwise ? group : group * randInt(r, 1, 3);
      const xt = k % 3 === 0 ? 'int8' : 'uint8';
      const wt = k % 2 === 0 ? 'int8' : 'uint8';
      const sp = is1d ? [randInt(r, 3, 12)] : [randInt(r, 3, 10), randInt(r, 3, 10)];
      const ks = sp.map(() => randInt(r, 1, 3));
      const attrs: Record<string, number[] | number | string> = { group };
      if (k % 3 === 1) attrs.strides = sp.map(() => randInt(r, 1, 2));
      if (k % 4 === 2) attrs.dilations = sp.map(() => 2);
      if (k % 2 === 1) attrs.pads = [...sp.map(() => randInt(r, 0, 2)), ...sp.map(() => randInt(r, 0, 2))];
      if (k === 6) attrs.auto_pad = 'SAME_LOWER';
      const zw = k % 3 === 2 ? undefined : rand8(r, wt, k % 2 ? [M] : []);
      await exactOnGpu(
        {
          op: 'ConvInteger',
          opset: 10,
          inputs: [
            ['x', rand8(r, xt, [randInt(r, 1, 2), cg * group, ...sp])],
            ['w', rand8(r, wt, [M, cg, ...ks])],
            ['zx', rand8(r, xt, [])],
            ['zw', zw],
          ],
          constants: ['w', 'zw'],
          outputs: [{ name: 'y', dtype: 'int32' }],
          attrs,
        },
        `ConvInteger constant W ${k} ${JSON.stringify(attrs)}`,
      );
    }
  });
});
