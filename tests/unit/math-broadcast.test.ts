// The broadcasting table ops (kernels/broadcast-ops/broadcast-ops.ref.ts) on the CPU interpreter
// against onnxruntime-node: random broadcast shapes and dtypes, NaN / inf / -0 edges, variadic
// Max/Min/Mean of 1-4 inputs, Mod in both fmod modes, comparisons and logic into bool, Where with
// three-way broadcasting, PRelu with a broadcast slope. Everything is exact (Max, Min, comparisons,
// logic, Where, Mod, integer PRelu) except float Mean and PRelu (1e-4 relative).
import { describe, expect, it } from 'vitest';
import type { DType, Tensor } from '../../kernels/tensor.js';
import {
  expectNear,
  expectSameTensor,
  type OneNode,
  pick,
  randInt,
  randomDims,
  randomTensor,
  rng,
  runOrt,
  runOurs,
} from './tensor-oracle.helper.js';

/** Shapes that broadcast to `out`: right-aligned suffixes with some dims set to 1. */
function broadcastable(r: () => number, out: readonly number[]): number[] {
  const rank = randInt(r, 0, out.length);
  return out.slice(out.length - rank).map((d) => (r() < 0.3 ? 1 : d));
}

const EDGE = Float32Array.from([Number.NaN, 1, Number.NaN, Number.POSITIVE_INFINITY, -0, 0, -1, 2.5]);
const EDGE2 = Float32Array.from([1, Number.NaN, Number.NaN, 3, 0, -0, Number.NEGATIVE_INFINITY, 2.5]);

async function check(c: OneNode, what: string, rel = 0): Promise<void> {
  const theirs = await runOrt(c);
  const ours = runOurs(c);
  ours.forEach((t, i) => {
    if (rel === 0) expectSameTensor(t, theirs[i], what);
    else expectNear(t, theirs[i], what, rel);
  });
}

function twoInputs(
  op: string,
  opset: number,
  a: Tensor,
  b: Tensor,
  outType: DType,
  attrs?: OneNode['attrs'],
): OneNode {
  return {
    op,
    opset,
    inputs: [
      ['A', a],
      ['B', b],
    ],
    outputs: [{ name: 'C', dtype: outType }],
    attrs,
  };
}

