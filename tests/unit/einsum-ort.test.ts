// Einsum against onnxruntime-node: explicit and implicit outputs, batch matmul with ellipsis,
// transposes, diagonals (repeated labels), traces, sums, outer products, float and int32.
import { describe, it } from 'vitest';
import type { DType } from '../../kernels/tensor.js';
import { expectMatchesOrt } from './nn-oracle.helper.js';
import { randomTensor, rng } from './tensor-oracle.helper.js';

const CASES: [string, number[][]][] = [
  [
    'ij,jk->ik',
    [
      [3, 4],
      [4, 5],
    ],
  ],
  [
    'ij,jk',
    [
      [2, 3],
      [3, 2],
    ],
  ],
  [
    '...ij,...jk->...ik',
    [
      [2, 3, 4],
      [2, 4, 3],
    ],
  ],
  [
    'bij,bjk->bik',
    [
      [2, 2, 3],
      [2, 3, 2],
    ],
  ],
  ['ij->ji', [[3, 5]]],
  ['ii->i', [[4, 4]]],
  ['ii', [[3, 3]]],
  ['bii->bi', [[2, 3, 3]]],
  ['ij->', [[3, 4]]],
  ['i,j->ij', [[3], [4]]],
  ['i,i', [[5], [5]]],
  ['...j,j->...', [[2, 3, 4], [4]]],
  [
    'abc,cd,de->abe',
    [
      [2, 2, 3],
      [3, 2],
      [2, 2],
    ],
  ],
];

describe('Einsum vs onnxruntime', () => {
  it('equations over random operands, float32 and int32', async () => {
    const r = rng(12);
    for (const dtype of ['float32', 'int32'] as DType[])
      for (const [equation, shapes] of CASES)
        await expectMatchesOrt(
          {
            op: 'Einsum',
            opset: 12,
            inputs: shapes.map((s, i) => [`x${i}`, randomTensor(r, dtype, s, -5, 5)]),
            outputs: [{ name: 'y', dtype }],
            attrs: { equation },
          },
          1e-5,
          1e-5,
          `Einsum '${equation}' ${dtype}`,
        );
  });
});
