// MatMul, Gemm, the pools and BatchNormalization: hand-computed cases, then random ones
// against onnxruntime-node.
import { describe, expect, it } from 'vitest';
import { batchNormalization } from '../../kernels/batchnorm/batchnorm.ref.js';
import { gemm, matmul } from '../../kernels/matmul/matmul.ref.js';
import { averagePool, maxPool } from '../../kernels/pool/pool.ref.js';
import { makeTensor } from '../../kernels/tensor.js';
import type { AttrInput } from '../helpers/onnx-builder.js';
import { expectMatchesOrt, f32, randInt, randomFloats, rng } from './nn-oracle.helper.js';

describe('matmul / gemm, hand-computed', () => {
  it('1-D promotion: vector x matrix, matrix x vector, vector x vector', () => {
    const m = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const y1 = matmul(f32([2], [1, 1]), m);
    expect([[...y1.dims], [...y1.data]]).toEqual([[3], [5, 7, 9]]);
    const y2 = matmul(m, f32([3], [1, 0, -1]));
    expect([[...y2.dims], [...y2.data]]).toEqual([[2], [-2, -2]]);
    const y3 = matmul(f32([3], [1, 2, 3]), f32([3], [4, 5, 6]));
    expect([[...y3.dims], [...y3.data]]).toEqual([[], [32]]);
  });
  it('batch axes broadcast', () => {
    const a = f32([2, 1, 1, 2], [1, 0, 0, 1]);
    const b = f32([3, 2, 1], [1, 2, 3, 4, 5, 6]);
    const y = matmul(a, b);
    expect([...y.dims]).toEqual([2, 3, 1, 1]);
    expect([...y.data]).toEqual([1, 3, 5, 2, 4, 6]);
  });
  it('gemm with transposes, alpha, beta and a row-vector C', () => {
    const a = f32([2, 1], [1, 2]); // transA -> [1, 2]
    const b = f32([3, 2], [1, 0, 0, 1, 1, 1]); // transB -> [2, 3]
    const y = gemm(a, b, f32([3], [10, 20, 30]), { transA: true, transB: true, alpha: 2, beta: 0.5 });
    expect([[...y.dims], [...y.data]]).toEqual([
      [1, 3],
      [2 + 5, 4 + 10, 6 + 15],
    ]);
  });
  it('refuses mismatched inner dimensions', () => {
    expect(() => matmul(f32([2, 3], [0, 0, 0, 0, 0, 0]), f32([2, 2], [0, 0, 0, 0]))).toThrow(/inner/);
  });
});

