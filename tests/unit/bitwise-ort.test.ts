// BitShift (opset 11, unsigned types) and BitwiseAnd/Or/Xor/Not (opset 18, all integer types)
// against onnxruntime-node, bit for bit, on random broadcast shapes and values that cover every
// bit (shift amounts up to the type's width - 1, where onnxruntime's C++ shift is defined).
import { describe, it } from 'vitest';
import type { DType } from '../../kernels/tensor.js';
import { expectMatchesOrt, pick, randInt, randomDims, randomTensor, rng } from './tensor-oracle.helper.js';

const RANGE: Record<string, [number, number, number]> = {
  uint8: [0, 255, 8],
  uint16: [0, 65535, 16],
  uint32: [0, 4294967295, 32],
  uint64: [0, 2 ** 40, 64],
  int8: [-128, 127, 8],
  int16: [-32768, 32767, 16],
  int32: [-2147483648, 2147483647, 32],
  int64: [-(2 ** 40), 2 ** 40, 64],
};

describe('bitwise ops vs onnxruntime', () => {
  it('BitShift LEFT and RIGHT on unsigned types', async () => {
    const r = rng(11);
    for (let t = 0; t < 16; t++) {
      // onnxruntime's BitShift kernel has no uint16.
      const dtype = pick(r, ['uint8', 'uint32', 'uint64'] as DType[]);
      const [lo, hi, bits] = RANGE[dtype];
      const dims = randomDims(r, 1, 3, 4);
      const x = randomTensor(r, dtype, dims, lo, hi);
      const y = randomTensor(r, dtype, dims.slice(randInt(r, 0, dims.length)), 0, bits - 1);
      for (const direction of ['LEFT', 'RIGHT'])
        await expectMatchesOrt(
          {
            op: 'BitShift',
            opset: 11,
            inputs: [
              ['X', x],
              ['Y', y],
            ],
            outputs: [{ name: 'Z', dtype }],
            attrs: { direction },
          },
          0,
          `BitShift ${direction} ${dtype}`,
        );
    }
  });

  it('BitwiseAnd / Or / Xor / Not on every integer type', async () => {
    const r = rng(18);
    for (const dtype of Object.keys(RANGE) as DType[]) {
      const [lo, hi] = RANGE[dtype];
      const dims = randomDims(r, 1, 3, 4);
      const a = randomTensor(r, dtype, dims, lo, hi);
      const b = randomTensor(r, dtype, dims.slice(randInt(r, 0, dims.length)), lo, hi);
      for (const op of ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor'])
        await expectMatchesOrt(
          {
            op,
            opset: 18,
            inputs: [
              ['A', a],
              ['B', b],
            ],
            outputs: [{ name: 'C', dtype }],
          },
          0,
          `${op} ${dtype}`,
        );
      await expectMatchesOrt(
        { op: 'BitwiseNot', opset: 18, inputs: [['X', a]], outputs: [{ name: 'Y', dtype }] },
        0,
        `BitwiseNot ${dtype}`,
      );
    }
  });
});
