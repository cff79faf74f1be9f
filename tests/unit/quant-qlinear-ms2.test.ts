// com.microsoft QLinearMul, QLinearAveragePool, QLinearGlobalAveragePool, QLinearSoftmax and
// QLinearConcat through the CPU interpreter against onnxruntime-node 1.30 (CPU), bit-exact:
// curated edges (every input byte, zero points at both ends, equal / unequal scales, broadcasting,
// odd channel counts, padding, ceil_mode, count_include_pad, channels_last, opset 12 / 13 softmax)
// and seeded random cases, int8 and uint8.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { type AttrInput, buildModel } from '../helpers/onnx-builder.js';
import { randInt, rng, runOrt } from './quant-ort.helper.js';

type Q = 'int8' | 'uint8';
const LO: Record<Q, number> = { int8: -128, uint8: 0 };
const HI: Record<Q, number> = { int8: 127, uint8: 255 };

const size = (d: readonly number[]) => d.reduce((x, y) => x * y, 1);

function randomTensor(r: () => number, t: Q, dims: number[]): Tensor {
  return makeTensor(
    t,
    dims,
    Array.from({ length: size(dims) }, () => randInt(r, LO[t], HI[t])),
  );
}

/** Every byte value once, then repeated cyclically to fill `dims`. */
function allBytes(t: Q, dims: number[]): Tensor {
  return makeTensor(
    t,
    dims,
    Array.from({ length: size(dims) }, (_, i) => (i % 256) + LO[t]),
  );
}

const f32 = (v: number) => makeTensor('float32', [], [v]);

interface OneNode {
  op: string;
  /** Node inputs in order: a Tensor fed at run time, or { init } for an initializer. */
  inputs: Array<{ name: string; feed?: Tensor; init?: Tensor }>;
  outType: Q;
  attrs?: Record<string, AttrInput>;
}

function oneNodeModel(spec: OneNode): { model: Uint8Array; feeds: Record<string, Tensor> } {
  const initializers: Record<string, Tensor> = {};
  const feeds: Record<string, Tensor> = {};
  for (const i of spec.inputs) {
    if (i.init) initializers[i.name] = i.init;
    if (i.feed) feeds[i.name] = i.feed;
  }
  const model = buildModel({
    msOpset: 1,
    inputs: Object.entries(feeds).map(([name, t]) => ({ name, dtype: t.dtype, dims: [...t.dims] })),
    outputs: [{ name: 'y', dtype: spec.outType }],
    initializers,
    nodes: [
      {
        op: spec.op,
        domain: 'com.microsoft',
        inputs: spec.inputs.map((i) => i.name),
        outputs: ['y'],
        attrs: spec.attrs ?? {},
      },
    ],
  });
  return { model, feeds };
}

function runCpu(model: Uint8Array, feeds: Record<string, Tensor>): Tensor {
  return new CpuInterpreter(decodeModel(model)).runSync(new Map(Object.entries(feeds))).get('y')!;
}

/** Builds a one-node com.microsoft model, runs it on both sides and compares every output byte. */
async function expectSameAsOrt(spec: OneNode): Promise<Tensor> {
  const { model, feeds } = oneNodeModel(spec);
  const cpu = runCpu(model, feeds);
  const want = (await runOrt(model, feeds)).y;
  expect(cpu.dtype).toBe(want.dtype);
  expect(cpu.dims).toEqual(want.dims);
  expect(Array.from(cpu.data as Int8Array)).toEqual(Array.from(want.data as Int8Array));
  return cpu;
}

/** (X, x_scale, x_zero_point, y_scale, y_zero_point) as the pools and Softmax take them. */
function unaryInputs(x: Tensor, xs: number, xz: number, ys: number, yz: number) {
  const t = x.dtype as Q;
  return [
    { name: 'x', feed: x },
    { name: 'xs', init: f32(xs) },
    { name: 'xz', init: makeTensor(t, [], [xz]) },
    { name: 'ys', init: f32(ys) },
    { name: 'yz', init: makeTensor(t, [], [yz]) },
  ];
}

