// The integer element-wise lowerings of app/exec/webgpu/lower-int.ts (kernels/int-elementwise/) on
// the WebGPU executor against the CPU reference, bit for bit, each node on a GPU kernel (no CPU
// fallback): comparisons, Add / Sub / Mul / Div / Max / Min / Neg / Abs / Sign on int32 / uint32 /
// int8 / uint8 / int64 (curated edges: the type's min and max, -1, 0, overflowing sums and
// products, int64 values past 2^32 and 2^53), Equal on bool, Div's zero divisor failing the run as
// on the CPU, Clip with bounds fed at run time (float32 with NaN and -0 too), Where over int64 and
// Trilu (int64 / 8-bit data, k constant or fed);
// seeded random broadcasting shapes.
import { describe, expect, it } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { oneNodeModel, randInt, randomDims, rng } from '../unit/tensor-oracle.helper.js';
import { compareOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';
import { binary, EDGES, INT_DTYPES, shapes, tensorOf } from './int-elementwise.helper.js';

sharedGpu();

describe('integer comparisons on the WebGPU executor: exact', () => {
  it('Equal / Less / LessOrEqual / Greater / GreaterOrEqual on every integer type, broadcasting', async () => {
    const r = rng(71);
    for (const dtype of INT_DTYPES)
      for (const op of ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual']) {
        const [ad, bd] = shapes(r);
        const a = tensorOf(r, dtype, ad);
        const b = tensorOf(r, dtype, bd);
        // Some equal pairs, so Equal and the OrEqual ops see ties.
        if (a.data.length === b.data.length) for (let i = 0; i < a.data.length; i += 3) a.data[i] = b.data[i];
        await compareOnGpu(binary(op, 16, a, b, 'bool'), true, `${op} ${dtype} [${ad}] [${bd}]`);
      }
  });

  it('Equal on bool', async () => {
    const a = makeTensor('bool', [2, 3], [1, 0, 1, 0, 1, 1]);
    const b = makeTensor('bool', [3], [1, 0, 0]);
    await compareOnGpu(binary('Equal', 11, a, b, 'bool'), true, 'Equal bool');
  });
});

describe('integer arithmetic on the WebGPU executor: exact, wrapping', () => {
  it('Add / Sub / Mul / Div / Max / Min on every integer type, broadcasting', async () => {
    const r = rng(72);
    for (const dtype of INT_DTYPES)
      for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min'])
        for (let k = 0; k < 2; k++) {
          const [ad, bd] = shapes(r);
          const a = tensorOf(r, dtype, ad);
          const b = tensorOf(r, dtype, bd, op === 'Div');
          if (op === 'Div' && dtype !== 'uint8' && dtype !== 'uint32') {
            // min / -1 wraps to min.
            (a.data as unknown as (number | bigint)[])[0] = EDGES[dtype][0];
            (b.data as unknown as (number | bigint)[])[0] = dtype === 'int64' ? -1n : -1;
          }
          await compareOnGpu(binary(op, 14, a, b, dtype), true, `${op} ${dtype} [${ad}] [${bd}]`);
        }
  });

  it('Add / Mul before opset 7: B placed by the broadcast / axis attributes (int32, int64)', async () => {
    const r = rng(78);
    for (const dtype of ['int32', 'int64'] as const)
      for (const op of ['Add', 'Mul']) {
        const c = binary(op, 6, tensorOf(r, dtype, [2, 3, 4]), tensorOf(r, dtype, [3]), dtype);
        c.attrs = { broadcast: 1, axis: 1 };
        await compareOnGpu(c, true, `${op} ${dtype} opset 6 axis 1`);
      }
  });

  it('Max / Min of 1 and 3 inputs (int32, int8, int64), broadcasting', async () => {
    const r = rng(82);
    for (const dtype of ['int32', 'int8', 'int64'] as const)
      for (const op of ['Max', 'Min'])
        for (const n of [1, 3]) {
          const [ad, bd] = shapes(r);
          const ins: [string, Tensor][] = [
            ['a', tensorOf(r, dtype, ad)],
            ['b', tensorOf(r, dtype, bd)],
            ['c', tensorOf(r, dtype, bd.slice(1))],
          ];
          await compareOnGpu(
            { op, opset: 13, inputs: ins.slice(0, n), outputs: [{ name: 'y', dtype }] },
            true,
            `${op} ${dtype} of ${n}`,
          );
        }
  });

  it('Neg / Abs / Sign', async () => {
    const r = rng(73);
    for (const dtype of INT_DTYPES)
      for (const op of ['Neg', 'Abs', 'Sign']) {
        if (op === 'Neg' && dtype.startsWith('u')) continue;
        const x = tensorOf(r, dtype, [EDGES[dtype].length + 7]);
        EDGES[dtype].forEach((v, i) => {
          (x.data as unknown as (number | bigint)[])[i] = v;
        });
        await compareOnGpu(
          { op, opset: 13, inputs: [['x', x]], outputs: [{ name: 'y', dtype }] },
          true,
          `${op} ${dtype}`,
        );
      }
  });

  it('a zero divisor fails the run as on the CPU (int32 and int64)', async () => {
    for (const dtype of ['int32', 'int64'] as const) {
      const t = (v: number[]) =>
        dtype === 'int64'
          ? { dtype, dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) }
          : makeTensor(dtype, [v.length], v);
      const a = t([5, -5, 6, 7]);
      const executor = await WebGpuExecutor.create(
        decodeModel(oneNodeModel(binary('Div', 14, a, t([1, 1, 1, 1]), dtype))),
      );
      try {
        const ok = await executor.run(
          new Map([
            ['a', a],
            ['b', t([2, 2, -4, 3])],
          ]),
        );
        expect(Array.from(ok.get('y')!.data as ArrayLike<number | bigint>).map(Number)).toEqual([
          2, -2, -1, 2,
        ]);
        await expect(
          executor.run(
            new Map([
              ['a', a],
              ['b', t([2, 0, 1, 1])],
            ]),
          ),
        ).rejects.toThrow(/division by zero/);
        expect((await executor.summary()).cpuFallbacks).toEqual([]);
      } finally {
        executor.dispose();
      }
    }
  });
});

