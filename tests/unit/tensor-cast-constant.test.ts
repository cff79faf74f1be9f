// Cast (every pair of supported dtypes), Constant, ConstantOfShape, Identity and Dropout:
// curated edge cases, then seeded random cases against onnxruntime-node, compared exactly.
import { describe, expect, it } from 'vitest';
import { dtypeToOnnx } from '../../app/model/tensor-proto.js';
import { bigintToFloat32, castRef, floatToInteger } from '../../kernels/shape-ops/cast.ref.js';
import { constantOfShapeRef } from '../../kernels/shape-ops/reshape.ref.js';
import {
  type DType,
  int64Tensor,
  makeTensor,
  numberToFloat16Bits,
  type Tensor,
} from '../../kernels/tensor.js';
import {
  expectMatchesOrt,
  type OneNode,
  pick,
  randomDims,
  randomTensor,
  rng,
  runOurs,
} from './tensor-oracle.helper.js';

const values = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

describe('Cast: curated', () => {
  it('float -> int truncates toward zero; NaN and out of range give what x86-64 gives', () => {
    const x = makeTensor('float32', [6], [2.9, -2.9, Number.NaN, 1e10, 300.7, -0.5]);
    expect(values(castRef(x, 'int32'))).toEqual([2, -2, -(2 ** 31), -(2 ** 31), 300, 0]);
    expect(values(castRef(x, 'int8'))).toEqual([2, -2, 0, 0, 44, 0]);
    expect(values(castRef(x, 'uint8'))).toEqual([2, 254, 0, 0, 44, 0]);
    expect(Array.from(castRef(x, 'int64').data as BigInt64Array)).toEqual([
      2n,
      -2n,
      -(2n ** 63n),
      10000000000n,
      300n,
      0n,
    ]);
    expect(floatToInteger(3e9, 'uint32')).toBe(3e9);
    expect(floatToInteger(-1, 'uint32')).toBe(2 ** 32 - 1);
    expect(floatToInteger(1e20, 'uint64')).toBe(0n);
  });

  it('float -> bool is x != 0 (NaN is true); bool -> float is 0/1', () => {
    const b = castRef(makeTensor('float32', [4], [0, -0, Number.NaN, 0.1]), 'bool');
    expect(b.data).toBeInstanceOf(Uint8Array);
    expect(values(b)).toEqual([0, 0, 1, 1]);
    expect(values(castRef(b, 'float32'))).toEqual([0, 0, 1, 1]);
    expect(values(castRef(makeTensor('int64', [2], BigInt64Array.from([0n, 2n ** 40n])), 'bool'))).toEqual([
      0, 1,
    ]);
  });

  it('to float16 uses round-to-nearest-even bits; int64 extremes survive', () => {
    const h = castRef(makeTensor('float32', [3], [1, 65520, 1 + 2 ** -11]), 'float16');
    expect(values(h)).toEqual([numberToFloat16Bits(1), 0x7c00, numberToFloat16Bits(1)]);
    const big = makeTensor('int64', [2], BigInt64Array.from([2n ** 63n - 1n, -(2n ** 63n)]));
    expect(Array.from(castRef(castRef(big, 'int64'), 'int64').data as BigInt64Array)).toEqual([
      2n ** 63n - 1n,
      -(2n ** 63n),
    ]);
    expect(values(castRef(big, 'int32'))).toEqual([-1, 0]);
    expect(values(castRef(big, 'float32'))).toEqual([2 ** 63, -(2 ** 63)]);
  });

  it('int64 -> float32 rounds once (Number() then fround would round twice)', () => {
    const x = 2n ** 60n + 2n ** 36n + 1n; // just above a float32 tie; as a double it lands on the tie
    expect(Math.fround(Number(x))).toBe(2 ** 60);
    expect(bigintToFloat32(x)).toBe(2 ** 60 + 2 ** 37);
    expect(bigintToFloat32(-x)).toBe(-(2 ** 60 + 2 ** 37));
  });
});

describe('constants: curated', () => {
  it('ConstantOfShape: float32 zero by default, the value tensor dtype otherwise, [] is a scalar', () => {
    const z = constantOfShapeRef([2, 3]);
    expect(z.dtype).toBe('float32');
    expect(values(z)).toEqual([0, 0, 0, 0, 0, 0]);
    const s = constantOfShapeRef([], int64Tensor([1], [-7]));
    expect(s.dims).toEqual([]);
    expect(Array.from(s.data as BigInt64Array)).toEqual([-7n]);
    expect(constantOfShapeRef([0, 4], makeTensor('int8', [1], [3])).data.length).toBe(0);
  });

  it('Constant value_ints is int64, value_floats float32', () => {
    const out = (attrs: OneNode['attrs']) =>
      runOurs({
        op: 'Constant',
        opset: 13,
        inputs: [],
        outputs: [{ name: 'y', dtype: 'float32' }],
        attrs,
      })[0];
    const ints = out({ value_ints: [1, -2, 3] });
    expect(ints.dtype).toBe('int64');
    expect(Array.from(ints.data as BigInt64Array)).toEqual([1n, -2n, 3n]);
    const f = out({ value_floats: { floats: [0.5, 1.25] } });
    expect(f.dtype).toBe('float32');
    expect(values(f)).toEqual([0.5, 1.25]);
  });
});

const ALL: DType[] = [
  'float32',
  'float64',
  'float16',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
];

