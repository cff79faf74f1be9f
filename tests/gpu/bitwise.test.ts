// BitShift and BitwiseAnd / Or / Xor / Not on the GPU (kernels/bitwise/bitwise.ts via
// app/exec/webgpu/lower-extra2.ts) as one-node models on the WebGPU executor against the CPU
// reference (broadcast-ops.ref.ts), bit-exact: int32 / uint32 words and int8 / uint8 packed bytes
// (odd element counts, so partial words), broadcasting, shifts by 0, width - 1, the width and
// more, negative amounts, negative values (arithmetic right shifts, opset 28). No CPU fallback.
import { describe, it } from 'vitest';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { type OneNode, pick, randInt, randomDims, randomTensor, rng } from '../unit/tensor-oracle.helper.js';
import { compareOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

async function check(
  op: string,
  opset: number,
  inputs: Tensor[],
  what: string,
  direction?: string,
): Promise<void> {
  const c: OneNode = {
    op,
    opset,
    inputs: inputs.map((t, i): [string, Tensor] => [`x${i}`, t]),
    outputs: [{ name: 'y', dtype: inputs[0].dtype }],
    attrs: direction ? { direction } : undefined,
  };
  await compareOnGpu(c, true, what);
}

const WIDTH: Record<string, number> = { int32: 32, uint32: 32, int8: 8, uint8: 8 };
const t = (dtype: DType, dims: number[], values: number[]) => makeTensor(dtype, dims, values);

describe('bitwise ops on the GPU vs the CPU reference', () => {
  it.each(['int32', 'uint32', 'int8', 'uint8'] as const)(
    'BitShift %s: by 0, width-1, width, more, negative',
    async (dtype) => {
      const w = WIDTH[dtype];
      const signed = !dtype.startsWith('u');
      const xs = signed ? [1, -1, -128, 127, 5, -77, 3] : [1, 255, 128, 127, 5, 200, 3];
      const amounts = [0, w - 1, w, w + 1, signed ? -1 : 40, 1, 2];
      const opset = signed ? 28 : 11;
      for (const dir of ['LEFT', 'RIGHT'])
        await check(
          'BitShift',
          opset,
          [t(dtype, [7], xs), t(dtype, [7], amounts)],
          `${dtype} ${dir} shifts`,
          dir,
        );
      // A column of amounts broadcast over rows of values.
      await check(
        'BitShift',
        opset,
        [t(dtype, [1, 7], xs), t(dtype, [3, 1], [0, w - 1, 2])],
        `${dtype} RIGHT broadcast`,
        'RIGHT',
      );
    },
  );

  it.each(['int32', 'uint32', 'int8', 'uint8'] as const)('BitwiseAnd / Or / Xor / Not %s', async (dtype) => {
    const r = rng(WIDTH[dtype] + dtype.length);
    const [lo, hi] =
      dtype === 'int8' ? [-128, 127] : dtype === 'uint8' ? [0, 255] : [-(2 ** 31), 2 ** 31 - 1];
    const ulo = dtype === 'uint32' ? 0 : lo;
    const uhi = dtype === 'uint32' ? 2 ** 32 - 1 : hi;
    const a = randomTensor(r, dtype, [3, 5], ulo, uhi);
    const b = randomTensor(r, dtype, [5], ulo, uhi);
    for (const op of ['BitwiseAnd', 'BitwiseOr', 'BitwiseXor'])
      await check(op, 18, [a, b], `${op} ${dtype} broadcast`);
    await check('BitwiseNot', 18, [a], `BitwiseNot ${dtype}`);
  });

  it('seeded random: every op and type, random broadcast shapes', async () => {
    const r = rng(31);
    for (let n = 0; n < 32; n++) {
      const dtype = pick(r, ['int32', 'uint32', 'int8', 'uint8'] as const);
      const op = pick(r, ['BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'BitwiseNot']);
      const dims = randomDims(r, 1, 3, 5);
      const other = dims.map((d) => (r() < 0.4 ? 1 : d)).slice(randInt(r, 0, dims.length - 1));
      const w = WIDTH[dtype];
      const a = randomTensor(r, dtype, dims, dtype.startsWith('u') ? 0 : -100, 100);
      if (op === 'BitShift') {
        const b = randomTensor(r, dtype, other, dtype.startsWith('u') ? 0 : -2, w + 3);
        const dir = pick(r, ['LEFT', 'RIGHT']);
        await check(op, 28, [a, b], `${op} ${dir} ${dtype} [${dims}] [${other}]`, dir);
      } else if (op === 'BitwiseNot') await check(op, 18, [a], `${op} ${dtype} [${dims}]`);
      else {
        const b = randomTensor(r, dtype, other, dtype.startsWith('u') ? 0 : -100, 100);
        await check(op, 18, [b, a], `${op} ${dtype} [${other}] [${dims}]`);
      }
    }
  });
});
