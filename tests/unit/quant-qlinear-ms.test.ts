// com.microsoft QLinearAdd / QLinearSigmoid / QLinearLeakyRelu through the CPU interpreter against
// onnxruntime-node, every input byte and several broadcast patterns (scalar / per-span / full).
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { randInt, rng, runOrt } from './quant-ort.helper.js';

type Q = 'int8' | 'uint8';

async function compare(model: Uint8Array, feeds: Record<string, Tensor>) {
  const cpu = new CpuInterpreter(decodeModel(model)).runSync(new Map(Object.entries(feeds))).get('y')!;
  const want = (await runOrt(model, feeds)).y;
  expect(cpu.dims).toEqual(want.dims);
  expect(Array.from(cpu.data as Int8Array)).toEqual(Array.from(want.data as Int8Array));
}

function allBytes(t: Q): Tensor {
  return makeTensor(
    t,
    [256],
    Array.from({ length: 256 }, (_, i) => (t === 'int8' ? i - 128 : i)),
  );
}

describe('lookup-table ops against onnxruntime (all 256 inputs)', () => {
  const params: [Q, number, number, number, number][] = [
    ['uint8', 0.1, 128, 1 / 256, 0],
    ['int8', 0.05, -3, 1 / 255, -128],
    ['uint8', 0.0312, 17, 0.0041, 3],
    ['int8', 1 / 3, 100, 0.25, 127],
  ];
  for (const [t, xs, xz, ys, yz] of params) {
    for (const op of ['QLinearLeakyRelu', 'QLinearSigmoid']) {
      it(`${op} ${t} xs=${xs} xz=${xz} ys=${ys} yz=${yz}`, async () => {
        const model = buildModel({
          msOpset: 1,
          inputs: [{ name: 'x', dtype: t, dims: [256] }],
          outputs: [{ name: 'y', dtype: t }],
          initializers: {
            xs: makeTensor('float32', [], [xs]),
            xz: makeTensor(t, [], [xz]),
            ys: makeTensor('float32', [], [op === 'QLinearSigmoid' ? ys : xs * 0.7]),
            yz: makeTensor(t, [], [yz]),
          },
          nodes: [
            {
              op,
              domain: 'com.microsoft',
              inputs: ['x', 'xs', 'xz', 'ys', 'yz'],
              outputs: ['y'],
              attrs: op === 'QLinearLeakyRelu' ? { alpha: { float: 0.13 } } : {},
            },
          ],
        });
        await compare(model, { x: allBytes(t) });
      });
    }
  }
});

describe('QLinearAdd against onnxruntime', () => {
  const shapes: [string, number[], number[]][] = [
    ['same shape (odd length)', [3, 37], [3, 37]],
    ['B scalar', [2, 45], []],
    ['A scalar', [], [2, 45]],
    ['B per channel [C,1,1] (scalar per span)', [1, 4, 5, 7], [4, 1, 1]],
    ['B row [W] (vector per span)', [2, 3, 33], [33]],
    ['A column [H,1] broadcast', [6, 1], [6, 40]],
  ];
  for (const t of ['uint8', 'int8'] as const) {
    for (const [name, ad, bd] of shapes) {
      it(`${t} ${name}`, async () => {
        const r = rng(name.length * (t === 'int8' ? 3 : 5));
        const lo = t === 'int8' ? -128 : 0;
        const hi = t === 'int8' ? 127 : 255;
        const size = (d: number[]) => d.reduce((x, y) => x * y, 1);
        const a = makeTensor(
          t,
          ad,
          Array.from({ length: size(ad) }, () => randInt(r, lo, hi)),
        );
        const b = makeTensor(
          t,
          bd,
          Array.from({ length: size(bd) }, () => randInt(r, lo, hi)),
        );
        const model = buildModel({
          msOpset: 1,
          inputs: [
            { name: 'a', dtype: t, dims: ad },
            { name: 'b', dtype: t, dims: bd },
          ],
          outputs: [{ name: 'y', dtype: t }],
          initializers: {
            as: makeTensor('float32', [], [0.037]),
            az: makeTensor(t, [], [randInt(r, lo, hi)]),
            bs: makeTensor('float32', [], [0.011]),
            bz: makeTensor(t, [], [randInt(r, lo, hi)]),
            cs: makeTensor('float32', [], [0.045]),
            cz: makeTensor(t, [], [randInt(r, lo, hi)]),
          },
          nodes: [
            {
              op: 'QLinearAdd',
              domain: 'com.microsoft',
              inputs: ['a', 'as', 'az', 'b', 'bs', 'bz', 'cs', 'cz'],
              outputs: ['y'],
            },
          ],
        });
        await compare(model, { a, b });
      });
    }
  }
});
