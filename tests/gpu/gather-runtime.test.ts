// Gather with indices known only at run time on the WebGPU executor (app/exec/webgpu/lower-gather.ts,
// kernels/shape-ops/gather-runtime.wgsl; GatherND: gather-nd.test.ts)
// against the CPU reference, bit-exact: curated cases named after their parameters (8- and 32-bit
// data, int64 data as word pairs), seeded random ones, an out-of-range index failing the run with the
// CPU's message, a tiny language-model head (input_ids -> embedding Gather -> + position embedding ->
// LayerNormalization -> MatMul) with no CPU fallback, input_ids reshaped first (an int64 view), and
// the QDQ embedding chain (DQ -> Gather -> Q), as exported and after the --integer rewrite.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { type DType, int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import {
  expectNear,
  expectSameTensor,
  oneNodeModel,
  pick,
  randInt,
  randomDims,
  rng,
} from '../unit/tensor-oracle.helper.js';
import { compareOnGpu } from './extra-ops.helper.js';
import { cpuError, type DataType, dataOf, indicesOf } from './gather.helper.js';
import { randomF32, sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

/** Gather(data, indices) with fed indices (data fed or an initializer) vs the CPU reference. */
async function gatherOnGpu(
  data: Tensor,
  indices: Tensor,
  axis: number,
  what: string,
  constData = false,
  opset = 13,
): Promise<void> {
  await compareOnGpu(
    {
      op: 'Gather',
      opset,
      inputs: [
        ['data', data],
        ['indices', indices],
      ],
      constants: constData ? ['data'] : [],
      outputs: [{ name: 'y', dtype: data.dtype }],
      attrs: { axis },
    },
    true,
    what,
  );
}

describe('Gather with run-time indices on the WebGPU executor: curated, exact', () => {
  // [name, data dtype, data dims, axis, index dtype, index dims, index values, data an initializer]
  const cases: [string, DataType, number[], number, 'int32' | 'int64', number[], number[], boolean][] = [
    ['axis 0, f32 [5,3], int64 [4]', 'float32', [5, 3], 0, 'int64', [4], [4, 0, 2, 2], false],
    ['axis 0, f32 [5,3], int32 [2,2]', 'float32', [5, 3], 0, 'int32', [2, 2], [1, 3, 0, 4], false],
    ['last axis, f32 [2,3,4], int64 [3]', 'float32', [2, 3, 4], 2, 'int64', [3], [3, 0, 1], false],
    ['axis -1, int32 [3,5], int32 [2,3]', 'int32', [3, 5], -1, 'int32', [2, 3], [4, 0, 1, 2, 3, 4], false],
    ['middle axis, f32 [2,4,3], int64 [2,2]', 'float32', [2, 4, 3], 1, 'int64', [2, 2], [3, 1, 0, 2], false],
    ['scalar index (rank drop), axis 0, f32 [4,3]', 'float32', [4, 3], 0, 'int64', [], [2], false],
    ['scalar index (rank drop), middle axis, int32', 'int32', [2, 5, 3], 1, 'int32', [], [-1], false],
    ['scalar index into 1-D data (rank-0 output)', 'float32', [6], 0, 'int64', [], [-6], false],
    ['negative indices, int64, axis 0', 'float32', [5, 2], 0, 'int64', [5], [-1, -5, 0, -3, 4], false],
    ['negative indices, int32, last axis', 'int32', [3, 4], 1, 'int32', [4], [-4, -1, -2, 3], false],
    ['uint8 data, axis 0, odd row length', 'uint8', [6, 3], 0, 'int64', [5], [5, 0, -1, 2, 3], false],
    ['uint8 data, last axis (byte by byte)', 'uint8', [3, 7], 1, 'int32', [5], [6, 0, 3, -7, 1], false],
    ['int8 data, middle axis, initializer', 'int8', [2, 5, 3], 1, 'int64', [3], [4, -5, 2], true],
    ['int8 data, scalar index, 7 elements out', 'int8', [3, 7], 0, 'int32', [], [1], false],
    ['bool data, last axis', 'bool', [2, 5], 1, 'int64', [3], [0, 4, 4], false],
    ['uint32 data, axis 0, initializer', 'uint32', [4, 2], 0, 'int32', [3], [3, 3, 0], true],
    ['one index repeated, int64 [1,1,1]', 'float32', [3, 2], 0, 'int64', [1, 1, 1], [-2], false],
    ['empty indices [0] (empty output)', 'float32', [3, 2], 1, 'int64', [0], [], false],
    ['int64 data (word pairs), last axis', 'int64', [3, 4], 1, 'int64', [2, 2], [3, -4, 0, 1], false],
    ['int64 data, axis 0, initializer, int32 indices', 'int64', [5, 2], 0, 'int32', [3], [4, -5, 2], true],
    ['int64 data, scalar index', 'int64', [2, 3, 2], 1, 'int64', [], [-1], false],
  ];
  for (const [name, dtype, dims, axis, itype, idims, values, constData] of cases) {
    it(name, async () => {
      const data = dataOf(rng(dims.length * 31 + values.length), dtype, dims);
      await gatherOnGpu(data, indicesOf(itype, idims, values), axis, name, constData);
    });
  }

  it('embedding lookup: [vocab 97, hidden 24] initializer x int64 input_ids [batch 3, seq 11]', async () => {
    const r = rng(5);
    for (const dtype of ['float32', 'int8'] as const) {
      const table = dataOf(r, dtype, [97, 24]);
      const ids = Array.from({ length: 33 }, () => randInt(r, 0, 96));
      ids[0] = 96;
      ids[1] = 0;
      await gatherOnGpu(table, int64Tensor([3, 11], ids), 0, `embedding ${dtype}`, true);
    }
  });

  it('int64 data with constant indices (the strided copy takes no word pairs: the run-time kernel does)', async () => {
    const data = dataOf(rng(12), 'int64', [4, 3]);
    await compareOnGpu(
      {
        op: 'Gather',
        opset: 13,
        inputs: [
          ['data', data],
          ['indices', int64Tensor([2], [-1, 2])],
        ],
        constants: ['indices'],
        outputs: [{ name: 'y', dtype: 'int64' }],
        attrs: { axis: 1 },
      },
      true,
      'int64 data, constant indices',
    );
  });

  it('opset 1 and 11 Gather (same meaning; negative indices from 11)', async () => {
    const data = dataOf(rng(8), 'float32', [4, 3]);
    await gatherOnGpu(data, int64Tensor([3], [3, 0, 1]), 0, 'opset 1', false, 1);
    await gatherOnGpu(data, int64Tensor([3], [-1, 0, 2]), 1, 'opset 11', false, 11);
  });
});

describe('Gather with run-time indices: seeded random, exact', () => {
  it('random dims, axes, dtypes (32- and 8-bit), int32 / int64 indices with negatives', async () => {
    const r = rng(2026);
    const dtypes: DataType[] = ['float32', 'int32', 'uint8', 'int8', 'uint32', 'bool', 'int64'];
    for (let k = 0; k < 24; k++) {
      const dims = randomDims(r, 1, 4, 5);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const dim = dims[axis < 0 ? axis + dims.length : axis];
      const idims = randomDims(r, 0, 3, 4);
      const n = idims.reduce((p, v) => p * v, 1);
      const values = Array.from({ length: n }, () => randInt(r, -dim, dim - 1));
      const dtype = dtypes[k % dtypes.length];
      const itype = pick(r, ['int32', 'int64'] as const);
      const what = `random ${k}: ${dtype} [${dims}] axis ${axis} ${itype} [${idims}]`;
      await gatherOnGpu(dataOf(r, dtype, dims), indicesOf(itype, idims, values), axis, what, k % 3 === 0);
    }
  });
});

describe('Gather with run-time indices: an out-of-range index fails the run as on the CPU', () => {
  // [name, data dims, axis, index dtype, index dims, values]: the first bad position is reported.
  const cases: [string, number[], number, 'int32' | 'int64', number[], number[]][] = [
    ['int64, dim past the end', [2, 3], 1, 'int64', [2, 2], [0, 1, 3, 0]],
    ['int64, below -dim', [2, 3], 1, 'int64', [2, 2], [0, -4, 1, 0]],
    ['int64, beyond int32 (2^32)', [2, 3], 0, 'int64', [3], [1, 2 ** 32, 0]],
    ['int64, -2^31 (fits int32, below -dim)', [2, 3], 0, 'int64', [2], [0, -(2 ** 31)]],
    ['int64, -2^40', [2, 3], 0, 'int64', [2], [-(2 ** 40), 0]],
    ['int32, the first of several bad ones', [4, 2], 0, 'int32', [5], [0, 1, 9, -7, 100]],
    ['int32 scalar index', [4, 2], 1, 'int32', [], [2]],
    ['empty output (inner dim 0) still checks', [3, 0], 0, 'int64', [2], [1, 3]],
  ];
  for (const [name, dims, axis, itype, idims, values] of cases) {
    it(name, async () => {
      const data = dataOf(rng(3), 'float32', dims);
      const model = oneNodeModel({
        op: 'Gather',
        opset: 13,
        inputs: [
          ['data', data],
          ['indices', indicesOf(itype, idims, values)],
        ],
        outputs: [{ name: 'y', dtype: 'float32' }],
        attrs: { axis },
      });
      const bad = new Map([
        ['data', data],
        ['indices', indicesOf(itype, idims, values)],
      ]);
      const want = cpuError(model, bad);
      expect(want, 'the CPU reference fails').toMatch(/out of range/);
      const executor = await WebGpuExecutor.create(decodeModel(model));
      try {
        await expect(executor.run(bad)).rejects.toThrow(want);
        // The error word is cleared each run: in-range indices now succeed.
        const good = new Map([
          ['data', data],
          [
            'indices',
            indicesOf(
              itype,
              idims,
              values.map(() => 0),
            ),
          ],
        ]);
        if (dims[axis] > 0) {
          const y = (await executor.run(good)).get('y')!;
          expectSameTensor(y, new CpuInterpreter(decodeModel(model)).runSync(good).get('y')!, name);
        }
        expect((await executor.summary()).cpuFallbacks).toEqual([]);
      } finally {
        executor.dispose();
      }
    });
  }
});

const V = 40;
const T = 6;
const B = 2;
const D = 16;
const O = 10;

/** Runs `model` on both executors with `feeds`: no CPU fallback on the GPU, outputs as the CPU's. */
async function compareModel(
  model: ReturnType<typeof decodeModel>,
  feeds: Map<string, Tensor>,
  out: string,
  exact: boolean,
): Promise<readonly string[]> {
  const want = new CpuInterpreter(model).runSync(feeds).get(out)!;
  const executor = await WebGpuExecutor.create(model);
  try {
    const got = (await executor.run(feeds)).get(out)!;
    if (exact) expectSameTensor(got, want, out);
    else expectNear(got, want, out);
    return (await executor.summary()).cpuFallbacks;
  } finally {
    executor.dispose();
  }
}

describe('a tiny language-model head in one submit', () => {
  it('input_ids int64 -> Gather(embedding) -> Add(position) -> LayerNormalization -> MatMul', async () => {
    const r = rng(77);
    const model = decodeModel(
      buildModel({
        opset: 17,
        inputs: [{ name: 'input_ids', dtype: 'int64', dims: [B, T] }],
        outputs: [{ name: 'logits', dtype: 'float32' }],
        initializers: {
          embedding: randomF32(r, [V, D]),
          position: randomF32(r, [T, D], 0.5),
          gamma: randomF32(r, [D]),
          beta: randomF32(r, [D], 0.1),
          w: randomF32(r, [D, O]),
        },
        nodes: [
          { op: 'Gather', inputs: ['embedding', 'input_ids'], outputs: ['tok'], attrs: { axis: 0 } },
          { op: 'Add', inputs: ['tok', 'position'], outputs: ['x'] },
          {
            op: 'LayerNormalization',
            inputs: ['x', 'gamma', 'beta'],
            outputs: ['h'],
            attrs: { axis: -1, epsilon: { float: 1e-5 } },
          },
          { op: 'MatMul', inputs: ['h', 'w'], outputs: ['logits'] },
        ],
      }),
    );
    const ids = int64Tensor(
      [B, T],
      Array.from({ length: B * T }, () => randInt(r, 0, V - 1)),
    );
    const fallbacks = await compareModel(model, new Map([['input_ids', ids]]), 'logits', false);
    expect(fallbacks).toEqual([]);
  });
});

describe('int64 input_ids reshaped before the embedding Gather stay on the GPU', () => {
  it('ids [B*T] -> Reshape [B,T] -> Gather(embedding); a CPU reader of the int64 view reads it back', async () => {
    const r = rng(78);
    const model = decodeModel(
      buildModel({
        opset: 13,
        inputs: [{ name: 'ids', dtype: 'int64', dims: [B * T] }],
        outputs: [
          { name: 'emb', dtype: 'float32' },
          { name: 'ids_f', dtype: 'float32' },
        ],
        initializers: { embedding: randomF32(r, [V, D]), shape: int64Tensor([2], [B, T]) },
        nodes: [
          { op: 'Reshape', inputs: ['ids', 'shape'], outputs: ['ids_bt'] },
          { op: 'Gather', inputs: ['embedding', 'ids_bt'], outputs: ['emb'], attrs: { axis: 0 } },
          // Cast from int64 has no GPU lowering: it reads the int64 view back from the GPU.
          { op: 'Cast', inputs: ['ids_bt'], outputs: ['ids_f'], attrs: { to: 1 } },
        ],
      }),
    );
    const ids = int64Tensor(
      [B * T],
      Array.from({ length: B * T }, () => randInt(r, -V, V - 1)),
    );
    const feeds = new Map([['ids', ids]]);
    const want = new CpuInterpreter(model).runSync(feeds);
    const executor = await WebGpuExecutor.create(model);
    try {
      const got = await executor.run(feeds);
      expectSameTensor(got.get('emb')!, want.get('emb')!, 'emb');
      expectSameTensor(got.get('ids_f')!, want.get('ids_f')!, 'ids_f');
      const s = await executor.summary();
      expect(s.cpuFallbacks.filter((f) => !f.startsWith('Cast '))).toEqual([]);
      expect(s.viewNodes).toBe(1);
    } finally {
      executor.dispose();
    }
  });
});

/**
 * 8-bit table -> DequantizeLinear -> Gather(input_ids) -> QuantizeLinear -> DequantizeLinear;
 * `exposeQ`: the quantized embedding is a graph output too.
 */
function qdqEmbedding(qtype: 'int8' | 'uint8', exposeQ = false): Uint8Array {
  const r = rng(qtype === 'int8' ? 41 : 42);
  const table = dataOf(r, qtype, [V, D]);
  const zp = makeTensor(qtype, [], [qtype === 'int8' ? -3 : 128]);
  return buildModel({
    opset: 13,
    inputs: [{ name: 'input_ids', dtype: 'int64', dims: [B, T] }],
    outputs: [{ name: 'y', dtype: 'float32' }, ...(exposeQ ? [{ name: 'emb_q', dtype: qtype }] : [])],
    initializers: { table, scale: makeTensor('float32', [], [0.05]), zp },
    nodes: [
      { op: 'DequantizeLinear', inputs: ['table', 'scale', 'zp'], outputs: ['table_f'] },
      { op: 'Gather', inputs: ['table_f', 'input_ids'], outputs: ['emb'], attrs: { axis: 0 } },
      { op: 'QuantizeLinear', inputs: ['emb', 'scale', 'zp'], outputs: ['emb_q'] },
      { op: 'DequantizeLinear', inputs: ['emb_q', 'scale', 'zp'], outputs: ['y'] },
    ],
  });
}

describe('the QDQ embedding chain (onnxruntime QDQ export) with run-time input_ids', () => {
  for (const qtype of ['int8', 'uint8'] as const) {
    it(`${qtype}: as exported (float Gather) and after --integer (8-bit Gather), exact`, async () => {
      const r = rng(9);
      const ids = int64Tensor(
        [B, T],
        Array.from({ length: B * T }, () => randInt(r, -V, V - 1)),
      );
      const feeds = new Map([['input_ids', ids]]);
      const exported = decodeModel(qdqEmbedding(qtype));
      expect(await compareModel(exported, feeds, 'y', true)).toEqual([]);
      const fused = fuseQdqForIntegerExecution(exported);
      const gathers = fused.graph.nodes.filter((n) => n.opType === 'Gather');
      expect(gathers.length).toBe(1);
      // uint8: the rewrite dropped the Q/DQ around the Gather, which now reads the 8-bit table. int8:
      // onnxruntime's x86 s8->u8 conversion turns the activation's Q/DQ to uint8 but not the
      // weight's DQ, so the types differ and the Gather stays float (as onnxruntime leaves it).
      const table: DType | undefined = fused.graph.initializers.get(gathers[0].inputs[0])?.dtype;
      expect(table).toBe(qtype === 'uint8' ? 'uint8' : undefined);
      expect(await compareModel(fused, feeds, 'y', true)).toEqual([]);
    });
  }

  it('int8 with the quantized embedding a graph output (no s8->u8 pair): --integer makes an int8 Gather', async () => {
    const r = rng(10);
    const ids = int64Tensor(
      [B, T],
      Array.from({ length: B * T }, () => randInt(r, -V, V - 1)),
    );
    const feeds = new Map([['input_ids', ids]]);
    const fused = fuseQdqForIntegerExecution(decodeModel(qdqEmbedding('int8', true)));
    const gathers = fused.graph.nodes.filter((n) => n.opType === 'Gather');
    expect(gathers.map((n) => fused.graph.initializers.get(n.inputs[0])?.dtype)).toEqual(['int8']);
    expect(await compareModel(fused, feeds, 'emb_q', true)).toEqual([]);
    expect(await compareModel(fused, feeds, 'y', true)).toEqual([]);
  });
});
