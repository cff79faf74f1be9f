// Shape inference, op family by op family: curated edge cases (auto_pad, ceil_mode, negative
// axes, Reshape 0/-1, Slice with negative steps, broadcasting, opset attribute->input moves),
// symbolic binding, constant folding of shape math, and the errors that must name the node.
import { describe, expect, it } from 'vitest';
import type { Model } from '../../app/model/ir.js';
import { inferShapes } from '../../app/model/shape-inference.js';
import { float16BitsToNumber, int64Tensor, makeTensor, toNumbers } from '../../kernels/tensor.js';
import { type AttrIn, dims, i64, model, one } from './shape-inference.helper.js';

describe('conv geometry', () => {
  it.each([
    ['no pad', [1, 1, 7, 5], {}, [1, 1, 5, 3]],
    ['pads 1', [1, 1, 5, 5], { pads: [1, 1, 1, 1] }, [1, 1, 5, 5]],
    ['strides 2 no pad (onnx test)', [1, 1, 7, 5], { strides: [2, 2] }, [1, 1, 3, 2]],
    ['strides 2 asymmetric pads', [1, 1, 7, 5], { strides: [2, 2], pads: [1, 0, 1, 0] }, [1, 1, 4, 2]],
    ['SAME_UPPER s=2', [1, 1, 5, 5], { auto_pad: 'SAME_UPPER', strides: [2, 2] }, [1, 1, 3, 3]],
    ['SAME_LOWER s=1', [1, 1, 6, 5], { auto_pad: 'SAME_LOWER' }, [1, 1, 6, 5]],
    ['VALID s=2', [1, 1, 6, 5], { auto_pad: 'VALID', strides: [2, 2] }, [1, 1, 2, 2]],
    ['dilation 2', [1, 1, 7, 9], { dilations: [2, 3] }, [1, 1, 3, 3]],
  ])('Conv %s', (_, x, a, want) => {
    expect(dims('Conv', [x, [1, 1, 3, 3]], a as Record<string, AttrIn>)).toEqual(want);
  });

  it('Conv groups, bias, 1-D and 3-D', () => {
    expect(dims('Conv', [[2, 4, 8, 8], [6, 2, 3, 3], [6]], { group: 2 })).toEqual([2, 6, 6, 6]);
    expect(
      dims(
        'Conv',
        [
          [1, 3, 10],
          [5, 3, 4],
        ],
        { strides: [3] },
      ),
    ).toEqual([1, 5, 3]);
    expect(
      dims(
        'Conv',
        [
          [1, 2, 4, 5, 6],
          [3, 2, 2, 2, 2],
        ],
        {},
      ),
    ).toEqual([1, 3, 3, 4, 5]);
  });

  it('Conv errors name the node', () => {
    expect(() =>
      dims(
        'Conv',
        [
          [1, 3, 8, 8],
          [6, 2, 3, 3],
        ],
        { group: 1 },
      ),
    ).toThrow(/node 'n' \(Conv\): .*channels/);
    expect(() => dims('Conv', [[1, 2, 8, 8], [6, 2, 3, 3], [5]])).toThrow(/node 'n' \(Conv\): bias/);
    expect(() =>
      dims('Conv', [
        [1, 2, 2, 2],
        [6, 2, 3, 3],
      ]),
    ).toThrow(/node 'n' \(Conv\)/);
    expect(() =>
      dims(
        'Conv',
        [
          [1, 1, 5, 5],
          [1, 1, 3, 3],
        ],
        { auto_pad: 'SAME' },
      ),
    ).toThrow(/auto_pad/);
  });

  it('ConvTranspose: pads, output_padding, output_shape, SAME, groups', () => {
    expect(
      dims('ConvTranspose', [
        [1, 1, 3, 3],
        [1, 2, 3, 3],
      ]),
    ).toEqual([1, 2, 5, 5]);
    expect(
      dims(
        'ConvTranspose',
        [
          [1, 1, 3, 3],
          [1, 2, 3, 3],
        ],
        { strides: [3, 2], pads: [1, 2, 1, 2] },
      ),
    ).toEqual([1, 2, 7, 3]);
    expect(
      dims(
        'ConvTranspose',
        [
          [1, 1, 3, 3],
          [1, 2, 3, 3],
        ],
        { strides: [3, 2], output_padding: [1, 1] },
      ),
    ).toEqual([1, 2, 10, 8]);
    expect(
      dims(
        'ConvTranspose',
        [
          [1, 1, 3, 3],
          [1, 2, 3, 3],
        ],
        { strides: [3, 2], output_shape: [10, 8] },
      ),
    ).toEqual([1, 2, 10, 8]);
    expect(
      dims(
        'ConvTranspose',
        [
          [1, 1, 3, 3],
          [1, 2, 3, 3],
        ],
        { strides: [2, 2], auto_pad: 'SAME_UPPER' },
      ),
    ).toEqual([1, 2, 6, 6]);
    expect(
      dims(
        'ConvTranspose',
        [
          [1, 4, 5, 5],
          [4, 3, 2, 2],
        ],
        { group: 2, dilations: [2, 2] },
      ),
    ).toEqual([1, 6, 7, 7]);
    // SAME targets in * stride, but onnxruntime never pads negatively: a 1x1 kernel at stride 3 gives the full 7.
    const x: number[][] = [
      [1, 1, 3, 3],
      [1, 1, 1, 1],
    ];
    expect(dims('ConvTranspose', x, { strides: [3, 3], auto_pad: 'SAME_LOWER' })).toEqual([1, 1, 7, 7]);
  });
});