describe('QLinearMul against onnxruntime', () => {
  function mul(a: Tensor, b: Tensor, s: [number, number, number], z: [number, number, number]) {
    const t = a.dtype as Q;
    return expectSameAsOrt({
      op: 'QLinearMul',
      outType: t,
      inputs: [
        { name: 'a', feed: a },
        { name: 'as', init: f32(s[0]) },
        { name: 'az', init: makeTensor(t, [], [z[0]]) },
        { name: 'b', feed: b },
        { name: 'bs', init: f32(s[1]) },
        { name: 'bz', init: makeTensor(t, [], [z[1]]) },
        { name: 'cs', init: f32(s[2]) },
        { name: 'cz', init: makeTensor(t, [], [z[2]]) },
      ],
    });
  }
  // every A byte against a column of B values (B broadcast per span), zero points at the ends
  const curated: [Q, [number, number, number], [number, number, number]][] = [
    ['uint8', [0.02, 0.03, 0.05], [0, 255, 128]],
    ['uint8', [0.1, 0.1, 0.0007], [255, 0, 0]], // saturates most products
    ['int8', [0.013, 0.047, 0.011], [-128, 127, 0]],
    ['int8', [1 / 3, 1 / 7, 1 / 21], [127, -128, -128]], // ratio 1, ties of the rounding
    ['int8', [0.5, 0.25, 0.125], [0, 0, 5]],
    ['int8', [0.5, 0.5, 0.5], [3, -5, 1]], // ratio 0.5: every odd product is a tie
    ['uint8', [0.25, 0.5, 0.25], [200, 7, 30]],
  ];
  for (const [t, s, z] of curated) {
    it(`${t} all A bytes x B column s=${s} z=${z}`, async () => {
      const r = rng(s[0] * 1000);
      await mul(allBytes(t, [256]), randomTensor(r, t, [9, 1]), s, z);
    });
  }
  const shapes: [number[], number[]][] = [
    [
      [3, 37],
      [3, 37],
    ],
    [[2, 45], []],
    [[], [2, 45]],
    [
      [1, 4, 5, 7],
      [4, 1, 1],
    ],
    [[2, 3, 33], [33]],
    [
      [6, 1],
      [6, 40],
    ],
  ];
  for (const t of ['uint8', 'int8'] as const) {
    for (const [ad, bd] of shapes) {
      it(`${t} random A[${ad}] x B[${bd}]`, async () => {
        const r = rng(size(ad) * 31 + size(bd) + (t === 'int8' ? 7 : 0));
        const s: [number, number, number] = [0.001 + r() * 0.1, 0.001 + r() * 0.1, 0.0005 + r() * 0.05];
        const z: [number, number, number] = [0, 0, 0].map(() => randInt(r, LO[t], HI[t])) as never;
        await mul(randomTensor(r, t, ad), randomTensor(r, t, bd), s, z);
      });
    }
  }
});

/** [N, C, ...spatial] -> [N, ...spatial, C] data, for the channels_last variants. */
function toChannelsLast(x: Tensor): Tensor {
  const [n, c, ...sp] = x.dims;
  const s = size(sp);
  const src = x.data as Int8Array;
  const out = Array.from({ length: src.length }, (_, i) => {
    const ch = i % c;
    const p = Math.floor(i / c) % s;
    const b = Math.floor(i / (c * s));
    return src[(b * c + ch) * s + p];
  });
  return makeTensor(x.dtype, [n, ...sp, c], out);
}

describe('QLinearGlobalAveragePool against onnxruntime', () => {
  const cases: [Q, number[], number, number, number, number][] = [
    ['uint8', [1, 3, 1, 1], 0.05, 0, 0.05, 255], // image size 1
    ['uint8', [2, 5, 7, 7], 0.02, 255, 0.01, 0],
    ['uint8', [1, 9, 33, 1], 0.1, 128, 0.003, 17], // saturates
    ['int8', [2, 3, 8, 8], 0.02, -128, 0.02, 127],
    ['int8', [1, 7, 5, 3], 0.037, 127, 0.011, -128],
    ['int8', [1, 2, 4, 4, 4], 0.5, 0, 0.25, 0], // 3-D, ties (scale 2/64)
    ['uint8', [1, 16, 3, 3], 0.1, 3, 0.1, 4], // ties of k/9
  ];
  for (const [t, dims, xs, xz, ys, yz] of cases) {
    for (const last of [0, 1]) {
      it(`${t} x=[${dims}] xs=${xs} xz=${xz} ys=${ys} yz=${yz} channels_last=${last}`, async () => {
        const x = randomTensor(rng(size(dims) + xz), t, dims);
        await expectSameAsOrt({
          op: 'QLinearGlobalAveragePool',
          outType: t,
          inputs: unaryInputs(last ? toChannelsLast(x) : x, xs, xz, ys, yz),
          attrs: { channels_last: last },
        });
      });
    }
  }
});

