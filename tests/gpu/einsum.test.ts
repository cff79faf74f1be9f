// Einsum on the GPU (kernels/einsum/einsum.wgsl via app/exec/webgpu/lower-extra2.ts) as one-node
// models on the WebGPU executor against the CPU reference (einsum.ref.ts). float32: the GPU
// multiplies and adds in f32 in the reference's order, the reference in f64, so each element is
// within 2^-23 * (terms + operands) * (the same Einsum over |inputs|) of it; int32 / uint32: exact (wrapping
// products and sums; the cases keep the reference's f64 sums exact). Every case must run on the
// GPU (no CPU fallback).
import { describe, expect, it } from 'vitest';
import { einsumLayout, einsumRef } from '../../kernels/einsum/einsum.ref.js';
import type { Tensor } from '../../kernels/tensor.js';
import { expectSameTensor, pick, randInt, randomTensor, rng, runOurs } from '../unit/tensor-oracle.helper.js';
import { runOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

const absTensor = (t: Tensor): Tensor => ({
  ...t,
  data: Float32Array.from(t.data as Float32Array, Math.abs),
});

async function check(equation: string, inputs: Tensor[], what = equation): Promise<void> {
  const dtype = inputs[0].dtype;
  const c = {
    op: 'Einsum',
    opset: 12,
    inputs: inputs.map((t, i): [string, Tensor] => [`x${i}`, t]),
    outputs: [{ name: 'y', dtype }],
    attrs: { equation },
  };
  const got = (await runOnGpu(c, what)).get('y')!;
  const [want] = runOurs(c);
  if (dtype !== 'float32') {
    expectSameTensor(got, want, what);
    return;
  }
  expect(got.dims, what).toEqual(want.dims);
  const mag = einsumRef(equation, inputs.map(absTensor)).data;
  const { sumSize } = einsumLayout(
    equation,
    inputs.map((t) => t.dims),
  );
  const k = 2 ** -23 * (sumSize + inputs.length);
  for (let i = 0; i < want.data.length; i++) {
    const d = Math.abs(Number(got.data[i]) - Number(want.data[i]));
    if (!(d <= k * Number(mag[i])))
      expect.fail(`${what}: element ${i} is ${got.data[i]}, reference ${want.data[i]}`);
  }
}

const f32 = (r: () => number, dims: number[]) => randomTensor(r, 'float32', dims, -2, 2);

describe('Einsum on the GPU vs the CPU reference', () => {
  const r = rng(7);
  it.each([
    [
      'matmul',
      'ij,jk->ik',
      [
        [3, 5],
        [5, 4],
      ],
    ],
    [
      'batched matmul',
      'bhid,bhjd->bhij',
      [
        [2, 3, 4, 5],
        [2, 3, 6, 5],
      ],
    ],
    ['transpose', 'ij->ji', [[3, 7]]],
    ['trace', 'ii', [[5, 5]]],
    ['diagonal', 'ii->i', [[4, 4]]],
    ['batched diagonal', '...ii->...i', [[2, 3, 3]]],
    [
      '... broadcast',
      '...ij,...jk->...ik',
      [
        [2, 1, 3, 4],
        [5, 4, 2],
      ],
    ],
    ['outer product', 'i,j->ij', [[4], [6]]],
    ['sum over all', 'ijk->', [[3, 4, 5]]],
    [
      'implicit output',
      'ij,jk',
      [
        [2, 3],
        [3, 4],
      ],
    ],
    [
      'three operands',
      'ij,jk,kl->il',
      [
        [2, 3],
        [3, 4],
        [4, 2],
      ],
    ],
    [
      'size-1 label broadcast',
      'ij,ij->ij',
      [
        [3, 1],
        [3, 4],
      ],
    ],
    [
      'diagonal of a product',
      'ij,ji->i',
      [
        [3, 3],
        [3, 3],
      ],
    ],
    [
      'empty summed label',
      'ij,jk->ik',
      [
        [2, 0],
        [0, 3],
      ],
    ],
    ['scalar result of a dot', 'i,i', [[257], [257]]],
  ] as const)('%s (%s)', async (name, equation, dims) => {
    await check(
      equation,
      dims.map((d) => f32(r, [...d])),
      `${name} ${equation}`,
    );
  });

  it('int32 and uint32 (matmul, trace, broadcast, wrapping): exact', async () => {
    const ri = rng(3);
    const i32 = (dims: number[]) => randomTensor(ri, 'int32', dims, -100, 100);
    await check('ij,jk->ik', [i32([4, 6]), i32([6, 3])], 'int32 matmul');
    await check('ii', [i32([6, 6])], 'int32 trace');
    await check('...ij,...jk->...ik', [i32([2, 1, 3, 4]), i32([5, 4, 2])], 'int32 ... broadcast');
    // Products past 2^32 wrap on both sides (the reference's f64 sums stay exact below 2^53).
    const big = (dims: number[]) => randomTensor(ri, 'int32', dims, -(2 ** 20), 2 ** 20);
    await check('ij,jk->ik', [big([3, 4]), big([4, 2])], 'int32 matmul, wrapping');
    const u32 = (dims: number[]) => randomTensor(ri, 'uint32', dims, 0, 2 ** 20);
    await check('bij,bjk->bik', [u32([2, 3, 4]), u32([2, 4, 3])], 'uint32 batched matmul, wrapping');
  });

  it('seeded random equations (diagonals, size-1 broadcast, any output order)', async () => {
    const rr = rng(99);
    for (let n = 0; n < 24; n++) {
      const size = new Map([...'abcde'].map((l) => [l, randInt(rr, 1, 4)]));
      const operands = randInt(rr, 1, 3);
      const terms = Array.from({ length: operands }, () =>
        Array.from({ length: randInt(rr, 1, 3) }, () => pick(rr, [...'abcde'])),
      );
      const used = [...new Set(terms.flat())];
      const out = used.filter(() => rr() < 0.5).sort(() => rr() - 0.5);
      const equation = `${terms.map((t) => t.join('')).join(',')}->${out.join('')}`;
      // A repeated label within a term must keep one size; others may broadcast from 1.
      const inputs = terms.map((t) =>
        f32(
          rr,
          t.map((l, a) => (t.indexOf(l) === a && rr() < 0.15 ? 1 : size.get(l)!)),
        ),
      );
      await check(equation, inputs, `random ${equation} [${inputs.map((t) => `[${t.dims}]`)}]`);
    }
  });
});