describe('pools', () => {
  it('MaxPool gives values and int64 indices of one shape', () => {
    const [y, idx] = one('MaxPool', [[1, 3, 32, 32]], { kernel_shape: [2, 2] }, { outputs: 2 });
    expect(y).toEqual({ dtype: 'float32', dims: [1, 3, 31, 31] });
    expect(idx).toEqual({ dtype: 'int64', dims: [1, 3, 31, 31] });
  });

  it.each([
    ['floor', [1, 1, 32, 32], { kernel_shape: [3, 3], strides: [2, 2] }, [1, 1, 15, 15]],
    ['ceil', [1, 1, 32, 32], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, [1, 1, 16, 16]],
    // ceil would give 3 windows, but the third starts in the end padding: dropped (onnxruntime rule).
    [
      'ceil drops a window in the padding',
      [1, 1, 6],
      { kernel_shape: [2], strides: [3], pads: [0, 1], ceil_mode: 1 },
      [1, 1, 2],
    ],
    [
      'SAME_UPPER ignores ceil',
      [1, 1, 7, 7],
      { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER', ceil_mode: 1 },
      [1, 1, 4, 4],
    ],
    ['VALID', [1, 1, 7, 8], { kernel_shape: [3, 2], strides: [2, 2], auto_pad: 'VALID' }, [1, 1, 3, 4]],
    ['dilated', [1, 1, 9, 9], { kernel_shape: [3, 3], dilations: [2, 2] }, [1, 1, 5, 5]],
  ])('MaxPool %s', (_, x, a, want) => {
    expect(dims('MaxPool', [x], a as Record<string, AttrIn>)).toEqual(want);
  });

  it('AveragePool, GlobalAveragePool, missing kernel_shape', () => {
    expect(dims('AveragePool', [[1, 3, 32, 32]], { kernel_shape: [2, 2] })).toEqual([1, 3, 31, 31]);
    expect(
      dims('AveragePool', [[2, 3, 5, 5]], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }),
    ).toEqual([2, 3, 3, 3]);
    expect(dims('GlobalAveragePool', [[2, 3, 5, 7]])).toEqual([2, 3, 1, 1]);
    expect(dims('GlobalAveragePool', [[2, 3, 5]])).toEqual([2, 3, 1]);
    expect(() => dims('AveragePool', [[1, 3, 4, 4]])).toThrow(/node 'n' \(AveragePool\).*kernel_shape/);
  });
});

