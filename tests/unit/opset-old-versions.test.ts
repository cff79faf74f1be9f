// Models stamped with opsets below 7: each op runs at its definition for that opset when we
// implement it (Relu-1/6, Softmax-1, Reshape-5, BatchNormalization-6 in test mode, ...), the
// arithmetic ops with their legacy broadcast/axis attributes, and an older definition we do not
// implement (Cast-1's string type, Pad-1's `paddings`) or an op that did not exist yet at the
// model's opset is refused in one line naming op, version and node.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { assertSupportedOpsets, opsetProblems, opVersionAt } from '../../app/model/opset-range.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel, type NodeSpec } from '../helpers/onnx-builder.js';

function oneNode(opset: number, node: NodeSpec, inputs: Record<string, Tensor>, out = 'y') {
  return decodeModel(
    buildModel({
      opset,
      inputs: Object.entries(inputs).map(([name, t]) => ({ name, dtype: t.dtype, dims: [...t.dims] })),
      outputs: [{ name: out, dtype: 'float32' }],
      nodes: [node],
    }),
  );
}

const seq = (dims: number[], scale = 1) =>
  makeTensor(
    'float32',
    dims,
    Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => (i + 1) * scale),
  );

describe('ops at opsets below 7', () => {
  it('opVersionAt picks the newest definition at or below the opset', () => {
    expect(opVersionAt('Add', 6)).toBe(6);
    expect(opVersionAt('Add', 12)).toBe(7);
    expect(opVersionAt('Add', 28)).toBe(14);
    expect(opVersionAt('Mod', 9)).toBeUndefined();
    expect(opVersionAt('NoSuchOp', 9)).toBeUndefined();
  });

  it('Add-6 with broadcast = 1 and axis places B on A axes 1..2 (legacy broadcasting)', () => {
    const a = seq([2, 3, 4, 5]);
    const b = seq([3, 4], 100);
    const m = oneNode(
      6,
      { op: 'Add', inputs: ['a', 'b'], outputs: ['y'], attrs: { broadcast: 1, axis: 1 } },
      { a, b },
    );
    expect(opsetProblems(m)).toEqual([]);
    const y = new CpuInterpreter(m)
      .runSync(
        new Map([
          ['a', a],
          ['b', b],
        ]),
      )
      .get('y')!;
    expect([...y.dims]).toEqual([2, 3, 4, 5]);
    const want = Array.from({ length: 120 }, (_, i) => {
      const c = Math.floor(i / 20) % 3;
      const h = Math.floor(i / 5) % 4;
      return (a.data as Float32Array)[i] + (b.data as Float32Array)[c * 4 + h];
    });
    expect(Array.from(y.data as Float32Array)).toEqual(want);
  });

  it('Mul-6 with broadcast = 1 and no axis matches a suffix; broadcast = 0 needs equal shapes', () => {
    const a = seq([2, 3]);
    const b = seq([3], 10);
    const m = oneNode(
      6,
      { op: 'Mul', inputs: ['a', 'b'], outputs: ['y'], attrs: { broadcast: 1 } },
      { a, b },
    );
    const y = new CpuInterpreter(m)
      .runSync(
        new Map([
          ['a', a],
          ['b', b],
        ]),
      )
      .get('y')!;
    expect(Array.from(y.data as Float32Array)).toEqual([10, 40, 90, 40, 100, 180]);
    const strict = oneNode(6, { op: 'Mul', inputs: ['a', 'b'], outputs: ['y'] }, { a, b });
    expect(() =>
      new CpuInterpreter(strict).runSync(
        new Map([
          ['a', a],
          ['b', b],
        ]),
      ),
    ).toThrow(/B \[3\] differs from A \[2,3\] and broadcast is 0/);
  });

  it('BatchNormalization-6 runs in test mode and refuses training mode (is_test = 0)', () => {
    const x = seq([1, 2, 2, 2], 0.5);
    const p = (v: number[]) => makeTensor('float32', [2], v);
    const inputs = { x, s: p([1, 2]), b: p([0, 1]), m: p([1, 2]), v: p([4, 1]) };
    const node = (isTest: number): NodeSpec => ({
      op: 'BatchNormalization',
      inputs: ['x', 's', 'b', 'm', 'v'],
      outputs: ['y'],
      attrs: { is_test: isTest, epsilon: { float: 0 } },
    });
    const feeds = new Map(Object.entries(inputs));
    const y = new CpuInterpreter(oneNode(6, node(1), inputs)).runSync(feeds).get('y')!;
    expect(Array.from(y.data as Float32Array)).toEqual([-0.25, 0, 0.25, 0.5, 2, 3, 4, 5]);
    expect(() => new CpuInterpreter(oneNode(6, node(0), inputs)).runSync(feeds)).toThrow(
      /training mode \(is_test = 0\) is not supported/,
    );
  });

  it('refuses older definitions we do not implement, and ops that do not exist yet, per op in one line', () => {
    const x = seq([2, 2]);
    const cast = oneNode(
      5,
      { op: 'Cast', name: 'c', inputs: ['x'], outputs: ['y'], attrs: { to: 1 } },
      { x },
    );
    expect(opsetProblems(cast)).toEqual([
      "Cast-1 (opset 5, node 'c') is an older definition than qplay implements (Cast from version 6)",
    ]);
    expect(() => assertSupportedOpsets(cast)).toThrow(/Cast-1 \(opset 5/);
    const mod = oneNode(8, { op: 'Mod', name: 'm', inputs: ['x', 'x'], outputs: ['y'] }, { x });
    expect(opsetProblems(mod)).toEqual([
      "Mod (node 'm') does not exist at opset 8 (ONNX defines it from 10)",
    ]);
    const pad = oneNode(
      1,
      { op: 'Pad', name: 'p', inputs: ['x'], outputs: ['y'], attrs: { paddings: [0, 0, 1, 1] } },
      { x },
    );
    expect(opsetProblems(pad)[0]).toMatch(
      /^Pad-1 \(opset 1, node 'p'\) is an older definition .*\(Pad from version 2\)$/,
    );
  });
});
