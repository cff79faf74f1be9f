// Shared by the float16 WebGPU tests: random float16 tensors and the float16 tolerance check.
import { expect } from 'vitest';
import { floatTensor } from '../../kernels/activation/float-io.js';
import { float16BitsToNumber, type Tensor } from '../../kernels/tensor.js';

/** Within 2 float16 ulps of the expected value (1e-3 absolute below 2^-4, where results cancel). */
export function expectFloat16Near(got: Tensor, want: Tensor, name: string): void {
  expect(got.dtype, name).toBe('float16');
  expect(want.dtype, name).toBe('float16');
  expect(got.dims, name).toEqual(want.dims);
  const g = got.data as Uint16Array;
  const w = want.data as Uint16Array;
  for (let i = 0; i < w.length; i++) {
    const a = float16BitsToNumber(g[i]);
    const b = float16BitsToNumber(w[i]);
    if (Number.isNaN(b)) {
      expect(Number.isNaN(a), `${name}[${i}]`).toBe(true);
      continue;
    }
    const ulp = 2 ** (Math.max(Math.floor(Math.log2(Math.abs(b) || 2 ** -14)), -14) - 10);
    const tol = Math.max(2 * ulp, Math.abs(b) < 2 ** -4 ? 1e-3 : 0);
    expect(Math.abs(a - b), `${name}[${i}]: got ${a}, want ${b}`).toBeLessThanOrEqual(tol);
  }
}

export function f16Random(r: () => number, dims: number[], lo: number, hi: number): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return floatTensor(
    'float16',
    dims,
    Array.from({ length: n }, () => lo + (hi - lo) * r()),
  );
}
