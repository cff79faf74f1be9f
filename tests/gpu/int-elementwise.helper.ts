// Shared by the integer GPU tests (int-elementwise.test.ts, int64-ops.test.ts): seeded integer
// tensors of every type the GPU holds, half of their values the type's edges (min, max, -1, 0,
// overflowing sums and products, int64 past 2^32 and 2^53), and broadcasting shape pairs.
import { allocData, type DType, type Tensor } from '../../kernels/tensor.js';
import { type OneNode, randInt, randomDims } from '../unit/tensor-oracle.helper.js';

export type IntDType = 'int32' | 'uint32' | 'int8' | 'uint8' | 'int64';
export const INT_DTYPES: readonly IntDType[] = ['int32', 'uint32', 'int8', 'uint8', 'int64'];

export const EDGES: Record<IntDType, readonly (number | bigint)[]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1, -1, 0, 1, 65536, -65536, 46341, -7, 7],
  uint32: [0, 1, 2 ** 32 - 1, 2 ** 31, 2 ** 31 - 1, 65536, 65535, 7],
  int8: [-128, 127, -1, 0, 1, 64, -64, 7, -7],
  uint8: [0, 1, 255, 128, 127, 16, 7],
  int64: [
    -(2n ** 63n),
    2n ** 63n - 1n,
    -1n,
    0n,
    1n,
    2n ** 32n,
    2n ** 32n - 1n,
    -(2n ** 32n),
    2n ** 53n + 1n,
    -(2n ** 53n) - 3n,
    4294967296n * 3037000499n,
    7n,
    -7n,
  ],
};

/** A value: an edge half the time, else uniform over the type (int64: random hi and lo words). */
function value(r: () => number, dtype: IntDType): number | bigint {
  const edges = EDGES[dtype];
  if (r() < 0.4) return edges[randInt(r, 0, edges.length - 1)];
  if (r() < 0.3)
    return dtype === 'int64' ? BigInt(randInt(r, -20, 20)) : randInt(r, dtype.startsWith('u') ? 0 : -20, 20);
  switch (dtype) {
    case 'int32':
      return randInt(r, -(2 ** 31), 2 ** 31 - 1);
    case 'uint32':
      return randInt(r, 0, 2 ** 32 - 1);
    case 'int8':
      return randInt(r, -128, 127);
    case 'uint8':
      return randInt(r, 0, 255);
    case 'int64':
      return BigInt.asIntN(
        64,
        (BigInt(randInt(r, 0, 2 ** 32 - 1)) << 32n) | BigInt(randInt(r, 0, 2 ** 32 - 1)),
      );
  }
}

export function tensorOf(r: () => number, dtype: IntDType, dims: readonly number[], nonZero = false): Tensor {
  const n = dims.reduce((p, d) => p * d, 1);
  const data = allocData(dtype, n);
  for (let i = 0; i < n; i++) {
    let v = value(r, dtype);
    if (nonZero && (v === 0 || v === 0n)) v = dtype === 'int64' ? 3n : 3;
    (data as unknown as (number | bigint)[])[i] = v;
  }
  return { dtype, dims: [...dims], data };
}

/** Output dims and a second operand's dims broadcast into them (sometimes the other way round). */
export function shapes(r: () => number): [number[], number[]] {
  const out = randomDims(r, 1, 3, 5);
  const b = out.slice(randInt(r, 0, out.length - 1)).map((d) => (r() < 0.3 ? 1 : d));
  return r() < 0.3 ? [b, out] : [out, b];
}

export const binary = (op: string, opset: number, a: Tensor, b: Tensor, dtype: DType): OneNode => ({
  op,
  opset,
  inputs: [
    ['a', a],
    ['b', b],
  ],
  outputs: [{ name: 'y', dtype }],
});