describe('parameters onnxruntime rejects are rejected here too', () => {
  async function bothReject(spec: OneNode) {
    const { model, feeds } = oneNodeModel(spec);
    expect(() => runCpu(model, feeds)).toThrow();
    await expect(runOrt(model, feeds, 'disabled', true)).rejects.toThrow();
  }
  it('QLinearGlobalAveragePool scale x_scale / (y_scale * size) >= 256', async () => {
    await bothReject({
      op: 'QLinearGlobalAveragePool',
      outType: 'uint8',
      inputs: unaryInputs(randomTensor(rng(1), 'uint8', [1, 2, 2, 2]), 300, 0, 0.25, 0),
    });
  });
  it('QLinearAveragePool pad as large as the kernel', async () => {
    await bothReject({
      op: 'QLinearAveragePool',
      outType: 'uint8',
      inputs: unaryInputs(randomTensor(rng(2), 'uint8', [1, 2, 5, 5]), 0.1, 0, 0.1, 0),
      attrs: { kernel_shape: [2, 2], pads: [2, 0, 0, 0] },
    });
  });
});

describe('QLinearAveragePool against onnxruntime', () => {
  interface PoolCase {
    t: Q;
    dims: number[];
    attrs: Record<string, AttrInput>;
    q: [number, number, number, number];
  }
  const k3p1s2 = { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] };
  const curated: [string, PoolCase][] = [
    [
      '3x3 pad 1 stride 2, odd channels',
      { t: 'uint8', dims: [1, 3, 7, 9], attrs: k3p1s2, q: [0.1, 0, 0.07, 255] },
    ],
    [
      '3x3 pad 1 stride 2, count_include_pad',
      {
        t: 'int8',
        dims: [2, 3, 7, 9],
        attrs: { ...k3p1s2, count_include_pad: 1 },
        q: [0.1, -128, 0.07, 127],
      },
    ],
    [
      '3x3 stride 2 ceil_mode (last window clipped)',
      {
        t: 'uint8',
        dims: [1, 5, 8, 8],
        attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 },
        q: [0.02, 255, 0.02, 0],
      },
    ],
    [
      'ceil_mode with pads and count_include_pad',
      {
        t: 'int8',
        dims: [1, 2, 6, 7],
        attrs: {
          kernel_shape: [3, 2],
          strides: [2, 3],
          pads: [1, 0, 1, 1],
          ceil_mode: 1,
          count_include_pad: 1,
        },
        q: [0.05, 0, 0.03, -5],
      },
    ],
    [
      'asymmetric pads',
      {
        t: 'uint8',
        dims: [1, 4, 6, 6],
        attrs: { kernel_shape: [2, 3], pads: [1, 0, 0, 2] },
        q: [0.3, 100, 0.2, 90],
      },
    ],
    [
      'SAME_UPPER',
      {
        t: 'int8',
        dims: [1, 3, 5, 6],
        attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' },
        q: [0.1, 5, 0.1, -5],
      },
    ],
    [
      'SAME_LOWER',
      {
        t: 'uint8',
        dims: [1, 3, 5, 6],
        attrs: { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER' },
        q: [0.1, 5, 0.1, 5],
      },
    ],
    [
      '1-D',
      {
        t: 'int8',
        dims: [2, 3, 17],
        attrs: { kernel_shape: [4], strides: [3], pads: [2, 1] },
        q: [0.25, 1, 0.125, 0],
      },
    ],
    [
      '3-D',
      {
        t: 'uint8',
        dims: [1, 2, 4, 5, 6],
        attrs: { kernel_shape: [2, 3, 2], strides: [2, 1, 2], pads: [0, 1, 1, 1, 0, 0] },
        q: [0.1, 7, 0.05, 3],
      },
    ],
    [
      'kernel = input (integer global path)',
      { t: 'uint8', dims: [1, 5, 4, 6], attrs: { kernel_shape: [4, 6] }, q: [0.1, 3, 0.1, 4] },
    ],
    [
      'kernel = input, int8',
      { t: 'int8', dims: [2, 3, 3, 3], attrs: { kernel_shape: [3, 3] }, q: [0.2, -7, 0.3, 9] },
    ],
    // sums with S / 4 = k + 1/2: the integer path rounds the exact tie to even, an f32 path would not
    [
      'kernel = input 2x2, ties',
      { t: 'uint8', dims: [1, 64, 2, 2], attrs: { kernel_shape: [2, 2] }, q: [0.1, 9, 0.1, 0] },
    ],
    [
      '2x2 stride 2, ties (scale ratio 1)',
      { t: 'uint8', dims: [1, 4, 16, 16], attrs: { kernel_shape: [2, 2], strides: [2, 2] }, q: [1, 0, 1, 0] },
    ],
    [
      '2x2 stride 1, ties int8',
      { t: 'int8', dims: [1, 4, 16, 16], attrs: { kernel_shape: [2, 2] }, q: [0.5, 0, 0.5, 0] },
    ],
  ];
  for (const [name, c] of curated) {
    for (const last of [0, 1]) {
      it(`${c.t} ${name} x=[${c.dims}] channels_last=${last}`, async () => {
        const x = c.dims[2] === 16 ? allBytes(c.t, c.dims) : randomTensor(rng(size(c.dims)), c.t, c.dims);
        await expectSameAsOrt({
          op: 'QLinearAveragePool',
          outType: c.t,
          inputs: unaryInputs(last ? toChannelsLast(x) : x, ...c.q),
          attrs: { ...c.attrs, channels_last: last },
        });
      });
    }
  }

  it('random 2-D pools (shapes, strides, pads, modes, both layouts)', async () => {
    const r = rng(2024);
    for (let k = 0; k < 24; k++) {
      const t: Q = k % 2 ? 'int8' : 'uint8';
      const kh = randInt(r, 1, 4);
      const kw = randInt(r, 1, 4);
      const dims = [randInt(r, 1, 2), randInt(r, 1, 6), randInt(r, kh, 11), randInt(r, kw, 11)];
      const attrs: Record<string, AttrInput> = {
        kernel_shape: [kh, kw],
        strides: [randInt(r, 1, 3), randInt(r, 1, 3)],
        pads: [randInt(r, 0, kh - 1), randInt(r, 0, kw - 1), randInt(r, 0, kh - 1), randInt(r, 0, kw - 1)],
        ceil_mode: randInt(r, 0, 1),
        count_include_pad: randInt(r, 0, 1),
        channels_last: randInt(r, 0, 1),
      };
      const x = randomTensor(r, t, dims);
      const q: [number, number, number, number] = [
        0.001 + r() * 0.2,
        randInt(r, LO[t], HI[t]),
        0.001 + r() * 0.2,
        randInt(r, LO[t], HI[t]),
      ];
      await expectSameAsOrt({
        op: 'QLinearAveragePool',
        outType: t,
        inputs: unaryInputs(attrs.channels_last ? toChannelsLast(x) : x, ...q),
        attrs,
      });
    }
  });
});

