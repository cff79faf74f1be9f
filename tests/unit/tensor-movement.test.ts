// Data-movement ops (Transpose, Concat, Split, Slice, Gather, Reshape, Flatten, Squeeze,
// Unsqueeze, Shape): curated edge cases, then seeded random cases on every dtype the quantized
// graphs carry (int64 as BigInt, int8/uint8, bool, float16 bits) against onnxruntime-node, exactly.
import { describe, expect, it } from 'vitest';
import { concatRef } from '../../kernels/shape-ops/concat.ref.js';
import { gatherRef } from '../../kernels/shape-ops/gather.ref.js';
import { reshapeDims, shapeRef, squeezeDims, unsqueezeDims } from '../../kernels/shape-ops/reshape.ref.js';
import { sliceRange, sliceRef } from '../../kernels/shape-ops/slice.ref.js';
import { splitSizes } from '../../kernels/shape-ops/split.ref.js';
import { transposeRef } from '../../kernels/shape-ops/transpose.ref.js';
import { type DType, int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import {
  expectMatchesOrt,
  type OneNode,
  pick,
  randInt,
  randomDims,
  randomTensor,
  rng,
  runOurs,
} from './tensor-oracle.helper.js';

const values = (t: Tensor) => Array.from(t.data as ArrayLike<number>);
const iota = (dtype: DType, dims: number[]) =>
  makeTensor(
    dtype,
    dims,
    Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i),
  );
const I64_MAX = 2 ** 63 - 1; // as a number: 2^63, which clamps the same way
const i64 = (v: Array<number | bigint>) =>
  makeTensor(
    'int64',
    [v.length],
    BigInt64Array.from(v, (x) => BigInt(x)),
  );

describe('shape arithmetic: curated', () => {
  it('Reshape: 0 copies the dim, -1 is inferred, allowzero keeps a real 0', () => {
    expect(reshapeDims([2, 3, 4], [0, -1])).toEqual([2, 12]);
    expect(reshapeDims([2, 3, 4], [-1])).toEqual([24]);
    expect(reshapeDims([2, 3, 4], [4, 0, 2])).toEqual([4, 3, 2]);
    expect(reshapeDims([0, 3], [0, 3], true)).toEqual([0, 3]);
    expect(reshapeDims([1], [])).toEqual([]);
    expect(() => reshapeDims([2, 3], [-1, -1])).toThrow(/more than one/);
    expect(() => reshapeDims([2, 3], [4, -1])).toThrow(/infer/);
    expect(() => reshapeDims([2, 3], [0, -1], true)).toThrow(/infer/);
  });

  it('Squeeze/Unsqueeze with negative axes; Squeeze of a non-1 axis throws', () => {
    expect(squeezeDims([1, 3, 1, 2])).toEqual([3, 2]);
    expect(squeezeDims([1, 3, 1, 2], [-2])).toEqual([1, 3, 2]);
    expect(() => squeezeDims([1, 3], [1])).toThrow(/not 1/);
    expect(unsqueezeDims([3, 2], [0, -1])).toEqual([1, 3, 2, 1]);
    expect(unsqueezeDims([], [0])).toEqual([1]);
  });

  it('Shape with start/end clamped, int64 output', () => {
    const x = makeTensor('float32', [2, 3, 4, 5]);
    expect(Array.from(shapeRef(x).data as BigInt64Array)).toEqual([2n, 3n, 4n, 5n]);
    expect(Array.from(shapeRef(x, -3, -1).data as BigInt64Array)).toEqual([3n, 4n]);
    expect(shapeRef(x, 3, 1).dims).toEqual([0]);
    expect(shapeRef(makeTensor('float32', [])).dims).toEqual([0]);
  });

  it('Split sizes: uneven last chunk with num_outputs, even only before opset 18', () => {
    expect(splitSizes(7, 3)).toEqual([3, 3, 1]);
    expect(() => splitSizes(5, 4)).toThrow(/empty last part/);
    expect(() => splitSizes(7, 3, undefined, true)).toThrow(/equal/);
    expect(splitSizes(6, 2, [1, 5])).toEqual([1, 5]);
    expect(() => splitSizes(6, 2, [1, 4])).toThrow(/add up/);
  });
});

