// Shape inference of the data-movement ops: Reshape 0/-1, Slice with negative steps and clamped
// ends, negative axes, the opset moves of attributes to inputs (Squeeze/Unsqueeze 13, Slice 10,
// Split 13/18, Pad 11, ReduceMean 18), Resize, and the built-in folding of their constant results.
import { describe, expect, it } from 'vitest';
import { inferShapes } from '../../app/model/shape-inference.js';
import { int64Tensor, makeTensor, toNumbers } from '../../kernels/tensor.js';
import { dims, f32, i64, model, one } from './shape-inference.helper.js';

describe('Reshape and Flatten', () => {
  it.each([
    [
      [2, 3, 4],
      [0, -1],
      [2, 12],
    ],
    [[2, 3, 4], [-1], [24]],
    [
      [2, 3, 4],
      [4, 0, -1],
      [4, 3, 2],
    ],
    [
      [2, 3, 4],
      [1, 1, 24],
      [1, 1, 24],
    ],
    [
      [0, 3],
      [-1, 3],
      [0, 3],
    ],
  ])('Reshape %j to %j', (x, shape, want) => {
    expect(dims('Reshape', [x, i64(shape)])).toEqual(want);
  });

  it('Reshape allowzero keeps a literal 0 (opset 14)', () => {
    expect(dims('Reshape', [[0, 3], i64([0, 3])], { allowzero: 1 }, { opset: 14 })).toEqual([0, 3]);
    expect(dims('Reshape', [[2, 3], i64([0, 3])], {}, { opset: 14 })).toEqual([2, 3]);
  });

  it('Reshape errors', () => {
    expect(() => dims('Reshape', [[2, 3, 4], i64([-1, -1])])).toThrow(
      /node 'n' \(Reshape\): .*more than one -1/,
    );
    expect(() => dims('Reshape', [[2, 3, 4], i64([5, -1])])).toThrow(/cannot reshape/);
    expect(() => dims('Reshape', [[2, 3, 4], i64([2, 3, 5])])).toThrow(/cannot reshape/);
  });

  it('Flatten with positive, zero and negative axes', () => {
    expect(dims('Flatten', [[2, 3, 4]])).toEqual([2, 12]);
    expect(dims('Flatten', [[2, 3, 4]], { axis: 0 })).toEqual([1, 24]);
    expect(dims('Flatten', [[2, 3, 4]], { axis: 3 })).toEqual([24, 1]);
    expect(dims('Flatten', [[2, 3, 4]], { axis: -1 })).toEqual([6, 4]);
    expect(() => dims('Flatten', [[2, 3, 4]], { axis: 4 })).toThrow(/out of range/);
  });
});

