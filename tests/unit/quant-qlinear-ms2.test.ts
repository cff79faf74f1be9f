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

/** Builds a one-node com.microsoft model, runs it on both sides and compares every output byte. */
async function expectSameAsOrt(spec: OneNode): Promise<Tensor> {
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
  const cpu = new CpuInterpreter(decodeModel(model)).runSync(new Map(Object.entries(feeds))).get('y')!;
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
    [[3, 37], [3, 37]],
    [[2, 45], []],
    [[], [2, 45]],
    [[1, 4, 5, 7], [4, 1, 1]],
    [[2, 3, 33], [33]],
    [[6, 1], [6, 40]],
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
