// Activations, Softmax and ReduceMean: hand-computed values, the integer forms of Relu and Clip,
// opset-dependent attribute/input forms, then random tensors against onnxruntime-node.
import { describe, expect, it } from 'vitest';
import { clip, hardSigmoid, hardSwish, leakyRelu, relu } from '../../kernels/activation/activation.ref.js';
import { erf64 } from '../../kernels/activation/erf.js';
import { reduceMean } from '../../kernels/reduce/reduce-mean.ref.js';
import { softmax } from '../../kernels/softmax/softmax.ref.js';
import { int64Tensor, makeTensor } from '../../kernels/tensor.js';
import { expectMatchesOrt, f32, randomFloats, rng, runOurs } from './nn-oracle.helper.js';

describe('activations, hand-computed', () => {
  it('relu and clip on integers, int64 included', () => {
    expect([...relu(makeTensor('int8', [3], [-128, 0, 127])).data]).toEqual([0, 0, 127]);
    expect(relu(int64Tensor([2], [-5, 9])).data).toEqual(BigInt64Array.from([0n, 9n]));
    expect([...clip(makeTensor('uint8', [3], [0, 100, 255]), 10, 200).data]).toEqual([10, 100, 200]);
    expect(clip(int64Tensor([3], [-9, 0, 9]), -2n, 3n).data).toEqual(BigInt64Array.from([-2n, 0n, 3n]));
    expect([...clip(f32([3], [-9, 0.5, 9]), undefined, 1).data]).toEqual([-9, 0.5, 1]);
  });
  it('leaky relu, hard sigmoid, hard swish', () => {
    expect([...leakyRelu(f32([2], [-2, 3]), 0.5).data]).toEqual([-1, 3]);
    expect([...hardSigmoid(f32([3], [-10, 0, 10])).data]).toEqual([0, 0.5, 1]);
    expect([...hardSwish(f32([4], [-4, -1.5, 0, 3.5])).data]).toEqual([-0, -0.375, 0, 3.5]);
  });
  it('erf64 against known values (series and continued-fraction branches)', () => {
    const known: Array<[number, number]> = [
      [0, 0],
      [1e-10, 1.1283791670955126e-10],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2.9, 0.9999589021219005],
      [3.5, 0.9999992569016276],
      [-4, -0.9999999845827421],
      [1.4999, 0.9660932516622953],
      [1.5, 0.9661051464753108],
      [2.5, 0.999593047982555],
      [2.99, 0.9999764743969194],
    ];
    for (const [x, e] of known)
      expect(Math.abs(erf64(x) - e)).toBeLessThanOrEqual(4e-16 * Math.abs(e) + 1e-25);
    // continuity across the branch point at |x| = 1.5
    const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-2.25);
    expect(Math.abs(erf64(1.5 + 1e-9) - erf64(1.5 - 1e-9) - 2e-9 * slope)).toBeLessThan(1e-15);
  });
});

