// Compress, NonZero, Unique, NonMaxSuppression, ReverseSequence and CenterCropPad
// (kernels/select/*.ref.ts) on the CPU interpreter against onnxruntime-node, exactly: random
// shapes, dtypes and axes, ties and duplicates, and the shape functions' refusal of values
// computed at run time.
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { inferShapes } from '../../app/model/shape-inference.js';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import {
  expectMatchesOrt,
  type OneNode,
  oneNodeModel,
  pick,
  randInt,
  randomDims,
  randomTensor,
  rng,
} from './tensor-oracle.helper.js';

function int64(dims: readonly number[], values: readonly number[]): Tensor {
  return makeTensor(
    'int64',
    dims,
    BigInt64Array.from(values, (v) => BigInt(v)),
  );
}

const DTYPES: DType[] = ['float32', 'int32', 'int64', 'uint8', 'bool', 'float64', 'int8'];

describe('Compress and NonZero vs onnxruntime-node (exact)', () => {
  it('Compress: random axes (or none), short conditions', async () => {
    const r = rng(31);
    for (let k = 0; k < 30; k++) {
      const dtype = pick(r, DTYPES);
      const dims = randomDims(r, 1, 4, 4);
      const useAxis = r() < 0.7;
      const axis = randInt(r, -dims.length, dims.length - 1);
      const len = useAxis ? dims[axis < 0 ? axis + dims.length : axis] : dims.reduce((a, b) => a * b, 1);
      const condLen = randInt(r, 1, len);
      const cond = makeTensor(
        'bool',
        [condLen],
        Array.from({ length: condLen }, () => (r() < 0.5 ? 1 : 0)),
      );

      const c: OneNode = {
        op: 'Compress',
        opset: pick(r, [9, 11]),
        inputs: [
          ['x', randomTensor(r, dtype, dims, -9, 9)],
          ['condition', cond],
        ],
        outputs: [{ name: 'y', dtype }],
        attrs: useAxis ? { axis } : {},
      };
      if (c.opset === 9 && axis < 0) continue;
      await expectMatchesOrt(c, 0, `Compress ${dtype} [${dims}] axis ${useAxis ? axis : '-'}`);
    }
  });

  it('NonZero: random ranks and sparsity, scalars included', async () => {
    const r = rng(32);
    for (let k = 0; k < 20; k++) {
      // onnxruntime's NonZero takes these types only.
      const dtype = pick(r, ['float32', 'int32', 'int64', 'uint8', 'bool'] as DType[]);
      const dims = randomDims(r, k < 2 ? 0 : 1, 4, 4);
      const c: OneNode = {
        op: 'NonZero',
        opset: pick(r, [9, 13]),
        inputs: [['x', randomTensor(r, dtype, dims, -1, 1)]],
        outputs: [{ name: 'y', dtype: 'int64' }],
      };
      await expectMatchesOrt(c, 0, `NonZero ${dtype} [${dims}]`);
    }
  });
});

describe('Unique vs onnxruntime-node (exact)', () => {
  it('random values with repeats, sorted or not, with and without axis', async () => {
    const r = rng(33);
    for (let k = 0; k < 30; k++) {
      const dtype = pick(r, ['float32', 'int64', 'int8'] as DType[]);
      const dims = randomDims(r, 1, 3, 4);
      const useAxis = r() < 0.5;
      const axis = randInt(r, -dims.length, dims.length - 1);
      const sorted = randInt(r, 0, 1);
      // Few distinct values, so repeats (of slices too) are common.
      const x = randomTensor(r, dtype, dims, 0, 2);
      const c: OneNode = {
        op: 'Unique',
        opset: 11,
        inputs: [['x', x]],
        outputs: [
          { name: 'y', dtype },
          { name: 'indices', dtype: 'int64' },
          { name: 'inverse', dtype: 'int64' },
          { name: 'counts', dtype: 'int64' },
        ],
        attrs: useAxis ? { axis, sorted } : { sorted },
      };
      await expectMatchesOrt(c, 0, `Unique ${dtype} [${dims}] axis ${useAxis ? axis : '-'} sorted ${sorted}`);
    }
  });
});

