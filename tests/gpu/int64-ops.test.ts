// The int64 data movement (app/exec/webgpu/lower-int64-move.ts: Transpose, Concat, Split, Slice,
// Expand, Tile as word-pair copies), CumSum of int32 / uint32 / int64 (lower-int.ts) and a run-time
// int64 mask -> positions subgraph on the WebGPU executor against the CPU reference, bit for bit,
// with no CPU fallback (the subgraph in one submit).
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { type OneNode, randInt, rng } from '../unit/tensor-oracle.helper.js';
import { compareOnGpu, runModelOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';
import { tensorOf } from './int-elementwise.helper.js';

sharedGpu();

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