/** Values that exercise each source type: fractions, negatives, specials for floats, extremes for ints. */
function castSource(r: () => number, dtype: DType, dims: number[]): Tensor {
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'float16') {
    // A trailing axis of 8 so every tensor holds each special value once, plus random ones.
    dims = [...dims, 8];
    const specials = [Number.NaN, Number.NEGATIVE_INFINITY, -0, 1e10, -3e9, 255.5, -128.5, 65535.9];
    const n = dims.reduce((a, b) => a * b, 1);
    const v = Array.from({ length: n }, (_, i) => (i < 8 ? specials[i] : (r() - 0.5) * 600));
    if (dtype === 'float16')
      return makeTensor(
        'float16',
        dims,
        Uint16Array.from(v, (x) => numberToFloat16Bits(x)),
      );
    return makeTensor(dtype, dims, v);
  }
  if (dtype === 'int64' || dtype === 'uint64') {
    const t = randomTensor(r, dtype, dims, -1e6, 1e6);
    const e = t.data as BigInt64Array | BigUint64Array;
    for (let i = 0; i < e.length; i++) {
      if (r() < 0.3) e[i] = BigInt.asIntN(64, BigInt(Math.floor(r() * 2 ** 53)) * 1021n) as never;
    }
    return t;
  }
  const range: Partial<Record<DType, [number, number]>> = {
    int8: [-128, 127],
    uint8: [0, 255],
    int16: [-32768, 32767],
    uint16: [0, 65535],
    int32: [-(2 ** 31), 2 ** 31 - 1],
    uint32: [0, 2 ** 32 - 1],
    bool: [0, 1],
  };
  const [lo, hi] = range[dtype]!;
  return randomTensor(r, dtype, dims, lo, hi);
}

describe('Cast vs onnxruntime: random', () => {
  for (const from of ALL) {
    it(`from ${from} to every dtype`, async () => {
      const r = rng(ALL.indexOf(from) + 100);
      for (const to of ALL) {
        const x = castSource(r, from, randomDims(r, 0, 3, 5));
        const c: OneNode = {
          op: 'Cast',
          opset: pick(r, [13, 19]),
          inputs: [['x', x]],
          outputs: [{ name: 'y', dtype: to }],
          attrs: { to: dtypeToOnnx(to) },
        };
        await expectMatchesOrt(c, 0, `Cast ${from} -> ${to}`);
      }
    });
  }
});

describe('constants and pass-throughs vs onnxruntime', () => {
  it('Constant: value tensor, value_float(s), value_int(s)', async () => {
    const cases: Array<[OneNode['attrs'], DType]> = [
      [{ value: makeTensor('int8', [2, 2], [-128, 0, 5, 127]) }, 'int8'],
      [{ value: int64Tensor([], [-(2 ** 40)]) }, 'int64'],
      [{ value_float: { float: 0.25 } }, 'float32'],
      [{ value_floats: { floats: [1.5, -2, 3e-8] } }, 'float32'],
      [{ value_int: -3 }, 'int64'],
      [{ value_ints: [4, 5, -6] }, 'int64'],
    ];
    for (const [attrs, dtype] of cases) {
      await expectMatchesOrt(
        { op: 'Constant', opset: 13, inputs: [], outputs: [{ name: 'y', dtype }], attrs },
        0,
        JSON.stringify(Object.keys(attrs!)),
      );
    }
  });

  it('ConstantOfShape: default and typed values, empty and zero-sized shapes', async () => {
    const cases: Array<[number[], Tensor | undefined, DType]> = [
      [[2, 3], undefined, 'float32'],
      [[4], int64Tensor([1], [2 ** 40]), 'int64'],
      [[], makeTensor('int8', [1], [-5]), 'int8'],
      [[3, 0], makeTensor('uint8', [1], [7]), 'uint8'],
      [[1, 2, 2], makeTensor('bool', [1], [1]), 'bool'],
    ];
    for (const [shape, value, dtype] of cases) {
      const c: OneNode = {
        op: 'ConstantOfShape',
        opset: 13,
        inputs: [['s', int64Tensor([shape.length], shape)]],
        outputs: [{ name: 'y', dtype }],
        attrs: value ? { value } : undefined,
      };
      await expectMatchesOrt(c, 0, `ConstantOfShape [${shape}] ${dtype}`);
    }
  });

  it('Identity on int64, int8 and bool', async () => {
    const r = rng(9);
    for (const dtype of ['int64', 'int8', 'bool', 'float16'] as const) {
      const x = randomTensor(r, dtype, randomDims(r, 0, 3));
      await expectMatchesOrt(
        { op: 'Identity', opset: 13, inputs: [['x', x]], outputs: [{ name: 'y', dtype }] },
        0,
        dtype,
      );
    }
  });

  it('Dropout in inference: identity, and the mask onnxruntime gives at each opset', async () => {
    const r = rng(10);
    for (const opset of [7, 10, 12, 13]) {
      const x = randomTensor(r, 'float32', [2, 3]);
      const maskType: DType = opset >= 10 ? 'bool' : 'float32';
      const inputs: OneNode['inputs'] = [['x', x]];
      if (opset >= 12)
        inputs.push(['ratio', makeTensor('float32', [], [0.3])], ['train', makeTensor('bool', [], [0])]);
      const c: OneNode = {
        op: 'Dropout',
        opset,
        inputs,
        constants: ['ratio', 'train'],
        outputs: [
          { name: 'y', dtype: 'float32' },
          { name: 'mask', dtype: maskType },
        ],
      };
      await expectMatchesOrt(c, 0, `Dropout opset ${opset}`);
      const [y] = await expectMatchesOrt(
        { ...c, outputs: [c.outputs[0]] },
        0,
        `Dropout opset ${opset} without mask`,
      );
      expect(y.data).toEqual(x.data);
    }
  });
});