describe('Slice', () => {
  // [starts, ends, axes, steps] on x = [10, 6]
  it.each([
    ['forward', [1], [4], [0], [1], [3, 6]],
    ['negative start/end', [-3], [-1], [0], [1], [2, 6]],
    ['end past the dim clamps', [2], [1000], [1], [1], [10, 4]],
    ['INT64 max end', [0], [Number.MAX_SAFE_INTEGER], [0], [3], [4, 6]],
    ['reverse all', [-1], [-1000], [0], [-1], [10, 6]],
    ['reverse with step -3', [8], [1], [0], [-3], [3, 6]],
    ['reverse start past the end clamps', [100], [2], [1], [-2], [10, 2]],
    ['empty when end precedes start', [5], [2], [0], [1], [0, 6]],
    ['negative axis', [1], [3], [-1], [1], [10, 2]],
    ['two axes', [0, 1], [10, 6], [0, 1], [2, 2], [5, 3]],
    // onnxruntime reads an INT32_MAX end as "no end": reversed, it runs to the first element.
    ['reverse to an INT32_MAX end', [-1], [2147483647], [0], [-1], [10, 6]],
  ])('%s', (_, starts, ends, axes, steps, want) => {
    expect(dims('Slice', [[10, 6], i64(starts), i64(ends), i64(axes), i64(steps)])).toEqual(want);
  });

  it('opset 9 takes attributes; steps may be omitted; a zero step fails', () => {
    expect(dims('Slice', [[10, 6]], { starts: [1, 1], ends: [3, -1] }, { opset: 9 })).toEqual([2, 4]);
    expect(dims('Slice', [[10, 6], i64([1]), i64([3])])).toEqual([2, 6]);
    expect(() => dims('Slice', [[10, 6], i64([1]), i64([3]), i64([0]), i64([0])])).toThrow(
      /node 'n' \(Slice\): a slice step is 0/,
    );
    expect(() => dims('Slice', [[10, 6], i64([1]), i64([3]), i64([2])])).toThrow(/axis 2 is out of range/);
  });

  it('folds constant slices with negative steps element by element', () => {
    const data = int64Tensor([2, 5], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const m = model({
      init: { d: data, s: i64([-1, 4]), e: i64([-10, -100]), a: i64([0, 1]), st: i64([-1, -2]) },
      nodes: [{ op: 'Slice', in: ['d', 's', 'e', 'a', 'st'], out: ['y'] }],
    });
    const r = inferShapes(m);
    expect(r.values.get('y')!.dims).toEqual([2, 3]);
    expect(toNumbers(r.constants.get('y')!)).toEqual([9, 7, 5, 4, 2, 0]);
  });
});

describe('axes ops across opsets', () => {
  it('Squeeze: attribute before 13, input from 13, all unit dims by default', () => {
    expect(dims('Squeeze', [[1, 3, 1, 4]], { axes: [0, -2] }, { opset: 11 })).toEqual([3, 4]);
    expect(dims('Squeeze', [[1, 3, 1, 4], i64([-2])], {}, { opset: 13 })).toEqual([1, 3, 4]);
    expect(dims('Squeeze', [[1, 3, 1, 4]], {}, { opset: 13 })).toEqual([3, 4]);
    expect(() => dims('Squeeze', [[1, 3, 1, 4], i64([1])], {}, { opset: 13 })).toThrow(
      /cannot squeeze axis 1 of size 3/,
    );
  });

  it('Unsqueeze: axes count against the output rank', () => {
    expect(dims('Unsqueeze', [[3, 4]], { axes: [0, 3] }, { opset: 11 })).toEqual([1, 3, 4, 1]);
    expect(dims('Unsqueeze', [[3, 4], i64([-1])], {}, { opset: 13 })).toEqual([3, 4, 1]);
    expect(dims('Unsqueeze', [[], i64([0])], {}, { opset: 13 })).toEqual([1]);
    expect(() => dims('Unsqueeze', [[3, 4], i64([1, -3])], {}, { opset: 13 })).toThrow(/repeat an axis/);
  });

  it('Split: equal parts, sizes by attribute/input, num_outputs with a short last chunk', () => {
    const shapes = (...a: Parameters<typeof one>) => one(...a).map((v) => v.dims);
    expect(shapes('Split', [[6, 4]], {}, { outputs: 3 })).toEqual([
      [2, 4],
      [2, 4],
      [2, 4],
    ]);
    expect(shapes('Split', [[6, 4]], { axis: -1, split: [1, 3] }, { outputs: 2, opset: 11 })).toEqual([
      [6, 1],
      [6, 3],
    ]);
    expect(shapes('Split', [[6, 5], i64([4, 1])], { axis: 1 }, { outputs: 2, opset: 13 })).toEqual([
      [6, 4],
      [6, 1],
    ]);
    expect(shapes('Split', [[7]], { num_outputs: 3 }, { outputs: 3, opset: 18 })).toEqual([[3], [3], [1]]);
    expect(() => shapes('Split', [[7]], {}, { outputs: 2 })).toThrow(/does not split evenly/);
    expect(() => shapes('Split', [[7], i64([3, 3])], {}, { outputs: 2, opset: 13 })).toThrow(/do not add up/);
  });

  it('Concat with a negative axis; mismatched dims fail', () => {
    expect(
      dims(
        'Concat',
        [
          [2, 3],
          [2, 5],
          [2, 1],
        ],
        { axis: -1 },
      ),
    ).toEqual([2, 9]);
    expect(() =>
      dims(
        'Concat',
        [
          [2, 3],
          [3, 3],
        ],
        { axis: 1 },
      ),
    ).toThrow(/differ outside axis/);
  });

  it('Transpose default reverses; perm must be a permutation', () => {
    expect(dims('Transpose', [[2, 3, 4]])).toEqual([4, 3, 2]);
    expect(dims('Transpose', [[2, 3, 4]], { perm: [0, 2, 1] })).toEqual([2, 4, 3]);
    expect(() => dims('Transpose', [[2, 3, 4]], { perm: [0, 0, 1] })).toThrow(/not a permutation/);
  });

  it('Gather inserts the indices shape at the axis', () => {
    expect(dims('Gather', [[3, 4, 5], makeTensor('int64', [2, 2])], { axis: 1 })).toEqual([3, 2, 2, 5]);
    expect(dims('Gather', [[3, 4, 5], int64Tensor([], [-1])], { axis: -1 })).toEqual([3, 4]);
    expect(() => dims('Gather', [[3, 4], int64Tensor([1], [4])], { axis: 1 })).toThrow(
      /index 4 is out of range/,
    );
  });

  it('ReduceMean: keepdims, negative axes, axes input (18), noop_with_empty_axes', () => {
    expect(dims('ReduceMean', [[2, 3, 4]], { axes: [-1] }, { opset: 13 })).toEqual([2, 3, 1]);
    expect(dims('ReduceMean', [[2, 3, 4]], { axes: [0, 2], keepdims: 0 }, { opset: 13 })).toEqual([3]);
    expect(dims('ReduceMean', [[2, 3, 4]], {}, { opset: 13 })).toEqual([1, 1, 1]);
    expect(dims('ReduceMean', [[2, 3, 4], i64([1])], { keepdims: 0 }, { opset: 18 })).toEqual([2, 4]);
    expect(dims('ReduceMean', [[2, 3, 4]], { noop_with_empty_axes: 1 }, { opset: 18 })).toEqual([2, 3, 4]);
  });

  it('Pad: attribute before 11, input from 11, axes from 18, negative pads crop', () => {
    expect(dims('Pad', [[1, 3, 4, 4]], { pads: [0, 0, 1, 2, 0, 0, 1, 2] }, { opset: 2 })).toEqual([
      1, 3, 6, 8,
    ]);
    expect(dims('Pad', [[1, 3, 4, 4], i64([0, 0, 1, 1, 0, 0, -1, 0])], {}, { opset: 13 })).toEqual([
      1, 3, 4, 5,
    ]);
    expect(dims('Pad', [[1, 3, 4, 4], i64([2, 1, 0, 3]), null, i64([-2, -1])], {}, { opset: 18 })).toEqual([
      1,
      3,
      4 + 2,
      4 + 4,
    ]);
    expect(() => dims('Pad', [[2, 2], i64([0, -3, 0, 0])], {}, { opset: 13 })).toThrow(/remove more/);
  });
});

describe('Resize', () => {
  const empty = makeTensor('float32', [0]);
  it('scales (floor of the float32 product), sizes, axes and aspect-ratio policies', () => {
    expect(
      dims('Resize', [[1, 3, 4, 5], empty, makeTensor('float32', [4], [1, 1, 2, 1.5])], {}, { opset: 13 }),
    ).toEqual([1, 3, 8, 7]);
    expect(dims('Resize', [[1, 3, 4, 5], null, null, i64([1, 3, 9, 9])], {}, { opset: 13 })).toEqual([
      1, 3, 9, 9,
    ]);
    expect(
      dims('Resize', [[1, 3, 4, 5], makeTensor('float32', [4], [1, 1, 0.5, 0.5])], {}, { opset: 10 }),
    ).toEqual([1, 3, 2, 2]);
    expect(dims('Resize', [[1, 3, 4, 8], null, null, i64([8, 8])], { axes: [2, 3] }, { opset: 18 })).toEqual([
      1, 3, 8, 8,
    ]);
    const policy = (p: string) =>
      dims(
        'Resize',
        [[1, 3, 4, 8], null, null, i64([8, 8])],
        { axes: [2, 3], keep_aspect_ratio_policy: p },
        { opset: 18 },
      );
    expect(policy('not_larger')).toEqual([1, 3, 4, 8]);
    expect(policy('not_smaller')).toEqual([1, 3, 8, 16]);
    expect(() => dims('Resize', [[1, 3, 4, 5], empty, empty], {}, { opset: 13 })).toThrow(
      /needs scales or sizes/,
    );
  });

  it('tf_crop_and_resize scales the roi extent', () => {
    const roi = f32([8]);
    (roi.data as Float32Array).set([0, 0, 0, 0, 1, 1, 0.5, 1]);
    expect(
      dims(
        'Resize',
        [[1, 1, 10, 10], roi, makeTensor('float32', [4], [1, 1, 2, 2])],
        { coordinate_transformation_mode: 'tf_crop_and_resize' },
        { opset: 13 },
      ),
    ).toEqual([1, 1, 10, 20]);
  });
});

describe('Shape and folding of shape math', () => {
  it('Shape with start/end (opset 15) gives its value', () => {
    const m = model({
      inputs: [['x', 'float32', [2, 3, 4, 5]]],
      nodes: [{ op: 'Shape', in: ['x'], out: ['s'], attrs: { start: 1, end: -1 } }],
      opset: 15,
    });
    const r = inferShapes(m);
    expect(r.values.get('s')).toEqual({ dtype: 'int64', dims: [2] });
    expect(toNumbers(r.constants.get('s')!)).toEqual([3, 4]);
  });

  it('int64 arithmetic and Cast fold natively; Div truncates toward zero', () => {
    const m = model({
      inputs: [['x', 'float32', ['B', 8, 6]]],
      init: { two: i64([2]), neg: int64Tensor([], [-7]) },
      nodes: [
        { op: 'Shape', in: ['x'], out: ['s'] },
        { op: 'Div', in: ['s', 'two'], out: ['half'] },
        { op: 'Mul', in: ['half', 'two'], out: ['back'] },
        { op: 'Div', in: ['neg', 'two'], out: ['q'] },
        { op: 'Cast', in: ['half'], out: ['hf'], attrs: { to: 1 } },
        { op: 'Reshape', in: ['x', 'back'], out: ['y'] },
      ],
    });
    const r = inferShapes(m, { bindings: { B: 6 } });
    expect(toNumbers(r.constants.get('half')!)).toEqual([3, 4, 3]);
    expect(toNumbers(r.constants.get('q')!)).toEqual([-3]);
    expect(r.constants.get('hf')!.dtype).toBe('float32');
    expect(toNumbers(r.constants.get('hf')!)).toEqual([3, 4, 3]);
    expect(r.values.get('y')!.dims).toEqual([6, 8, 6]);
    // An odd batch makes (B / 2) * 2 lose one: the folded shape no longer fits.
    expect(() => inferShapes(m, { bindings: { B: 5 } })).toThrow(
      /node 'reshape5' \(Reshape\): cannot reshape \[5,8,6\]/,
    );
  });

  it('does not fold large outputs (ConstantOfShape weights stay shapes only)', () => {
    const m = model({
      init: { s: i64([64, 64, 3, 3]) },
      nodes: [{ op: 'ConstantOfShape', in: ['s'], out: ['w'] }],
    });
    const r = inferShapes(m);
    expect(r.values.get('w')).toEqual({ dtype: 'float32', dims: [64, 64, 3, 3] });
    expect(r.constants.has('w')).toBe(false);
  });
});