describe('softmax / reduce mean, hand-computed', () => {
  const x = f32([2, 2], [0, Math.log(3), 1000, 1000]);
  it('softmax along the last axis is stable for large inputs', () => {
    const y = softmax(x, -1);
    expect(Array.from(y.data as Float32Array, (v) => v.toFixed(6))).toEqual([
      '0.250000',
      '0.750000',
      '0.500000',
      '0.500000',
    ]);
  });
  it('opset < 13 softmax flattens from the axis on', () => {
    const y = softmax(f32([1, 2, 2], [0, 0, 0, 0]), 1, true);
    expect([...y.data]).toEqual([0.25, 0.25, 0.25, 0.25]);
    const z = softmax(f32([1, 2, 2], [0, 0, 0, 0]), 1, false);
    expect([...z.data]).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
  it('reduce mean: axes, keepdims, all axes, noop', () => {
    const t = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const a = reduceMean(t, { axes: [1], keepdims: false });
    expect([[...a.dims], [...a.data]]).toEqual([[2], [2, 5]]);
    const b = reduceMean(t, { axes: [-2] });
    expect([[...b.dims], [...b.data]]).toEqual([
      [1, 3],
      [2.5, 3.5, 4.5],
    ]);
    expect([...reduceMean(t).data]).toEqual([3.5]);
    expect([...reduceMean(t, { noopWithEmptyAxes: true }).dims]).toEqual([2, 3]);
  });
});

describe('opset forms through the interpreter', () => {
  const x = f32([4], [-3, -0.5, 0.5, 3]);
  it('Clip: attributes before opset 11, optional inputs from 11', () => {
    const v6 = runOurs({
      op: 'Clip',
      opset: 6,
      inputs: [['X', x]],
      attrs: { min: { float: -1 }, max: { float: 1 } },
    });
    expect([...v6.get('Y')!.data]).toEqual([-1, -0.5, 0.5, 1]);
    const v11 = runOurs({
      op: 'Clip',
      opset: 11,
      inputs: [
        ['X', x],
        ['lo', undefined],
        ['hi', f32([], [0])],
      ],
      constants: ['hi'],
    });
    expect([...v11.get('Y')!.data]).toEqual([-3, -0.5, 0, 0]);
  });
  it('Softmax default axis: 1 before opset 13, -1 from 13', () => {
    const t = f32([1, 2, 2], [0, 0, 0, 0]);
    expect([...runOurs({ op: 'Softmax', opset: 11, inputs: [['X', t]] }).get('Y')!.data]).toEqual([
      0.25, 0.25, 0.25, 0.25,
    ]);
    expect([...runOurs({ op: 'Softmax', opset: 13, inputs: [['X', t]] }).get('Y')!.data]).toEqual([
      0.5, 0.5, 0.5, 0.5,
    ]);
  });
});

describe('vs onnxruntime (random)', () => {
  const r = rng(2024);
  const x = () => randomFloats(r, [2, 3, 17], -6, 6);
  const unary: Array<[string, number, Record<string, { float: number }>?]> = [
    ['Relu', 14],
    ['Sigmoid', 13],
    ['Tanh', 13],
    ['Erf', 13],
    ['HardSwish', 14],
    ['LeakyRelu', 16],
    ['LeakyRelu', 6, { alpha: { float: 0.3 } }],
    ['HardSigmoid', 6],
    ['HardSigmoid', 6, { alpha: { float: 0.13 }, beta: { float: 0.61 } }],
  ];
  for (const [op, opset, attrs] of unary) {
    it(`${op} opset ${opset} ${JSON.stringify(attrs ?? {})}`, async () => {
      // Sigmoid/Tanh/Erf in onnxruntime are vectorized approximations accurate to a few ulp.
      await expectMatchesOrt({ op, opset, inputs: [['X', x()]], attrs }, 1e-5, 1e-6);
    });
  }
  it('Relu on int8 and Clip on int8 / int32 / int64 match onnxruntime', async () => {
    const q = makeTensor('int8', [9], [-128, -100, -1, 0, 1, 5, 50, 100, 127]);
    await expectMatchesOrt({ op: 'Relu', opset: 14, inputs: [['X', q]] });
    await expectMatchesOrt({
      op: 'Clip',
      opset: 13,
      inputs: [
        ['X', q],
        ['lo', makeTensor('int8', [], [-7])],
        ['hi', makeTensor('int8', [], [60])],
      ],
      constants: ['lo', 'hi'],
    });
    const i32 = makeTensor('int32', [5], [-100000, -3, 0, 3, 100000]);
    await expectMatchesOrt({
      op: 'Clip',
      opset: 13,
      inputs: [
        ['X', i32],
        ['lo', makeTensor('int32', [], [-5])],
      ],
      constants: ['lo'],
    });
    const i64 = int64Tensor([4], [-(2 ** 40), -1, 1, 2 ** 40]);
    await expectMatchesOrt({
      op: 'Clip',
      opset: 13,
      inputs: [
        ['X', i64],
        ['lo', undefined],
        ['hi', int64Tensor([], [7])],
      ],
      constants: ['hi'],
    });
  });
  it('Clip float with both bounds (opset 6 attrs and opset 13 inputs)', async () => {
    await expectMatchesOrt({
      op: 'Clip',
      opset: 6,
      inputs: [['X', x()]],
      attrs: { min: { float: -0.5 }, max: { float: 2.25 } },
    });
    await expectMatchesOrt({
      op: 'Clip',
      opset: 13,
      inputs: [
        ['X', x()],
        ['lo', f32([], [-1.5])],
        ['hi', f32([], [0.75])],
      ],
      constants: ['lo', 'hi'],
    });
  });
  for (const [opset, axis, dims] of [
    [11, undefined, [2, 3, 5]],
    [11, 2, [2, 3, 5]],
    [11, 0, [3, 4]],
    [13, undefined, [2, 3, 5]],
    [13, 1, [2, 3, 5]],
    [13, -3, [4, 2, 3]],
  ] as const) {
    it(`Softmax opset ${opset} axis ${axis ?? 'default'} x=[${dims}]`, async () => {
      await expectMatchesOrt({
        op: 'Softmax',
        opset,
        inputs: [['X', randomFloats(r, dims, -8, 8)]],
        attrs: axis === undefined ? {} : { axis },
      });
    });
  }
  for (const [opset, axes, keepdims, noop] of [
    [13, [1], 1, 0],
    [13, [0, -1], 0, 0],
    [13, undefined, 1, 0],
    [18, [2], 0, 0],
    [18, undefined, 0, 0],
    [18, undefined, 1, 1],
    [18, [-3, 1], 1, 0],
  ] as const) {
    it(`ReduceMean opset ${opset} axes ${axes ?? 'none'} keepdims ${keepdims} noop ${noop}`, async () => {
      const data = randomFloats(r, [3, 4, 5], -2, 2);
      const axesTensor = axes ? int64Tensor([axes.length], [...axes]) : undefined;
      await expectMatchesOrt({
        op: 'ReduceMean',
        opset,
        inputs:
          opset >= 18
            ? [
                ['X', data],
                ['axes', axesTensor],
              ]
            : [['X', data]],
        constants: ['axes'],
        attrs: {
          keepdims,
          ...(opset >= 18 ? { noop_with_empty_axes: noop } : axes ? { axes: [...axes] } : {}),
        },
      });
    });
  }
});
