// The narrow types against ml_dtypes (the library ONNX's reference casts with): every float8 and
// float4 code decodes to ml_dtypes' value, and a set of edge values (ties, overflow, subnormals,
// NaN, infinities, signed zeros) encodes to its codes (tests/fixtures/small-floats-ml-dtypes.json,
// written by ml_dtypes 0.6 with numpy's astype, i.e. without saturation). Saturating casts match
// onnx.numpy_helper.saturate_cast (literals below); 4- and 2-bit tensors survive a TensorProto
// round trip (packed low bits first); narrow integer casts truncate and wrap as ml_dtypes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeTensorFile, encodeTensorFile } from '../../app/model/tensor-proto.js';
import { decodeSmallFloat, encodeSmallFloat, type SmallFloat } from '../../kernels/dtypes/small-floats.js';
import { castRef } from '../../kernels/shape-ops/cast.ref.js';
import { type DType, makeTensor } from '../../kernels/tensor.js';

const oracle = JSON.parse(readFileSync('tests/fixtures/small-floats-ml-dtypes.json', 'utf8'));
const values = (oracle.vals as (number | null)[]).map((v) => (v === null ? Number.NaN : v));
const TYPES: SmallFloat[] = [
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'float4e2m1',
  'bfloat16',
];

describe('narrow float formats = ml_dtypes', () => {
  for (const type of TYPES)
    it(`${type}: encodes the edge values and decodes every code as ml_dtypes`, () => {
      expect(values.map((v) => encodeSmallFloat(type, v, false))).toEqual(oracle[type]);
      const decoded = oracle[`${type}_dec`] as (number | null)[];
      decoded.forEach((want, code) => {
        const got = decodeSmallFloat(type, code);
        if (want === null) expect(got, `code ${code}`).toBeNaN();
        else expect(got, `code ${code}`).toBe(want);
      });
    });

  it('a NaN keeps its sign where the type has one (float32 bits 0xffc00000), as ml_dtypes', () => {
    const f = new Float32Array(1);
    new Uint32Array(f.buffer)[0] = 0xffc00000;
    const codes = (
      ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float4e2m1', 'bfloat16'] as const
    ).map((t) => encodeSmallFloat(t, f[0], false));
    expect(codes).toEqual([255, 128, 254, 128, 0, 65472]);
  });

  it('saturating float8 casts clamp to the largest finite value (onnx saturate_cast)', () => {
    const x = [1e6, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 448, 449, 464, 480, 1e-9];
    const sat = (t: SmallFloat) => x.map((v) => encodeSmallFloat(t, v, true));
    expect(sat('float8e4m3fn')).toEqual([126, 126, 254, 127, 126, 126, 126, 126, 0]);
    expect(sat('float8e5m2')).toEqual([123, 123, 251, 126, 95, 95, 95, 96, 0]);
    expect(sat('float8e4m3fnuz')).toEqual([127, 127, 255, 128, 127, 127, 127, 127, 0]);
  });

  it('4- and 2-bit tensors round-trip through a TensorProto, packed two or four per byte', () => {
    for (const [dtype, lo, hi] of [
      ['int4', -8, 7],
      ['uint4', 0, 15],
      ['int2', -2, 1],
      ['uint2', 0, 3],
      ['float4e2m1', 0, 15],
    ] as [DType, number, number][]) {
      const t = makeTensor(
        dtype,
        [3, 3],
        Array.from({ length: 9 }, (_, i) => lo + (i % (hi - lo + 1))),
      );
      const back = decodeTensorFile(encodeTensorFile(t, 'x')).tensor;
      expect(back.dtype).toBe(dtype);
      expect(Array.from(back.data as Int8Array)).toEqual(Array.from(t.data as Int8Array));
    }
  });

  it('casts to int4 / uint4 / int2 / uint2 truncate toward zero and wrap (ml_dtypes)', () => {
    const x = makeTensor(
      'float32',
      [25],
      Array.from({ length: 25 }, (_, i) => i - 9),
    );
    expect(Array.from(castRef(x, 'int4').data as Int8Array)).toEqual([
      7, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, -8, -7, -6, -5, -4, -3, -2, -1,
    ]);
    expect(Array.from(castRef(x, 'uint4').data as Uint8Array)).toEqual([
      7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ]);
    const y = makeTensor('float32', [3], [2.6, -2.6, 3.1]);
    expect(Array.from(castRef(y, 'int4').data as Int8Array)).toEqual([2, -2, 3]);
    const z = makeTensor('float32', [7], [-3, -2, -1, 0, 1, 2, 3]);
    expect(Array.from(castRef(z, 'int2').data as Int8Array)).toEqual([1, -2, -1, 0, 1, -2, -1]);
  });
});