describe('Clip with bounds fed at run time and Where over int64 on the WebGPU executor: exact', () => {
  it('Clip on every integer type and float32, with one, both or no bounds', async () => {
    const r = rng(74);
    for (const dtype of [...INT_DTYPES, 'float32'] as const)
      for (const which of [
        [true, true],
        [true, false],
        [false, true],
        [false, false],
      ]) {
        const dims = randomDims(r, 1, 3, 5);
        const x =
          dtype === 'float32'
            ? makeTensor(
                'float32',
                [9, ...dims.slice(1)],
                Array.from(
                  { length: 9 * dims.slice(1).reduce((p, d) => p * d, 1) },
                  (_, i) => [Number.NaN, -0, 0, Number.POSITIVE_INFINITY, -3.5][i % 5] ?? 0,
                ).map((v, i) => (i % 7 === 6 ? r() * 10 - 5 : v)),
              )
            : tensorOf(r, dtype, dims);
        const bound = (): Tensor =>
          dtype === 'float32' ? makeTensor('float32', [], [r() * 4 - 2]) : tensorOf(r, dtype, []);
        let lo = which[0] ? bound() : undefined;
        let hi = which[1] ? bound() : undefined;
        if (lo && hi && r() < 0.5) [lo, hi] = [hi, lo];
        await compareOnGpu(
          {
            op: 'Clip',
            opset: 13,
            inputs: [
              ['x', x],
              ['lo', lo],
              ['hi', hi],
            ],
            outputs: [{ name: 'y', dtype }],
          },
          true,
          `Clip ${dtype} ${which}`,
        );
      }
  });

  it('Where with int64 X / Y, broadcasting', async () => {
    const r = rng(75);
    for (let k = 0; k < 4; k++) {
      const [ad, bd] = shapes(r);
      const cond = makeTensor(
        'bool',
        bd,
        Array.from({ length: bd.reduce((p, d) => p * d, 1) }, () => (r() < 0.5 ? 1 : 0)),
      );
      await compareOnGpu(
        {
          op: 'Where',
          opset: 16,
          inputs: [
            ['c', cond],
            ['x', tensorOf(r, 'int64', ad)],
            ['y', tensorOf(r, 'int64', bd)],
          ],
          outputs: [{ name: 'o', dtype: 'int64' }],
        },
        true,
        `Where int64 [${ad}] [${bd}]`,
      );
    }
  });
});

describe('Trilu of int64 and 8-bit data on the WebGPU executor: exact', () => {
  it('upper and lower, k from -4 to 4 and past the matrix, batched', async () => {
    const r = rng(76);
    for (const dtype of ['int64', 'int8', 'uint8'] as const)
      for (const k of [-4, -1, 0, 1, 2, 4, 9])
        for (const upper of [0, 1]) {
          const dims = [randInt(r, 1, 2), randInt(r, 1, 5), randInt(r, 1, 6)];
          await compareOnGpu(
            {
              op: 'Trilu',
              opset: 14,
              inputs: [
                ['x', tensorOf(r, dtype, dims)],
                ['k', { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(k)) }],
              ],
              constants: ['k'],
              outputs: [{ name: 'y', dtype }],
              attrs: { upper },
            },
            true,
            `Trilu ${dtype} [${dims}] k ${k} upper ${upper}`,
          );
        }
  });

  it('k fed at run time (int64, int32, float32 and 8-bit data), past the matrix both ways', async () => {
    const r = rng(77);
    for (const dtype of ['int64', 'int32', 'float32', 'uint8'] as const)
      for (const k of [-(2 ** 40), -3, 0, 2, 2 ** 40])
        for (const upper of [0, 1]) {
          const dims = [randInt(r, 1, 3), randInt(r, 1, 4), randInt(r, 1, 5)];
          const x =
            dtype === 'float32'
              ? makeTensor(
                  'float32',
                  dims,
                  Array.from({ length: dims[0] * dims[1] * dims[2] }, () => r() - 0.5),
                )
              : tensorOf(r, dtype, dims);
          await compareOnGpu(
            {
              op: 'Trilu',
              opset: 14,
              inputs: [
                ['x', x],
                ['k', { dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(k)) }],
              ],
              outputs: [{ name: 'y', dtype }],
              attrs: { upper },
            },
            true,
            `Trilu ${dtype} [${dims}] k ${k} (fed) upper ${upper}`,
          );
        }
  });
});
