// The WebGPU executor on the ops this branch opened: bfloat16 through float32 (comparisons,
// ArgMax, GlobalMaxPool, NonZero, Pad's fill, MatMul, Add ...) or step by step (Softmax,
// Attention, Sigmoid, reductions ...), Cast to FLOAT8E8M0, STFT and MelWeightMatrix. Whatever
// runs where (GPU kernel or CPU fallback), the outputs must equal the CPU interpreter's bit for
// bit, and no narrow-type node may run on the GPU on its codes.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { castRef } from '../../kernels/shape-ops/cast.ref.js';
import { type DType, int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { type AttrInput, buildModel } from '../helpers/onnx-builder.js';
import { randomFloats } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const r = rng(16);
const bf = (dims: number[]) => {
  const t = castRef(
    makeTensor(
      'float32',
      dims,
      randomFloats(
        r,
        dims.reduce((a, b) => a * b, 1),
        -2,
        2,
      ),
    ),
    'bfloat16',
  );
  (t.data as Uint16Array)[0] = 0x8000; // -0
  return t;
};

interface Case {
  op: string;
  opset: number;
  inputs: Array<[string, Tensor]>;
  out: DType;
  attrs?: Record<string, AttrInput>;
}

const x = bf([2, 3, 4, 5]);
const y = bf([2, 3, 4, 5]);
const cases: Case[] = [
  {
    op: 'Less',
    opset: 13,
    inputs: [
      ['a', x],
      ['b', y],
    ],
    out: 'bool',
  },
  {
    op: 'Equal',
    opset: 13,
    inputs: [
      ['a', x],
      ['b', x],
    ],
    out: 'bool',
  },
  { op: 'ArgMax', opset: 13, inputs: [['a', x]], out: 'int64', attrs: { axis: 3 } },
  { op: 'GlobalMaxPool', opset: 1, inputs: [['a', x]], out: 'bfloat16' },
  { op: 'NonZero', opset: 13, inputs: [['a', x]], out: 'int64' },
  { op: 'Unique', opset: 11, inputs: [['a', x]], out: 'bfloat16' },
  {
    op: 'Add',
    opset: 14,
    inputs: [
      ['a', x],
      ['b', y],
    ],
    out: 'bfloat16',
  },
  { op: 'Relu', opset: 14, inputs: [['a', x]], out: 'bfloat16' },
  { op: 'Softmax', opset: 13, inputs: [['a', x]], out: 'bfloat16', attrs: { axis: 2 } },
  { op: 'Sigmoid', opset: 13, inputs: [['a', x]], out: 'bfloat16' },
  { op: 'LeakyRelu', opset: 16, inputs: [['a', x]], out: 'bfloat16', attrs: { alpha: 0.3 } },
  {
    op: 'ReduceSum',
    opset: 13,
    inputs: [
      ['a', x],
      ['axes', int64Tensor([1], [1])],
    ],
    out: 'bfloat16',
  },
  { op: 'ReduceMean', opset: 18, inputs: [['a', x]], out: 'bfloat16', attrs: { keepdims: 0 } },
  {
    op: 'Sum',
    opset: 13,
    inputs: [
      ['a', x],
      ['b', y],
    ],
    out: 'bfloat16',
  },
  {
    op: 'Greater',
    opset: 13,
    inputs: [
      ['a', x],
      ['b', y],
    ],
    out: 'bool',
  },
  {
    op: 'Attention',
    opset: 23,
    inputs: [
      ['q', bf([1, 2, 3, 4])],
      ['k', bf([1, 2, 5, 4])],
      ['v', bf([1, 2, 5, 4])],
    ],
    out: 'bfloat16',
    attrs: { is_causal: 1 },
  },
  {
    op: 'MatMul',
    opset: 13,
    inputs: [
      ['a', x],
      ['b', bf([5, 3])],
    ],
    out: 'bfloat16',
  },
  {
    op: 'Pad',
    opset: 13,
    inputs: [
      ['a', x],
      ['p', int64Tensor([8], [0, 0, 1, 0, 0, 0, 0, 2])],
      ['v', castRef(makeTensor('float32', [], [0.75]), 'bfloat16')],
    ],
    out: 'bfloat16',
  },
  {
    op: 'Cast',
    opset: 24,
    inputs: [['a', makeTensor('float32', [6], [0, -3, 1.5, 2 ** -130, Number.NaN, 3e38])]],
    out: 'float8e8m0',
    attrs: { to: 24, round_mode: 'nearest' },
  },
  {
    op: 'STFT',
    opset: 17,
    inputs: [
      ['s', makeTensor('float32', [1, 32, 1], randomFloats(r, 32, -1, 1))],
      ['step', int64Tensor([], [5])],
      ['', undefined as unknown as Tensor],
      ['len', int64Tensor([], [8])],
    ],
    out: 'float32',
  },
  {
    op: 'MelWeightMatrix',
    opset: 17,
    inputs: [
      ['n', int64Tensor([], [6])],
      ['d', int64Tensor([], [64])],
      ['sr', int64Tensor([], [16000])],
      ['lo', makeTensor('float32', [], [100])],
      ['hi', makeTensor('float32', [], [7000])],
    ],
    out: 'float32',
  },
];

describe('bfloat16 / FLOAT8E8M0 / STFT on the WebGPU executor', () => {
  for (const c of cases)
    it(`${c.op} equals the CPU interpreter`, async () => {
      await gpu();
      const given = c.inputs.filter(([n]) => n !== '');
      const model = decodeModel(
        buildModel({
          opset: c.opset,
          inputs: given.map(([name, t]) => ({ name, dtype: t.dtype, dims: [...t.dims] })),
          outputs: [{ name: 'y', dtype: c.out }],
          initializers: {},
          nodes: [{ op: c.op, inputs: c.inputs.map(([n]) => n), outputs: ['y'], attrs: c.attrs }],
        }),
      );
      const feeds = new Map(given);
      const want = new CpuInterpreter(model).runSync(feeds).get('y')!;
      const exec = await WebGpuExecutor.create(model);
      try {
        const got = (await exec.run(feeds)).get('y')!;
        expect(got.dtype).toBe(want.dtype);
        expect([...got.dims]).toEqual([...want.dims]);
        expect(Array.from(got.data as ArrayLike<number | bigint>)).toEqual(
          Array.from(want.data as ArrayLike<number | bigint>),
        );
      } finally {
        exec.dispose();
      }
    });
});
