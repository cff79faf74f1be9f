// The integer element-wise lowerings of app/exec/webgpu/lower-int.ts (kernels/int-elementwise/) on
// the WebGPU executor against the CPU reference, bit for bit, each node on a GPU kernel (no CPU
// fallback): comparisons, Add / Sub / Mul / Div / Max / Min / Neg / Abs / Sign on int32 / uint32 /
// int8 / uint8 / int64 (curated edges: the type's min and max, -1, 0, overflowing sums and
// products, int64 values past 2^32 and 2^53), Equal on bool, Div's zero divisor failing the run as
// on the CPU, Clip with bounds fed at run time (float32 with NaN and -0 too) and Where over int64;
// seeded random broadcasting shapes.
import { describe, expect, it } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { allocData, type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { type OneNode, oneNodeModel, randInt, randomDims, rng } from '../unit/tensor-oracle.helper.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { compareOnGpu, runModelOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

type IntDType = 'int32' | 'uint32' | 'int8' | 'uint8' | 'int64';
const INT_DTYPES: readonly IntDType[] = ['int32', 'uint32', 'int8', 'uint8', 'int64'];

const EDGES: Record<IntDType, readonly (number | bigint)[]> = {
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

function tensorOf(r: () => number, dtype: IntDType, dims: readonly number[], nonZero = false): Tensor {
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
function shapes(r: () => number): [number[], number[]] {
  const out = randomDims(r, 1, 3, 5);
  const b = out.slice(randInt(r, 0, out.length - 1)).map((d) => (r() < 0.3 ? 1 : d));
  return r() < 0.3 ? [b, out] : [out, b];
}

const binary = (op: string, opset: number, a: Tensor, b: Tensor, dtype: DType): OneNode => ({
  op,
  opset,
  inputs: [
    ['a', a],
    ['b', b],
  ],
  outputs: [{ name: 'y', dtype }],
});

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

describe('int64 data movement on the WebGPU executor (word pairs): exact', () => {
  const i64 = (): OneNode['outputs'] => [{ name: 'y', dtype: 'int64' }];
  it('Transpose, Concat, Split, Slice, Expand, Tile', async () => {
    const r = rng(79);
    const x = tensorOf(r, 'int64', [2, 3, 4]);
    const ints = (v: number[]) => ({
      dtype: 'int64' as const,
      dims: [v.length],
      data: BigInt64Array.from(v.map(BigInt)),
    });
    const cases: OneNode[] = [
      { op: 'Transpose', opset: 13, inputs: [['x', x]], outputs: i64() },
      { op: 'Transpose', opset: 13, inputs: [['x', x]], outputs: i64(), attrs: { perm: [1, 2, 0] } },
      {
        op: 'Concat',
        opset: 13,
        inputs: [
          ['x', x],
          ['z', tensorOf(r, 'int64', [2, 3, 1])],
          ['w', tensorOf(r, 'int64', [2, 3, 2])],
        ],
        outputs: i64(),
        attrs: { axis: -1 },
      },
      {
        op: 'Split',
        opset: 13,
        inputs: [
          ['x', x],
          ['s', ints([1, 3])],
        ],
        constants: ['s'],
        outputs: [
          { name: 'y', dtype: 'int64' },
          { name: 'y2', dtype: 'int64' },
        ],
        attrs: { axis: 2 },
      },
      {
        op: 'Slice',
        opset: 13,
        inputs: [
          ['x', x],
          ['st', ints([-1, 0])],
          ['en', ints([-100, 3])],
          ['ax', ints([-1, 1])],
          ['sp', ints([-2, 2])],
        ],
        constants: ['st', 'en', 'ax', 'sp'],
        outputs: i64(),
      },
      {
        op: 'Expand',
        opset: 13,
        inputs: [
          ['x', tensorOf(r, 'int64', [3, 1])],
          ['sh', ints([2, 3, 4])],
        ],
        constants: ['sh'],
        outputs: i64(),
      },
      {
        op: 'Tile',
        opset: 13,
        inputs: [
          ['x', x],
          ['rp', ints([2, 1, 3])],
        ],
        constants: ['rp'],
        outputs: i64(),
      },
    ];
    for (const c of cases) await compareOnGpu(c, true, `${c.op} int64`);
  });
});

describe('a run-time int64 subgraph (mask -> positions) on the WebGPU executor', () => {
  it('Sub, Mul, Add, Transpose, Expand, Less, Where, Trilu, Concat, Div, Clip: one submit, no CPU node', async () => {
    const r = rng(80);
    const i64 = (dims: number[], v: (number | bigint)[]) => ({
      dtype: 'int64' as const,
      dims,
      data: BigInt64Array.from(v.map((x) => BigInt(x))),
    });
    const model = decodeModel(
      buildModel({
        opset: 17,
        inputs: [
          { name: 'mask', dtype: 'int64', dims: [1, 6] },
          { name: 'past', dtype: 'int64', dims: [1] },
          { name: 'lo', dtype: 'int64', dims: [] },
          { name: 'hi', dtype: 'int64', dims: [] },
        ],
        outputs: [
          { name: 'y', dtype: 'int64' },
          { name: 'yc', dtype: 'int64' },
          { name: 'lt', dtype: 'bool' },
        ],
        initializers: {
          one: i64([], [1]),
          big: i64([], [2n ** 40n + 3n]),
          seven: i64([], [-7]),
          shape: i64([2], [6, 6]),
        },
        nodes: [
          { op: 'Sub', inputs: ['mask', 'one'], outputs: ['m1'] },
          { op: 'Mul', inputs: ['m1', 'big'], outputs: ['m2'] },
          { op: 'Add', inputs: ['m2', 'past'], outputs: ['m3'] },
          { op: 'Transpose', inputs: ['m3'], outputs: ['t'] },
          { op: 'Expand', inputs: ['t', 'shape'], outputs: ['e'] },
          { op: 'Transpose', inputs: ['e'], outputs: ['eT'] },
          { op: 'Less', inputs: ['e', 'eT'], outputs: ['lt'] },
          { op: 'Where', inputs: ['lt', 'e', 'eT'], outputs: ['w'] },
          { op: 'Trilu', inputs: ['w'], outputs: ['tr'], attrs: { upper: 0 } },
          { op: 'Concat', inputs: ['tr', 'e'], outputs: ['y'], attrs: { axis: 0 } },
          { op: 'Div', inputs: ['y', 'seven'], outputs: ['yd'] },
          { op: 'Clip', inputs: ['yd', 'lo', 'hi'], outputs: ['yc'] },
        ],
      }),
    );
    for (let k = 0; k < 3; k++) {
      const feeds = new Map([
        [
          'mask',
          i64(
            [1, 6],
            Array.from({ length: 6 }, () => (r() < 0.5 ? 0 : 1)),
          ),
        ],
        ['past', i64([1], [randInt(r, 0, 2 ** 31) * 4096])],
        ['lo', i64([], [-(2n ** 37n)])],
        ['hi', i64([], [randInt(r, -100, 100)])],
      ]);
      const { got, want } = await runModelOnGpu(model, feeds);
      for (const name of ['y', 'yc', 'lt'])
        expect(Array.from(got.get(name)!.data as ArrayLike<unknown>), name).toEqual(
          Array.from(want.get(name)!.data as ArrayLike<unknown>),
        );
    }
  });
});

describe('CumSum of int32 / uint32 / int64 on the WebGPU executor: exact, wrapping', () => {
  it('every axis, exclusive and reverse', async () => {
    const r = rng(81);
    for (const dtype of ['int32', 'uint32', 'int64'] as const)
      for (const axis of [0, 1, -1])
        for (const [exclusive, reverse] of [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ]) {
          const dims = [randInt(r, 1, 3), randInt(r, 1, 4), randInt(r, 1, 5)];
          await compareOnGpu(
            {
              op: 'CumSum',
              opset: 14,
              inputs: [
                ['x', tensorOf(r, dtype, dims)],
                ['axis', makeTensor('int32', [], [axis])],
              ],
              constants: ['axis'],
              outputs: [{ name: 'y', dtype }],
              attrs: { exclusive, reverse },
            },
            true,
            `CumSum ${dtype} [${dims}] axis ${axis} exclusive ${exclusive} reverse ${reverse}`,
          );
        }
  });
});
