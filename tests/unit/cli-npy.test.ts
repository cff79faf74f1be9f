// The .npy reader behind `qplay run --input x.npy`: curated files (every supported type, format
// versions 1-3, scalars, empty arrays) and what it must refuse, then seeded random round trips.
// The writer below follows the format spec (numpy/lib/format.py) so the tests need no Python.
import { describe, expect, it } from 'vitest';
import { decodeNpy } from '../../app/cli/npy.js';
import { InputError } from '../../app/model/errors.js';

function npyBytes(
  descr: string,
  shape: number[],
  payload: Uint8Array,
  opts: { version?: number; fortran?: boolean } = {},
) {
  const version = opts.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pre = version === 1 ? 10 : 12;
  // numpy pads the header with spaces and ends it with '\n' so the data starts 64-byte aligned.
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - pre - 1, ' ')}\n`;
  const out = new Uint8Array(total + payload.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, header.length, true);
  else dv.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), pre);
  out.set(payload, total);
  return out;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

describe('decodeNpy: supported types', () => {
  const cases: Array<[string, string, ArrayBufferView]> = [
    ['<f4', 'float32', new Float32Array([1.5, -2, 3.25, Number.NaN, Number.POSITIVE_INFINITY, -0])],
    ['<f8', 'float64', new Float64Array([1e-300, 2, -3, 4, 5, 6])],
    ['|i1', 'int8', new Int8Array([-128, 127, 0, 1, -1, 5])],
    ['|u1', 'uint8', new Uint8Array([0, 255, 1, 2, 3, 4])],
    ['<i2', 'int16', new Int16Array([-32768, 32767, 0, 1, 2, 3])],
    ['<u2', 'uint16', new Uint16Array([65535, 0, 1, 2, 3, 4])],
    ['<i4', 'int32', new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0, 1, 2, 3])],
    ['<u4', 'uint32', new Uint32Array([2 ** 32 - 1, 0, 1, 2, 3, 4])],
    ['<i8', 'int64', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 0n, 1n, 2n, 3n])],
    ['<u8', 'uint64', new BigUint64Array([2n ** 64n - 1n, 0n, 1n, 2n, 3n, 4n])],
    ['|b1', 'bool', new Uint8Array([1, 0, 0, 1, 1, 0])],
  ];
  it.each(cases)('%s -> %s, shape (2, 3), every value kept', (descr, dtype, data) => {
    const t = decodeNpy(npyBytes(descr, [2, 3], bytesOf(data)));
    expect(t.dtype).toBe(dtype);
    expect(t.dims).toEqual([2, 3]);
    expect(bytesOf(t.data)).toEqual(bytesOf(data));
  });

  it('format versions 2 and 3 (4-byte header length)', () => {
    for (const version of [2, 3]) {
      const t = decodeNpy(npyBytes('<f4', [3], bytesOf(new Float32Array([1, 2, 3])), { version }));
      expect(Array.from(t.data as Float32Array)).toEqual([1, 2, 3]);
    }
  });

  it('a scalar (shape ()) and an empty array (shape (0, 4))', () => {
    const s = decodeNpy(npyBytes('<i4', [], bytesOf(new Int32Array([42]))));
    expect(s.dims).toEqual([]);
    expect(Array.from(s.data as Int32Array)).toEqual([42]);
    const e = decodeNpy(npyBytes('<f4', [0, 4], new Uint8Array(0)));
    expect(e.dims).toEqual([0, 4]);
    expect(e.data.length).toBe(0);
  });

  it('a 1-D array marked fortran_order is the same as C order, and is accepted', () => {
    const t = decodeNpy(npyBytes('<f4', [2], bytesOf(new Float32Array([7, 8])), { fortran: true }));
    expect(Array.from(t.data as Float32Array)).toEqual([7, 8]);
  });

  it('the typed array is aligned even though the data offset in the file is not', () => {
    const file = npyBytes('<f8', [2], bytesOf(new Float64Array([1, 2])));
    const shifted = new Uint8Array(file.length + 3).subarray(3);
    shifted.set(file);
    expect(Array.from(decodeNpy(shifted).data as Float64Array)).toEqual([1, 2]);
  });
});

describe('decodeNpy: refusals are InputErrors that name the file', () => {
  const f4 = bytesOf(new Float32Array([1, 2, 3, 4, 5, 6]));
  const refusals: Array<[string, Uint8Array, RegExp]> = [
    ['not npy at all', new TextEncoder().encode('hello, world, this is text'), /not a \.npy file/],
    ['too short', Uint8Array.from([0x93, 0x4e, 0x55]), /not a \.npy file/],
    [
      'version 9',
      (() => {
        const b = npyBytes('<f4', [6], f4);
        b[6] = 9;
        return b;
      })(),
      /version 9/,
    ],
    ['big endian', npyBytes('>f4', [6], f4), /big-endian/],
    ['fortran order 2-D', npyBytes('<f4', [2, 3], f4, { fortran: true }), /Fortran order/],
    ['complex', npyBytes('<c8', [3], f4), /'<c8' is not supported/],
    ['object', npyBytes('|O', [6], f4), /not supported/],
    ['truncated data', npyBytes('<f4', [2, 3], f4).slice(0, -1), /truncated/],
    ['truncated header', npyBytes('<f4', [2, 3], f4).slice(0, 20), /truncated inside its header/],
    ['extra bytes', npyBytes('<f4', [5], f4), /after its data/],
    [
      'header without shape',
      (() => {
        const b = npyBytes('<f4', [6], f4);
        const s = new TextDecoder('latin1').decode(b).replace("'shape'", "'shope'");
        return Uint8Array.from(s, (c) => c.charCodeAt(0));
      })(),
      /not a valid \.npy header/,
    ],
  ];
  it.each(refusals)('%s', (_, bytes, why) => {
    expect(() => decodeNpy(bytes, "'x.npy'")).toThrow(InputError);
    expect(() => decodeNpy(bytes, "'x.npy'")).toThrow(why);
    expect(() => decodeNpy(bytes, "'x.npy'")).toThrow(/'x\.npy'/);
  });

  it('a big-endian single-byte type is fine (byte order does not apply)', () => {
    expect(decodeNpy(npyBytes('>u1', [2], Uint8Array.from([3, 4]))).dtype).toBe('uint8');
  });
});

describe('decodeNpy: seeded random round trips', () => {
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const kinds: Array<[string, number]> = [
    ['<f4', 4],
    ['<f8', 8],
    ['|i1', 1],
    ['|u1', 1],
    ['<i2', 2],
    ['<i4', 4],
    ['<i8', 8],
    ['<u4', 4],
  ];
  it('100 random shapes and payloads decode to the same bytes and shape', () => {
    const next = rng(12345);
    for (let k = 0; k < 100; k++) {
      const [descr, size] = kinds[Math.floor(next() * kinds.length)];
      const rank = Math.floor(next() * 5);
      const shape = Array.from({ length: rank }, () => Math.floor(next() * 5));
      const n = shape.reduce((a, b) => a * b, 1);
      const payload = Uint8Array.from({ length: n * size }, () => Math.floor(next() * 256));
      const t = decodeNpy(npyBytes(descr, shape, payload, { version: 1 + Math.floor(next() * 3) }));
      expect(t.dims).toEqual(shape);
      expect(bytesOf(t.data)).toEqual(payload);
    }
  });
});
