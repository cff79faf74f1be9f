// GatherND on the WebGPU executor (app/exec/webgpu/lower-gather.ts, kernels/shape-ops/gather-nd.wgsl)
// against the CPU reference, bit-exact: curated cases named after their parameters (q, batch_dims,
// 8- and 32-bit data, int64 data as word pairs, constant or fed indices), seeded random ones, and an
// out-of-range entry failing the run with the CPU's message.
import { describe, expect, it } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { oneNodeModel, randInt, randomDims, rng } from '../unit/tensor-oracle.helper.js';
import { compareOnGpu } from './extra-ops.helper.js';
import { cpuError, type DataType, dataOf } from './gather.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

/** GatherND(data, indices) with fed (or constant) indices vs the CPU reference. */
async function gatherNDOnGpu(
  data: Tensor,
  indices: Tensor,
  batchDims: number,
  what: string,
  constIndices = false,
): Promise<void> {
  await compareOnGpu(
    {
      op: 'GatherND',
      opset: batchDims ? 12 : 11,
      inputs: [
        ['data', data],
        ['indices', indices],
      ],
      constants: constIndices ? ['indices'] : [],
      outputs: [{ name: 'y', dtype: data.dtype }],
      attrs: batchDims ? { batch_dims: batchDims } : {},
    },
    true,
    what,
  );
}

describe('GatherND on the WebGPU executor: exact', () => {
  // [name, data dtype, data dims, batch_dims, index dims, index values, indices an initializer]
  const cases: [string, DataType, number[], number, number[], number[], boolean][] = [
    ['full tuples (q = rank), f32 [2,2]', 'float32', [2, 2], 0, [2, 2], [0, 0, 1, 1], false],
    ['rows (q = 1), f32 [3,4]', 'float32', [3, 4], 0, [2, 1], [2, 0], false],
    ['q = 2 of rank 3, int32, negative entries', 'int32', [2, 3, 4], 0, [3, 2], [1, -1, -2, 0, 0, 2], false],
    ['batch_dims 1, f32 [2,3,4], indices [2,1]', 'float32', [2, 3, 4], 1, [2, 1], [1, 2], false],
    ['batch_dims 1, int32 [2,2,2], indices [2,1,1]', 'int32', [2, 2, 2], 1, [2, 1, 1], [1, 0], false],
    ['uint8 data, odd slice (5), constant indices', 'uint8', [3, 5], 0, [4, 1], [2, 0, -1, 1], true],
    ['int8 data, full tuples', 'int8', [3, 3], 0, [5, 2], [0, 0, 2, 2, -1, 0, 1, 1, 2, 1], false],
    ['int64 data (word pairs), rows, batch_dims 1', 'int64', [2, 3, 2], 1, [2, 1], [2, -3], false],
    ['int64 data, full tuples, constant indices', 'int64', [3, 2], 0, [2, 2], [2, 1, -3, 0], true],
  ];
  for (const [name, dtype, dims, batchDims, idims, values, constIndices] of cases) {
    it(name, async () => {
      const data = dataOf(rng(dims.length * 7 + values.length), dtype, dims);
      await gatherNDOnGpu(data, int64Tensor(idims, values), batchDims, name, constIndices);
    });
  }

  it('int32 indices (our CPU reference takes them too)', async () => {
    const data = dataOf(rng(4), 'float32', [3, 4]);
    await gatherNDOnGpu(data, makeTensor('int32', [2, 2], [2, 3, -3, -4]), 0, 'int32 indices');
  });

  it('seeded random: dims, q, batch_dims, 8- and 32-bit data', async () => {
    const r = rng(612);
    const dtypes: DataType[] = ['float32', 'uint8', 'int32', 'int8', 'int64'];
    for (let k = 0; k < 16; k++) {
      const dims = randomDims(r, 1, 4, 4);
      const batchDims = dims.length > 1 && k % 3 === 0 ? randInt(r, 1, dims.length - 1) : 0;
      const q = randInt(r, 1, dims.length - batchDims);
      const mid = randomDims(r, 0, 2, 3);
      const idims = [...dims.slice(0, batchDims), ...mid, q];
      const rows = idims.slice(0, -1).reduce((p, v) => p * v, 1);
      const values = Array.from({ length: rows * q }, (_, e) => {
        const d = dims[batchDims + (e % q)];
        return randInt(r, -d, d - 1);
      });
      const dtype = dtypes[k % dtypes.length];
      const what = `GatherND random ${k}: ${dtype} [${dims}] batch_dims ${batchDims} indices [${idims}]`;
      await gatherNDOnGpu(dataOf(r, dtype, dims), int64Tensor(idims, values), batchDims, what, k % 4 === 1);
    }
  });

  it('an out-of-range entry fails the run with the CPU message (naming its own dimension)', async () => {
    const data = dataOf(rng(6), 'float32', [2, 5, 3]);
    for (const values of [
      [0, 0, 1, 5],
      [0, -6, 2 ** 33, 0],
      [3, 0, 0, 0],
    ]) {
      const model = oneNodeModel({
        op: 'GatherND',
        opset: 11,
        inputs: [
          ['data', data],
          ['indices', int64Tensor([2, 2], values)],
        ],
        outputs: [{ name: 'y', dtype: 'float32' }],
      });
      const feeds = new Map([
        ['data', data],
        ['indices', int64Tensor([2, 2], values)],
      ]);
      const want = cpuError(model, feeds);
      expect(want).toMatch(/out of range/);
      const executor = await WebGpuExecutor.create(decodeModel(model));
      try {
        await expect(executor.run(feeds)).rejects.toThrow(want);
        expect((await executor.summary()).cpuFallbacks).toEqual([]);
      } finally {
        executor.dispose();
      }
    }
  });
});