describe('data movement: curated', () => {
  it('Transpose reverses by default and keeps int64 values', () => {
    const x = makeTensor('int64', [2, 3], BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 2n ** 62n]));
    const t = transposeRef(x);
    expect(t.dims).toEqual([3, 2]);
    expect(Array.from(t.data as BigInt64Array)).toEqual([1n, 4n, 2n, 5n, 3n, 2n ** 62n]);
    expect(values(transposeRef(iota('int8', [2, 3, 4]), [1, 2, 0]))).toEqual(
      values(transposeRef(transposeRef(iota('int8', [2, 3, 4]), [2, 0, 1]), [2, 0, 1])),
    );
    expect(() => transposeRef(iota('int8', [2, 3]), [0, 0])).toThrow(/permutation/);
  });

  it('Concat on a negative axis, with an empty input', () => {
    const c = concatRef([iota('uint8', [2, 1]), iota('uint8', [2, 0]), iota('uint8', [2, 2])], -1);
    expect(c.dims).toEqual([2, 3]);
    expect(values(c)).toEqual([0, 0, 1, 1, 2, 3]);
    expect(() => concatRef([iota('uint8', [2, 1]), iota('uint8', [3, 1])], 1)).toThrow(/do not match/);
  });

  it('Slice: negative steps, clamping, INT64 max/min ends, empty ranges', () => {
    const x = iota('float32', [5]);
    expect(values(sliceRef(x, [-1], [-I64_MAX - 1], [0], [-1]))).toEqual([4, 3, 2, 1, 0]);
    expect(values(sliceRef(x, [1], [I64_MAX], [0], [2]))).toEqual([1, 3]);
    expect(values(sliceRef(x, [10], [-10], [0], [-2]))).toEqual([4, 2, 0]);
    expect(sliceRef(x, [3], [1]).dims).toEqual([0]);
    expect(sliceRange(5, -100, 100, 1)).toEqual({ start: 0, step: 1, count: 5 });
    const m = sliceRef(iota('int32', [3, 4]), [0, 3], [I64_MAX, 0], [-2, -1], [2, -1]);
    expect(m.dims).toEqual([2, 3]);
    expect(values(m)).toEqual([3, 2, 1, 11, 10, 9]);
    expect(() => sliceRef(x, [0], [1], [0], [0])).toThrow(/step/);
  });

  it('Gather: any axis, negative and int32 indices, a scalar index drops the axis', () => {
    const x = iota('int8', [2, 3]);
    const g = gatherRef(x, makeTensor('int32', [2], [-1, 0]), 1);
    expect(g.dims).toEqual([2, 2]);
    expect(values(g)).toEqual([2, 0, 5, 3]);
    const s = gatherRef(x, int64Tensor([], [1]), 0);
    expect(s.dims).toEqual([3]);
    expect(values(s)).toEqual([3, 4, 5]);
    expect(() => gatherRef(x, int64Tensor([1], [3]), 1)).toThrow(/out of range/);
  });

  it('Reshape through the interpreter: shape as an input (opset 14) and as an attribute (opset 1)', () => {
    const x = iota('int64', [2, 3, 4]);
    const [y] = runOurs({
      op: 'Reshape',
      opset: 14,
      inputs: [
        ['x', x],
        ['s', i64([0, -1])],
      ],
      constants: ['s'],
      outputs: [{ name: 'y', dtype: 'int64' }],
    });
    expect(y.dims).toEqual([2, 12]);
    expect(y.data).toEqual(x.data);
    const [z] = runOurs({
      op: 'Reshape',
      opset: 1,
      inputs: [['x', x]],
      outputs: [{ name: 'y', dtype: 'int64' }],
      attrs: { shape: [4, -1] },
    });
    expect(z.dims).toEqual([4, 6]);
  });
});

// Every dtype the graphs carry through data-movement ops, quantized ones included.
const DTYPES: DType[] = ['float32', 'int64', 'int8', 'uint8', 'int32', 'bool', 'float16', 'float64'];

function node(
  op: string,
  opset: number,
  x: Tensor,
  extra: Array<[string, Tensor | undefined]> = [],
  attrs?: OneNode['attrs'],
  outputs = 1,
): OneNode {
  const consts = extra.map(([n]) => n);
  return {
    op,
    opset,
    inputs: [['x', x], ...extra],
    constants: consts,
    outputs: Array.from({ length: outputs }, (_, i) => ({
      name: `y${i}`,
      dtype: op === 'Shape' ? 'int64' : x.dtype,
    })),
    attrs,
  };
}