describe('pools, hand-computed', () => {
  const x = f32([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  it('max pool 2x2 stride 2, ceil_mode keeps the partial windows', () => {
    const floor = maxPool(x, { kernelShape: [2, 2], strides: [2, 2] });
    expect([...floor.y.data]).toEqual([5]);
    const ceil = maxPool(x, { kernelShape: [2, 2], strides: [2, 2], ceilMode: true });
    expect([...ceil.y.dims]).toEqual([1, 1, 2, 2]);
    expect([...ceil.y.data]).toEqual([5, 6, 8, 9]);
    expect(ceil.indices.data).toEqual(BigInt64Array.from([4n, 5n, 7n, 8n]));
  });
  it('max pool indices in column-major storage order', () => {
    const { indices } = maxPool(x, { kernelShape: [2, 2], strides: [1, 1] }, 1);
    // maxima at (1,1),(1,2),(2,1),(2,2): column-major offsets h + 3w
    expect(indices.data).toEqual(BigInt64Array.from([4n, 7n, 5n, 8n]));
  });
  it('max pool with dilation and padding never picks the padding', () => {
    const neg = f32([1, 1, 1, 3], [-5, -6, -7]);
    const { y } = maxPool(neg, { kernelShape: [1, 2], pads: [0, 1, 0, 1], dilations: [1, 2] });
    expect([...y.data]).toEqual([-6, -5, -6]);
  });
  it('max pool on int8 and uint8', () => {
    const q = makeTensor('int8', [1, 1, 1, 4], Int8Array.from([-128, -3, 127, 5]));
    const r = maxPool(q, { kernelShape: [1, 2], strides: [1, 2] }).y;
    expect([r.dtype, [...r.data]]).toEqual(['int8', [-3, 127]]);
    const u = makeTensor('uint8', [1, 1, 4], Uint8Array.from([0, 255, 7, 9]));
    expect([...maxPool(u, { kernelShape: [3] }).y.data]).toEqual([255, 255]);
  });
  it('average pool: count_include_pad, and ceil_mode windows clipped to the padded input', () => {
    const p = { kernelShape: [2, 2], pads: [1, 1, 1, 1], strides: [2, 2] };
    expect([...averagePool(x, p).data]).toEqual([1, 2.5, 5.5, 7]);
    expect([...averagePool(x, p, true).data]).toEqual([0.25, 1.25, 2.75, 7]);
    // in 3, k 2, s 2, ceil: windows [0,2) and [2,3) (the second is partial, divides by what exists)
    const c = averagePool(x, { kernelShape: [2, 2], strides: [2, 2], ceilMode: true }, true);
    expect([...c.data]).toEqual([3, 4.5, 7.5, 9]);
  });
});

describe('batch normalization, hand-computed', () => {
  it('per-channel scale and shift', () => {
    const x = f32([1, 2, 2], [1, 2, 3, 4]);
    const y = batchNormalization(
      x,
      f32([2], [2, 1]),
      f32([2], [0, 1]),
      f32([2], [1, 3]),
      f32([2], [4, 1]),
      0,
    );
    expect([...y.data]).toEqual([0, 1, 1, 2]);
  });
});

describe('matmul / gemm vs onnxruntime (random)', () => {
  const r = rng(7);
  const shapes: Array<[number[], number[]]> = [
    [[5], [5, 3]],
    [[4, 5], [5]],
    [[7], [7]],
    [
      [3, 4, 5],
      [5, 6],
    ],
    [
      [2, 1, 3, 4],
      [5, 4, 2],
    ],
    [
      [1, 17],
      [17, 33],
    ],
  ];
  for (const [a, b] of shapes) {
    it(`matmul [${a}] x [${b}]`, async () => {
      await expectMatchesOrt(
        {
          op: 'MatMul',
          opset: 13,
          inputs: [
            ['A', randomFloats(r, a)],
            ['B', randomFloats(r, b)],
          ],
        },
        1e-5,
        1e-5,
      );
    });
  }
  for (let t = 0; t < 8; t++) {
    const [m, k, n] = [randInt(r, 1, 9), randInt(r, 1, 20), randInt(r, 1, 9)];
    const transA = t & 1;
    const transB = (t >> 1) & 1;
    const cShape = [[n], [m, n], [1, n], [m, 1], [], undefined, [1], [m, n]][t];
    const attrs: Record<string, AttrInput> = { transA, transB };
    if (t > 1) attrs.alpha = { float: 0.5 + r() };
    if (t > 3) attrs.beta = { float: -1.5 };
    it(`gemm m=${m} k=${k} n=${n} transA=${transA} transB=${transB} C=${cShape ? `[${cShape}]` : 'none'}`, async () => {
      await expectMatchesOrt(
        {
          op: 'Gemm',
          opset: t < 4 ? 11 : 13,
          inputs: [
            ['A', randomFloats(r, transA ? [k, m] : [m, k])],
            ['B', randomFloats(r, transB ? [n, k] : [k, n])],
            ['C', cShape ? randomFloats(r, cShape) : undefined],
          ],
          constants: ['B', 'C'],
          attrs,
        },
        1e-5,
        1e-5,
      );
    });
  }
});

describe('pools vs onnxruntime (random)', () => {
  const r = rng(31);
  for (let t = 0; t < 20; t++) {
    const rank = t < 4 ? 1 : 2;
    const kernel = Array.from({ length: rank }, () => randInt(r, 1, 3));
    const isMax = t % 2 === 0;
    const autoPad = t % 5 === 4 ? (t % 10 === 4 ? 'SAME_UPPER' : 'SAME_LOWER') : 'NOTSET';
    // SAME with stride > kernel + 1 can need a negative pad, where onnxruntime is inconsistent
    // (MaxPool refuses, AveragePool shifts the window); the reference clamps the need at 0.
    const strides = kernel.map((k) => randInt(r, 1, autoPad === 'NOTSET' ? 3 : Math.min(3, k + 1)));
    const dilations = Array.from({ length: rank }, () =>
      isMax && autoPad === 'NOTSET' ? randInt(r, 1, 2) : 1,
    );
    // Pads smaller than the kernel, so no window lies entirely in the padding.
    const pads = Array.from({ length: 2 * rank }, (_, i) => randInt(r, 0, kernel[i % rank] - 1));
    const spatial = kernel.map((k, i) => (k - 1) * dilations[i] + 1 + randInt(r, 0, 6));
    const attrs: Record<string, AttrInput> = { kernel_shape: kernel, strides, auto_pad: autoPad };
    if (autoPad === 'NOTSET') attrs.pads = pads;
    if (autoPad === 'NOTSET' && t % 3 !== 0) attrs.ceil_mode = 1;
    if (isMax) attrs.dilations = dilations;
    else if (t % 4 === 1) attrs.count_include_pad = 1;
    const dtype = isMax && t % 6 === 2 ? 'int8' : isMax && t % 6 === 4 ? 'uint8' : 'float32';
    const x = randomFloats(r, [2, 3, ...spatial], dtype === 'float32' ? -1 : -128, 127);
    const xt =
      dtype === 'float32'
        ? x
        : makeTensor(
            dtype,
            x.dims,
            Array.from(x.data as Float32Array, (v) =>
              dtype === 'uint8' ? Math.abs(Math.round(v)) : Math.round(v),
            ),
          );
    const op = isMax ? 'MaxPool' : 'AveragePool';
    const withIndices = isMax && dtype === 'float32';
    it(`${op} ${dtype} x=[2,3,${spatial}] ${JSON.stringify(attrs)}`, async () => {
      await expectMatchesOrt({
        op,
        opset: isMax ? 12 : 19,
        inputs: [['X', xt]],
        outputs: withIndices
          ? [
              { name: 'Y', dtype },
              { name: 'I', dtype: 'int64' },
            ]
          : [{ name: 'Y', dtype }],
        attrs: withIndices ? { ...attrs, storage_order: t % 4 === 0 ? 1 : 0 } : attrs,
      });
    });
  }
  it('GlobalAveragePool 1-D and 2-D', async () => {
    await expectMatchesOrt({
      op: 'GlobalAveragePool',
      opset: 13,
      inputs: [['X', randomFloats(r, [2, 3, 7])]],
    });
    await expectMatchesOrt({
      op: 'GlobalAveragePool',
      opset: 13,
      inputs: [['X', randomFloats(r, [1, 4, 5, 9])]],
    });
  });
});

describe('batch normalization vs onnxruntime (random): bit-exact, float32 steps in its order', () => {
  const r = rng(5);
  for (const [opset, dims] of [
    [9, [2, 3, 4, 5]],
    [14, [1, 4, 7]],
    [15, [3, 2]],
  ] as const) {
    it(`opset ${opset} x=[${dims}]`, async () => {
      const c = dims[1];
      await expectMatchesOrt(
        {
          op: 'BatchNormalization',
          opset,
          inputs: [
            ['X', randomFloats(r, dims, -3, 3)],
            ['scale', randomFloats(r, [c])],
            ['B', randomFloats(r, [c])],
            ['mean', randomFloats(r, [c])],
            ['var', randomFloats(r, [c], 0.1, 2)],
          ],
          constants: ['scale', 'B', 'mean', 'var'],
          attrs: { epsilon: { float: 1e-3 } },
        },
        0,
        0,
      );
    });
  }
});