describe('matmul family, normalization, activations', () => {
  it.each([
    [
      [3, 4],
      [4, 5],
      [3, 5],
    ],
    [[4], [4, 5], [5]],
    [[2, 3, 4], [4], [2, 3]],
    [[4], [4], []],
    [
      [2, 1, 3, 4],
      [5, 4, 6],
      [2, 5, 3, 6],
    ],
  ])('MatMul %j x %j', (a, b, want) => {
    expect(dims('MatMul', [a, b])).toEqual(want);
  });

  it('MatMul rejects a K mismatch and unbroadcastable batches', () => {
    expect(() =>
      dims('MatMul', [
        [3, 4],
        [5, 6],
      ]),
    ).toThrow(/node 'n' \(MatMul\): inner/);
    expect(() =>
      dims('MatMul', [
        [2, 3, 4],
        [3, 4, 6],
      ]),
    ).toThrow(/node 'n' \(MatMul\)/);
  });

  it('Gemm transposes and checks C', () => {
    expect(
      dims(
        'Gemm',
        [
          [4, 3],
          [5, 4],
          [1, 5],
        ],
        { transA: 1, transB: 1 },
      ),
    ).toEqual([3, 5]);
    expect(dims('Gemm', [[2, 7], [7, 4], [4]])).toEqual([2, 4]);
    expect(
      dims('Gemm', [
        [2, 7],
        [7, 4],
      ]),
    ).toEqual([2, 4]);
    expect(() =>
      dims('Gemm', [
        [2, 7],
        [7, 4],
        [3, 4],
      ]),
    ).toThrow(/bias C/);
    expect(() =>
      dims('Gemm', [
        [2, 7],
        [4, 7],
      ]),
    ).toThrow(/inner/);
  });

  it('BatchNormalization, Softmax axes, Dropout mask', () => {
    expect(dims('BatchNormalization', [[2, 3, 4, 5], [3], [3], [3], [3]])).toEqual([2, 3, 4, 5]);
    expect(() => dims('BatchNormalization', [[2, 3, 4, 5], [4], [3], [3], [3]])).toThrow(/input 1/);
    expect(dims('Softmax', [[3, 4, 5]], { axis: -3 })).toEqual([3, 4, 5]);
    expect(() => dims('Softmax', [[3, 4, 5]], { axis: 3 })).toThrow(/axis 3 is out of range/);
    const [y, mask] = one('Dropout', [[2, 3]], {}, { outputs: 2 });
    expect([y.dims, mask.dtype]).toEqual([[2, 3], 'bool']);
  });

  it('element-wise ops broadcast and keep dtype', () => {
    expect(
      dims('Add', [
        [2, 1, 4],
        [3, 1],
      ]),
    ).toEqual([2, 3, 4]);
    expect(dims('Mul', [[4], []])).toEqual([4]);
    expect(dims('Sum', [[3, 1], [1, 5], [1]])).toEqual([3, 5]);
    expect(() =>
      dims('Sub', [
        [2, 3],
        [4, 3],
      ]),
    ).toThrow(/node 'n' \(Sub\): .*broadcast/);
    for (const op of [
      'Relu',
      'Sigmoid',
      'Tanh',
      'Erf',
      'HardSwish',
      'HardSigmoid',
      'LeakyRelu',
      'Sqrt',
      'Clip',
      'Identity',
    ]) {
      expect(dims(op, [[2, 3, 5]])).toEqual([2, 3, 5]);
    }
    const pow = inferShapes(
      model({
        inputs: [
          ['a', 'float32', [2, 2]],
          ['b', 'int32', [1]],
        ],
        nodes: [{ op: 'Pow', in: ['a', 'b'], out: ['y'] }],
      }),
    );
    expect(pow.values.get('y')).toEqual({ dtype: 'float32', dims: [2, 2] });
    expect(() =>
      inferShapes(
        model({
          inputs: [
            ['a', 'float32', [2]],
            ['b', 'int32', [2]],
          ],
          nodes: [{ op: 'Add', in: ['a', 'b'], out: ['y'] }],
        }),
      ),
    ).toThrow(/dtypes differ/);
  });
});