describe('QLinearSoftmax against onnxruntime', () => {
  interface SoftmaxCase {
    t: Q;
    dims: number[];
    opset: number;
    axis?: number;
    q: [number, number, number, number];
  }
  const cases: [string, SoftmaxCase][] = [
    ['all bytes in one row', { t: 'uint8', dims: [1, 256], opset: 13, q: [0.05, 0, 1 / 256, 0] }],
    ['all bytes in one row, int8', { t: 'int8', dims: [1, 256], opset: 13, q: [0.05, 0, 1 / 256, -128] }],
    [
      'int8 saturates at 127 (ys 1/256, zy -128)',
      { t: 'int8', dims: [16, 16], opset: 13, q: [0.3, 0, 1 / 256, -128] },
    ],
    [
      'uint8 saturates at 255 (ys 1/300)',
      { t: 'uint8', dims: [16, 16], opset: 13, q: [0.3, 0, 1 / 300, 10] },
    ],
    ['large x_scale (exp underflows)', { t: 'uint8', dims: [8, 32], opset: 13, q: [2.5, 7, 1 / 255, 0] }],
    ['small x_scale', { t: 'int8', dims: [8, 32], opset: 13, q: [0.001, -3, 1 / 255, -128] }],
    [
      'opset 13, axis 1 of 3 (transposed)',
      { t: 'uint8', dims: [2, 7, 5], opset: 13, axis: 1, q: [0.1, 0, 1 / 256, 0] },
    ],
    ['opset 13, axis 0', { t: 'int8', dims: [5, 3, 4], opset: 13, axis: 0, q: [0.2, 0, 0.0039, -100] }],
    [
      'opset 12 without axis (schema default -1)',
      { t: 'uint8', dims: [3, 4, 5], opset: 12, q: [0.1, 0, 1 / 256, 0] },
    ],
    ['opset 12, axis 2', { t: 'int8', dims: [2, 3, 9], opset: 12, axis: 2, q: [0.15, 0, 1 / 256, -128] }],
    [
      'opset 12, axis -1 of rank 4',
      { t: 'uint8', dims: [2, 2, 3, 11], opset: 12, axis: -1, q: [0.07, 0, 1 / 200, 20] },
    ],
    // e * Y overflows f32 when Y > e^5 * D: uint8 gives zy, int8 127 or -128 by the sign of zy
    ['one element rows (overflow)', { t: 'uint8', dims: [9, 1], opset: 13, q: [0.1, 0, 1 / 256, 7] }],
    ['one element rows (overflow), zy < 0', { t: 'int8', dims: [9, 1], opset: 13, q: [0.1, 0, 1 / 256, -1] }],
    ['one element rows (overflow), zy = 0', { t: 'int8', dims: [9, 1], opset: 13, q: [0.1, 0, 1 / 256, 0] }],
    [
      'two element rows, Y = 300 (overflow)',
      { t: 'int8', dims: [6, 2], opset: 13, q: [0.1, 0, 1 / 300.5, 3] },
    ],
    ['long rows (D = 1000)', { t: 'int8', dims: [2, 1000], opset: 13, q: [0.08, 0, 1 / 256, -128] }],
  ];
  for (const [name, c] of cases) {
    it(`${c.t} ${name} x=[${c.dims}] q=${c.q.map((v) => +v.toPrecision(4))}`, async () => {
      const x = c.dims[1] === 256 ? allBytes(c.t, c.dims) : randomTensor(rng(size(c.dims) * 3), c.t, c.dims);
      await expectSameAsOrt({
        op: 'QLinearSoftmax',
        outType: c.t,
        inputs: unaryInputs(x, ...c.q),
        attrs: c.axis === undefined ? { opset: c.opset } : { opset: c.opset, axis: c.axis },
      });
    });
  }

  // Rows of k equal maxima and masked (zero) entries, as an attention mask leaves them: every
  // output is Y / k, a tie of nearbyintf for k = 2, 4, 8 with Y even... decided by the last bit of
  // the exp table. These pin how onnxruntime computes the table's headroom: log() of a float,
  // returning a float (a double log lands on the other side of 63.5 for Y = 254, k = 4).
  for (const t of ['uint8', 'int8'] as const) {
    it(`${t} ties: k equal maxima per row, the rest masked, many x and y scales`, async () => {
      const lo = LO[t];
      const hi = HI[t];
      for (const [xs, D] of [
        [39.218758, 6],
        [39.2, 6],
        [0.5, 6],
        [1.7, 8],
        [20, 12],
        [0.05, 16],
        [3, 32],
      ] as const) {
        const rows = D;
        const data: number[] = [];
        for (let row = 0; row < rows; row++)
          for (let j = 0; j < D; j++) data.push(j <= row % D ? hi : lo);
        for (const ys of [0.003921569, 1 / 256, 1 / 254, 1 / 100, 0.00390625 * 1.0000001]) {
          await expectSameAsOrt({
            op: 'QLinearSoftmax',
            outType: t,
            inputs: unaryInputs(makeTensor(t, [rows, D], data), xs, t === 'int8' ? 127 : 255, ys, lo),
            attrs: { opset: 13, axis: -1 },
          });
        }
      }
    });
  }

  it('random shapes, axes, scales and opsets', async () => {
    const r = rng(77);
    for (let k = 0; k < 16; k++) {
      const t: Q = k % 2 ? 'int8' : 'uint8';
      const dims = Array.from({ length: randInt(r, 1, 3) }, () => randInt(r, 1, 12));
      const axis = randInt(r, -dims.length, dims.length - 1);
      const ys = 1 / randInt(r, 100, 300);
      await expectSameAsOrt({
        op: 'QLinearSoftmax',
        outType: t,
        inputs: unaryInputs(randomTensor(r, t, dims), 0.005 + r() * 0.3, 0, ys, t === 'int8' ? -128 : 0),
        attrs: { opset: k % 3 ? 13 : 12, axis },
      });
    }
  });
});