describe('broadcasting table ops vs onnxruntime (CPU)', () => {
  const comparisons = ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual'];
  for (const op of comparisons) {
    it(`${op}: random broadcasts over float32, int32, int64; NaN edges`, async () => {
      const r = rng(op.length * 31);
      for (const opset of op === 'Equal' ? [11, 13] : op.endsWith('Equal') ? [12, 16] : [7, 13]) {
        for (const dtype of ['float32', 'int32', 'int64'] as DType[]) {
          if (opset < 9 && dtype !== 'float32') continue; // Less/Greater-7 are float-only
          for (let k = 0; k < 4; k++) {
            const out = randomDims(r, 0, 4, 4);
            const a = randomTensor(r, dtype, broadcastable(r, out), -3, 3);
            const b = randomTensor(r, dtype, broadcastable(r, out), -3, 3);
            await check(
              twoInputs(op, opset, a, b, 'bool'),
              `${op}-${opset} ${dtype} [${a.dims}] vs [${b.dims}]`,
            );
          }
        }
        const edges = twoInputs(
          op,
          opset,
          { dtype: 'float32', dims: [8], data: EDGE },
          { dtype: 'float32', dims: [8], data: EDGE2 },
          'bool',
        );
        await check(edges, `${op}-${opset} edges`);
      }
    });
  }

  it('Equal on bool tensors (opset 11+)', async () => {
    const r = rng(5);
    const a = randomTensor(r, 'bool', [3, 4]);
    const b = randomTensor(r, 'bool', [4]);
    await check(twoInputs('Equal', 13, a, b, 'bool'), 'Equal bool');
  });

  for (const op of ['And', 'Or', 'Xor']) {
    it(`${op}: random broadcasts of bool tensors`, async () => {
      const r = rng(op.length * 97);
      for (let k = 0; k < 6; k++) {
        const out = randomDims(r, 0, 4, 4);
        const a = randomTensor(r, 'bool', broadcastable(r, out));
        const b = randomTensor(r, 'bool', broadcastable(r, out));
        await check(twoInputs(op, 7, a, b, 'bool'), `${op} [${a.dims}] vs [${b.dims}]`);
      }
    });
  }

  it('Not', async () => {
    const x = randomTensor(rng(3), 'bool', [2, 3, 4]);
    await check({ op: 'Not', opset: 1, inputs: [['X', x]], outputs: [{ name: 'Y', dtype: 'bool' }] }, 'Not');
  });

  for (const op of ['Max', 'Min', 'Mean']) {
    it(`${op}: 1-4 inputs, random broadcasts and dtypes, NaN edges`, async () => {
      const r = rng(op.length * 1009);
      const dtypes: DType[] = op === 'Mean' ? ['float32'] : ['float32', 'int32', 'int64', 'int8', 'uint8'];
      for (const opset of [8, 13]) {
        for (const dtype of dtypes) {
          if (opset < 12 && dtype !== 'float32') continue; // integer Max/Min from opset 12
          for (let k = 0; k < 4; k++) {
            const out = randomDims(r, 1, 4, 4);
            const n = randInt(r, 1, 4);
            const inputs: [string, Tensor][] = Array.from({ length: n }, (_, i) => [
              `x${i}`,
              randomTensor(r, dtype, broadcastable(r, out), dtype === 'uint8' ? 0 : -50, 50),
            ]);
            const c: OneNode = { op, opset, inputs, outputs: [{ name: 'y', dtype }] };
            await check(
              c,
              `${op}-${opset} ${dtype} ${inputs.map(([, t]) => `[${t.dims}]`).join(' ')}`,
              op === 'Mean' ? 1e-4 : 0,
            );
          }
        }
        const c: OneNode = {
          op,
          opset,
          inputs: [
            ['x0', { dtype: 'float32', dims: [8], data: EDGE }],
            ['x1', { dtype: 'float32', dims: [8], data: EDGE2 }],
          ],
          outputs: [{ name: 'y', dtype: 'float32' }],
        };
        await check(c, `${op}-${opset} edges`);
      }
    });
  }

  it('Mod: fmod 0 (sign of the divisor) on integers, fmod 1 (C fmod) on integers and floats', async () => {
    const r = rng(77);
    for (const dtype of ['int32', 'int64', 'int8', 'int16', 'uint8', 'float32'] as DType[]) {
      for (const fmod of dtype === 'float32' ? [1] : [0, 1]) {
        for (let k = 0; k < 4; k++) {
          const out = randomDims(r, 0, 3, 4);
          const a = randomTensor(r, dtype, broadcastable(r, out), dtype === 'uint8' ? 0 : -40, 40);
          const b = randomTensor(r, dtype, broadcastable(r, out), 1, 9);
          // Negative divisors too (signed types): the two fmod modes differ there.
          if (dtype !== 'uint8' && r() < 0.5) {
            const d = b.data as unknown as (number | bigint)[];
            for (let i = 0; i < d.length; i += 2) d[i] = -d[i];
          }
          await check(
            twoInputs('Mod', 13, a, b, dtype, { fmod }),
            `Mod fmod=${fmod} ${dtype} [${a.dims}] % [${b.dims}]`,
          );
        }
      }
    }
    const x = {
      dtype: 'float32' as const,
      dims: [6],
      data: Float32Array.from([5.5, -5.5, 5.5, -0, Number.POSITIVE_INFINITY, 3]),
    };
    const y = {
      dtype: 'float32' as const,
      dims: [6],
      data: Float32Array.from([2, 2, -2, 1, 2, Number.POSITIVE_INFINITY]),
    };
    await check(twoInputs('Mod', 13, x, y, 'float32', { fmod: 1 }), 'Mod float edges');
  });

  it('Mod refuses fmod = 0 on floats in one line', () => {
    const x: Tensor = { dtype: 'float32', dims: [1], data: Float32Array.from([1]) };
    expect(() => runOurs(twoInputs('Mod', 13, x, x, 'float32'))).toThrow(
      /\(Mod\): fmod = 0 is not supported for float32/,
    );
  });

  it('PRelu: slopes broadcast to X (random shapes, float32 and int32), and per channel before opset 7', async () => {
    const r = rng(11);
    for (const dtype of ['float32', 'int32'] as DType[]) {
      for (let k = 0; k < 6; k++) {
        const xDims = randomDims(r, 1, 4, 4);
        const x = randomTensor(r, dtype, xDims, -20, 20);
        const slope = randomTensor(r, dtype, broadcastable(r, xDims), -3, 3);
        const c: OneNode = {
          op: 'PRelu',
          opset: dtype === 'int32' ? 16 : pick(r, [7, 9, 16]),
          inputs: [
            ['X', x],
            ['slope', slope],
          ],
          outputs: [{ name: 'Y', dtype }],
        };
        await check(c, `PRelu ${dtype} [${xDims}] slope [${slope.dims}]`, dtype === 'float32' ? 1e-4 : 0);
      }
    }
    // Opset 6: a [C] slope is per channel (onnxruntime has no PRelu-6: checked by hand).
    const x: Tensor = { dtype: 'float32', dims: [1, 2, 2], data: Float32Array.from([-1, 2, -3, -4]) };
    const slope: Tensor = { dtype: 'float32', dims: [2], data: Float32Array.from([0.5, 2]) };
    const [y] = runOurs({
      op: 'PRelu',
      opset: 6,
      inputs: [
        ['X', x],
        ['slope', slope],
      ],
      outputs: [{ name: 'Y', dtype: 'float32' }],
    });
    expect(Array.from(y.data as Float32Array)).toEqual([-0.5, 2, -6, -8]);
  });

  it('Where: three-way broadcasts over float32, int64, int32 and uint8 values', async () => {
    const r = rng(23);
    for (const dtype of ['float32', 'int64', 'uint8', 'int32'] as DType[]) {
      for (let k = 0; k < 5; k++) {
        const out = randomDims(r, 0, 4, 4);
        const c: OneNode = {
          op: 'Where',
          opset: dtype === 'float32' ? pick(r, [9, 16]) : 16,
          inputs: [
            ['cond', randomTensor(r, 'bool', broadcastable(r, out))],
            ['X', randomTensor(r, dtype, broadcastable(r, out), 0, 100)],
            ['Y', randomTensor(r, dtype, broadcastable(r, out), 0, 100)],
          ],
          outputs: [{ name: 'Z', dtype }],
        };
        await check(c, `Where ${dtype} ${c.inputs.map(([, t]) => `[${t!.dims}]`).join(' ')}`);
      }
    }
  });

  it('Where on bool values (onnxruntime has no bool Where: by hand)', () => {
    const bool = (dims: number[], v: number[]): Tensor => ({ dtype: 'bool', dims, data: Uint8Array.from(v) });
    const [z] = runOurs({
      op: 'Where',
      opset: 16,
      inputs: [
        ['cond', bool([2, 1], [1, 0])],
        ['X', bool([3], [1, 0, 1])],
        ['Y', bool([1], [0])],
      ],
      outputs: [{ name: 'Z', dtype: 'bool' }],
    });
    expect(z.dims).toEqual([2, 3]);
    expect(Array.from(z.data as Uint8Array)).toEqual([1, 0, 1, 0, 0, 0]);
  });
});