describe('graph-level behaviour', () => {
  it('binds symbolic dims from bindings, else defaultDim', () => {
    const m = model({
      inputs: [['x', 'float32', ['batch', 3, 'h', 'h']]],
      nodes: [{ op: 'Relu', in: ['x'], out: ['y'] }],
    });
    expect(inferShapes(m).values.get('y')!.dims).toEqual([1, 3, 1, 1]);
    const r = inferShapes(m, { bindings: { h: 8 }, defaultDim: 2 });
    expect(r.values.get('y')!.dims).toEqual([2, 3, 8, 8]);
    expect(r.bindings).toEqual({ batch: 2, h: 8 });
    expect(() => inferShapes(m, { bindings: { h: -1 } })).toThrow(/symbolic dim 'h'/);
  });

  it('folds Shape -> Gather -> Unsqueeze -> Concat -> Reshape natively', () => {
    const m = model({
      inputs: [['x', 'float32', ['N', 3, 4, 4]]],
      init: { idx: int64Tensor([], [0]), minus1: i64([-1]) },
      nodes: [
        { op: 'Shape', in: ['x'], out: ['s'] },
        { op: 'Gather', in: ['s', 'idx'], out: ['n'], attrs: { axis: 0 } },
        { op: 'Unsqueeze', in: ['n'], out: ['n1'], attrs: { axes: [0] } },
        { op: 'Concat', in: ['n1', 'minus1'], out: ['shape'], attrs: { axis: 0 } },
        { op: 'Reshape', in: ['x', 'shape'], out: ['y'] },
      ],
      opset: 11,
    });
    const r = inferShapes(m, { bindings: { N: 5 } });
    expect(r.values.get('y')!.dims).toEqual([5, 48]);
    expect(toNumbers(r.constants.get('shape')!)).toEqual([5, -1]);
    expect(r.values.get('n')!).toEqual({ dtype: 'int64', dims: [] });
  });

  it('uses the evaluate callback when given, and checks what it returns', () => {
    const m = model({
      inputs: [['x', 'float32', [2, 6]]],
      init: { a: i64([4]), b: i64([3]) },
      nodes: [
        { op: 'Mul', in: ['a', 'b'], out: ['c'] },
        { op: 'Reshape', in: ['x', 'c'], out: ['y'] },
      ],
    });
    const seen: string[] = [];
    const r = inferShapes(m, {
      evaluate: (node, inputs) => {
        seen.push(node.opType);
        return [
          int64Tensor(
            [1],
            [Number((inputs[0]!.data as BigInt64Array)[0] * (inputs[1]!.data as BigInt64Array)[0])],
          ),
        ];
      },
    });
    expect(seen).toEqual(['Mul']);
    expect(r.values.get('y')!.dims).toEqual([12]);
    expect(() => inferShapes(m, { evaluate: () => [int64Tensor([2], [1, 12])] })).toThrow(
      /node 'mul0' \(Mul\): evaluating constant inputs gave int64 \[2\]/,
    );
  });

  it('refuses a shape that depends on run-time values, and unknown ops, naming the node', () => {
    const m = model({
      inputs: [
        ['x', 'float32', [2, 6]],
        ['s', 'int64', [2]],
      ],
      nodes: [{ op: 'Reshape', in: ['x', 's'], out: ['y'], name: 'r' }],
    });
    expect(() => inferShapes(m)).toThrow(/node 'r' \(Reshape\): input 's' \(shape\) is computed at run time/);
    const u = model({
      inputs: [['x', 'float32', [2]]],
      nodes: [{ op: 'Frobnicate', in: ['x'], out: ['y'], name: 'f' }],
    });
    expect(() => inferShapes(u)).toThrow(/node 'f' \(Frobnicate\): no shape inference/);
    const dangling = model({
      inputs: [['x', 'float32', [2]]],
      nodes: [{ op: 'Add', in: ['x', 'ghost'], out: ['y'], name: 'a' }],
    });
    expect(() => inferShapes(dangling)).toThrow(/node 'a' \(Add\): input 'ghost'/);
  });

  it('orders nodes that are listed out of order', () => {
    const m = model({
      inputs: [['x', 'float32', [2, 3]]],
      nodes: [
        { op: 'Relu', in: ['t'], out: ['y'] },
        { op: 'Transpose', in: ['x'], out: ['t'] },
      ],
    });
    expect(inferShapes(m).values.get('y')!.dims).toEqual([3, 2]);
  });

  it('Constant, ConstantOfShape and Cast carry values and dtypes', () => {
    const m = model({
      inputs: [['x', 'float32', [4, 5]]],
      nodes: [
        { op: 'Shape', in: ['x'], out: ['s'] },
        {
          op: 'ConstantOfShape',
          in: ['s'],
          out: ['z'],
          attrs: { value: makeTensor('float16', [1], [0x3c00]) },
        },
        { op: 'Constant', in: [], out: ['k'], attrs: { value_ints: [7, 8] } },
        { op: 'Cast', in: ['k'], out: ['k32'], attrs: { to: 6 } },
      ],
    });
    const r = inferShapes(m);
    expect(r.values.get('z')).toEqual({ dtype: 'float16', dims: [4, 5] });
    expect(float16BitsToNumber((r.constants.get('z')!.data as Uint16Array)[19])).toBe(1);
    expect(r.values.get('k32')).toEqual({ dtype: 'int32', dims: [2] });
    expect([...(r.constants.get('k32')!.data as Int32Array)]).toEqual([7, 8]);
  });

  it('warns when a declared shape disagrees with the inferred one', () => {
    const m = model({
      inputs: [['x', 'float32', [2, 3]]],
      nodes: [{ op: 'Transpose', in: ['x'], out: ['y'] }],
    });
    const withDecl: Model = {
      ...m,
      graph: { ...m.graph, outputs: [{ name: 'y', dtype: 'float32', dims: [2, 3] }] },
    };
    expect(inferShapes(withDecl).warnings).toEqual([`'y' is declared [2,3] but inferred [3,2]`]);
  });
});