describe('data movement vs onnxruntime: random', () => {
  it('Transpose', async () => {
    const r = rng(1);
    for (let k = 0; k < 16; k++) {
      const dims = randomDims(r, 0, 5);
      const perm = dims.map((_, i) => i).sort(() => r() - 0.5);
      const useDefault = r() < 0.3;
      const x = randomTensor(r, pick(r, DTYPES), dims);
      await expectMatchesOrt(
        node('Transpose', 13, x, [], useDefault ? {} : { perm }),
        0,
        `Transpose [${dims}] ${perm}`,
      );
    }
  });

  it('Concat (negative axes, zero-sized inputs)', async () => {
    const r = rng(2);
    for (let k = 0; k < 14; k++) {
      const dims = randomDims(r, 1, 4);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const ax = axis < 0 ? axis + dims.length : axis;
      const dtype = pick(r, DTYPES);
      const parts = Array.from({ length: randInt(r, 1, 4) }, () =>
        randomTensor(
          r,
          dtype,
          dims.map((d, i) => (i === ax ? randInt(r, 0, 3) : d)),
        ),
      );
      const c: OneNode = {
        op: 'Concat',
        opset: 13,
        inputs: parts.map((t, i) => [`x${i}`, t]),
        outputs: [{ name: 'y', dtype }],
        attrs: { axis },
      };
      await expectMatchesOrt(c, 0, `Concat axis ${axis} ${parts.map((t) => `[${t.dims}]`)}`);
    }
  });

  it('Split: attribute (opset 11), input (13), num_outputs with an uneven last part (18)', async () => {
    const r = rng(3);
    for (let k = 0; k < 15; k++) {
      const dims = randomDims(r, 1, 3, 7);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const d = dims[axis < 0 ? axis + dims.length : axis];
      const x = randomTensor(r, pick(r, DTYPES), dims);
      const form = k % 3;
      const parts = randInt(r, 1, Math.min(d, 3));
      const cut = Array.from({ length: parts }, () => 0);
      for (let i = 0; i < d; i++) cut[randInt(r, 0, parts - 1)]++;
      let c: OneNode;
      if (form === 0) c = node('Split', 11, x, [], { axis, split: cut }, parts);
      else if (form === 1) c = node('Split', 13, x, [['s', i64(cut)]], { axis }, parts);
      else {
        const n = randInt(r, 1, d);
        const chunk = Math.ceil(d / n);
        if (d - chunk * (n - 1) <= 0) continue; // onnxruntime refuses an empty last part too
        c = node('Split', 18, x, [], { axis, num_outputs: n }, n);
      }
      await expectMatchesOrt(c, 0, `Split form ${form} [${dims}] axis ${axis}`);
    }
  });

  it('Slice: inputs with negative steps and INT64 extremes (opset 13), attributes (opset 9)', async () => {
    const r = rng(4);
    const bound = (d: number) =>
      r() < 0.15 ? pick(r, [2n ** 63n - 1n, -(2n ** 63n)]) : BigInt(randInt(r, -d - 2, d + 2));
    for (let k = 0; k < 24; k++) {
      const dims = randomDims(r, 1, 4, 6);
      const x = randomTensor(r, pick(r, DTYPES), dims);
      const axes = dims.map((_, i) => i).filter(() => r() < 0.7);
      if (axes.length === 0) axes.push(0);
      const signed = axes.map((a) => (r() < 0.3 ? a - dims.length : a));
      const starts = axes.map((a) => bound(dims[a]));
      const ends = axes.map((a) => bound(dims[a]));
      if (k % 4 === 3) {
        // The test builder takes attribute ints as numbers: INT64 extremes become INT32 ones,
        // which old exporters used for "to the end" anyway.
        const i32 = (v: bigint) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Number(v)));
        const attrs = { starts: starts.map(i32), ends: ends.map(i32), axes: signed };
        await expectMatchesOrt(
          node('Slice', 9, x, [], attrs),
          0,
          `Slice opset 9 [${dims}] ${JSON.stringify(attrs)}`,
        );
        continue;
      }
      const steps = axes.map(() => pick(r, [1, 1, 2, 3, -1, -2]));
      const extra: Array<[string, Tensor | undefined]> = [
        ['starts', i64(starts)],
        ['ends', i64(ends)],
        ['axes', i64(signed)],
        ['steps', i64(steps)],
      ];
      const what = `Slice [${dims}] starts ${starts} ends ${ends} axes ${signed} steps ${steps}`;
      await expectMatchesOrt(node('Slice', 13, x, extra), 0, what);
    }
  });

  it('Slice: INT32_MAX/INT64_MAX ends mean "no end", extreme starts clamp', async () => {
    const x = iota('int64', [4, 3]);
    const M64 = 2n ** 63n - 1n;
    const cases: Array<[bigint, bigint, bigint]> = [
      [M64, M64, -1n],
      [-1n, 2147483647n, -1n],
      [-(2n ** 63n), M64, 1n],
      [M64, -(2n ** 63n), -2n],
      [-(2n ** 63n), 2147483647n, -1n],
      [2n, -(2n ** 63n), 1n],
    ];
    for (const [start, end, step] of cases) {
      const extra: Array<[string, Tensor]> = [
        ['starts', i64([start, 0])],
        ['ends', i64([end, 3])],
        ['axes', i64([0, 1])],
        ['steps', i64([step, 1])],
      ];
      await expectMatchesOrt(node('Slice', 13, x, extra), 0, `Slice ${start}:${end}:${step}`);
    }
    const attrs = { starts: [3], ends: [2147483647], axes: [0] };
    await expectMatchesOrt(node('Slice', 9, x, [], attrs), 0, 'Slice opset 9 INT32_MAX end');
  });

  it('Gather (any axis, negative int32/int64 indices, index rank 0-2)', async () => {
    const r = rng(5);
    for (let k = 0; k < 16; k++) {
      const dims = randomDims(r, 1, 3, 5);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const d = dims[axis < 0 ? axis + dims.length : axis];
      const x = randomTensor(r, pick(r, DTYPES), dims);
      const idx = randomTensor(r, pick(r, ['int32', 'int64'] as const), randomDims(r, 0, 2, 3), -d, d - 1);
      await expectMatchesOrt(
        {
          ...node('Gather', 13, x, [], { axis }),
          inputs: [
            ['x', x],
            ['i', idx],
          ],
        },
        0,
        `Gather [${dims}] axis ${axis} indices [${idx.dims}]`,
      );
    }
  });

  it('Reshape, Flatten, Squeeze, Unsqueeze, Shape', async () => {
    const r = rng(6);
    for (let k = 0; k < 12; k++) {
      const dims = randomDims(r, 1, 4);
      const x = randomTensor(r, pick(r, DTYPES), dims);
      // Reshape to a random factorization, with 0 (copy) and -1 (infer) mixed in.
      const total = dims.reduce((a, b) => a * b, 1);
      const target = [total];
      if (total % 2 === 0 && r() < 0.5) target.splice(0, 1, 2, total / 2);
      const shape = target.map((t, i) => (i < dims.length && t === dims[i] ? 0 : t));
      shape[randInt(r, 0, shape.length - 1)] = -1;
      await expectMatchesOrt(node('Reshape', 13, x, [['s', i64(shape)]]), 0, `Reshape [${dims}] -> ${shape}`);
      const axis = randInt(r, -dims.length, dims.length);
      await expectMatchesOrt(node('Flatten', 13, x, [], { axis }), 0, `Flatten [${dims}] axis ${axis}`);
      const withOnes = randomTensor(
        r,
        x.dtype,
        [...dims, 1].sort(() => r() - 0.5),
      );
      const ones = withOnes.dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
      await expectMatchesOrt(
        node('Squeeze', 11, withOnes, [], { axes: [ones[0]] }),
        0,
        `Squeeze 11 [${withOnes.dims}]`,
      );
      await expectMatchesOrt(
        node('Squeeze', 13, withOnes, r() < 0.5 ? [] : [['a', i64(ones)]]),
        0,
        'Squeeze 13',
      );
      const ins = [randInt(r, -dims.length - 1, dims.length)];
      await expectMatchesOrt(node('Unsqueeze', 11, x, [], { axes: ins }), 0, `Unsqueeze 11 ${ins}`);
      await expectMatchesOrt(
        node('Unsqueeze', 13, x, [['a', i64([...ins, 0 === ins[0] ? 1 : 0])]]),
        0,
        'Unsqueeze 13',
      );
      const start = randInt(r, -5, 5);
      const attrs: OneNode['attrs'] = r() < 0.5 ? { start } : { start, end: randInt(r, -5, 5) };
      await expectMatchesOrt(node('Shape', 15, x, [], attrs), 0, `Shape [${dims}] ${JSON.stringify(attrs)}`);
    }
  });
});