describe('QLinearConcat against onnxruntime', () => {
  interface ConcatInput {
    x: Tensor;
    s: number;
    z: number;
  }
  function concat(t: Q, axis: number, ys: number, yz: number, xs: ConcatInput[]) {
    return expectSameAsOrt({
      op: 'QLinearConcat',
      outType: t,
      inputs: [
        { name: 'ys', init: f32(ys) },
        { name: 'yz', init: makeTensor(t, [], [yz]) },
        ...xs.flatMap((c, i) => [
          { name: `x${i}`, feed: c.x },
          { name: `s${i}`, init: f32(c.s) },
          { name: `z${i}`, init: makeTensor(t, [], [c.z]) },
        ]),
      ],
      attrs: { axis },
    });
  }
  for (const t of ['uint8', 'int8'] as const) {
    it(`${t} all bytes, equal scales pass through and unequal ones requantize`, async () => {
      const lo = LO[t];
      const hi = HI[t];
      const y = await concat(t, 0, 0.05, lo, [
        { x: allBytes(t, [256]), s: 0.05, z: lo }, // same scale and zero point: a copy
        { x: allBytes(t, [256]), s: 0.05, z: hi }, // same scale, other zero point
        { x: allBytes(t, [256]), s: 0.0173, z: 3 },
        { x: allBytes(t, [256]), s: 0.5, z: hi }, // saturates
      ]);
      expect(Array.from(y.data as Int8Array).slice(0, 256)).toEqual(
        Array.from(allBytes(t, [256]).data as Int8Array),
      );
    });
    it(`${t} ties of the requantize (scale ratio 2)`, async () => {
      await concat(t, 0, 0.2, 1, [{ x: allBytes(t, [256]), s: 0.1, z: 0 }]);
    });
    for (const axis of [0, 1, 2, -1]) {
      it(`${t} 3 inputs along axis ${axis}`, async () => {
        const r = rng(axis + 10 + (t === 'int8' ? 100 : 0));
        const base = [2, 3, 5];
        const ax = axis < 0 ? axis + 3 : axis;
        const xs = [1, 4, 2].map((len) => {
          const dims = [...base];
          dims[ax] = len;
          return { x: randomTensor(r, t, dims), s: 0.01 + r() * 0.1, z: randInt(r, LO[t], HI[t]) };
        });
        xs[1].s = 0.04; // one input in the output's own scale and zero point
        xs[1].z = 7;
        await concat(t, axis, 0.04, 7, xs);
      });
    }
  }
  it('an empty input contributes nothing', async () => {
    const r = rng(5);
    await concat('uint8', 1, 0.1, 128, [
      { x: randomTensor(r, 'uint8', [2, 3]), s: 0.2, z: 100 },
      { x: randomTensor(r, 'uint8', [2, 0]), s: 0.3, z: 1 },
      { x: randomTensor(r, 'uint8', [2, 4]), s: 0.05, z: 200 },
    ]);
  });
});