describe('NonMaxSuppression vs onnxruntime-node (exact)', () => {
  it('random boxes in both formats, thresholds, limits, tied scores', async () => {
    const r = rng(34);
    for (let k = 0; k < 30; k++) {
      const batches = randInt(r, 1, 2);
      const classes = randInt(r, 1, 3);
      const n = randInt(r, 1, 12);
      const center = randInt(r, 0, 1);
      const boxes = Float32Array.from({ length: batches * n * 4 }, () => Math.round(r() * 40) / 4);
      // Quantized scores make ties common.
      const scores = Float32Array.from({ length: batches * classes * n }, () => Math.round(r() * 8) / 8);
      const opt = (v: Tensor) => (r() < 0.8 ? v : undefined);
      const c: OneNode = {
        op: 'NonMaxSuppression',
        opset: pick(r, [10, 11]),
        inputs: [
          ['boxes', makeTensor('float32', [batches, n, 4], boxes)],
          ['scores', makeTensor('float32', [batches, classes, n], scores)],
          ['max', opt(int64([1], [randInt(r, 0, 6)]))],
          ['iou', opt(makeTensor('float32', [1], [pick(r, [0, 0.2, 0.5, 0.7])]))],
          ['score', opt(makeTensor('float32', [1], [pick(r, [0, 0.25, 0.5])]))],
        ],
        outputs: [{ name: 'y', dtype: 'int64' }],
        attrs: { center_point_box: center },
      };
      // An omitted middle input must stay in place: ONNX allows '' names.
      await expectMatchesOrt(c, 0, `NonMaxSuppression case ${k}`);
    }
  });
});

describe('ReverseSequence and CenterCropPad vs onnxruntime-node (exact)', () => {
  it('ReverseSequence: both axis orders, random lengths', async () => {
    const r = rng(35);
    for (let k = 0; k < 20; k++) {
      const dtype = pick(r, DTYPES);
      const batchAxis = randInt(r, 0, 1);
      const dims = randomDims(r, 2, 4, 4);
      const lens = Array.from({ length: dims[batchAxis] }, () => randInt(r, 1, dims[1 - batchAxis]));
      const c: OneNode = {
        op: 'ReverseSequence',
        opset: 10,
        inputs: [
          ['x', randomTensor(r, dtype, dims, -9, 9)],
          ['lens', int64([lens.length], lens)],
        ],
        outputs: [{ name: 'y', dtype }],
        attrs: { batch_axis: batchAxis, time_axis: 1 - batchAxis },
      };
      await expectMatchesOrt(c, 0, `ReverseSequence ${dtype} [${dims}] batch_axis ${batchAxis}`);
    }
  });

  it('CenterCropPad: crops and pads of odd and even differences, axes subsets', async () => {
    const r = rng(36);
    for (let k = 0; k < 20; k++) {
      const dtype = pick(r, DTYPES);
      const dims = randomDims(r, 1, 4, 5);
      const axes = dims.map((_, i) => i).filter(() => r() < 0.6);
      const useAxes = axes.length > 0 && r() < 0.7;
      const on = useAxes ? axes : dims.map((_, i) => i);
      const shape = on.map(() => randInt(r, 1, 7));
      const c: OneNode = {
        op: 'CenterCropPad',
        opset: 18,
        inputs: [
          ['x', randomTensor(r, dtype, dims, -9, 9)],
          ['shape', int64([shape.length], shape)],
        ],
        constants: ['shape'],
        outputs: [{ name: 'y', dtype }],
        attrs: useAxes ? { axes: axes.map((a) => (r() < 0.3 ? a - dims.length : a)) } : {},
      };
      await expectMatchesOrt(c, 0, `CenterCropPad ${dtype} [${dims}] to [${shape}]`);
    }
  });
});

describe('shape inference of value-sized outputs', () => {
  it('refuses a NonZero of a value computed at run time, sizes one of a constant', () => {
    const x = makeTensor('float32', [2, 3], [0, 1, 0, 2, 0, 3]);
    const runtime = decodeModel(
      oneNodeModel({
        op: 'NonZero',
        opset: 13,
        inputs: [['x', x]],
        outputs: [{ name: 'y', dtype: 'int64' }],
      }),
    );
    expect(() => inferShapes(runtime)).toThrow(/\(NonZero\).*computed at run time/);
    const constant = decodeModel(
      oneNodeModel({
        op: 'NonZero',
        opset: 13,
        inputs: [['x', x]],
        constants: ['x'],
        outputs: [{ name: 'y', dtype: 'int64' }],
      }),
    );
    expect(inferShapes(constant).values.get('y')?.dims).toEqual([2, 3]);
  });
});
