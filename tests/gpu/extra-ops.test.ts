// The reduction-family lowerings of app/exec/webgpu/lower-extra.ts (and Sum in lower-table.ts) on
// the WebGPU executor against the CPU reference, each node on a GPU kernel: ReduceMean (bit-exact:
// onnxruntime's f32 order replayed), Sum (bit-exact left fold), ArgMax / ArgMin (int64 indices
// kept on the GPU, exact) and Hardmax (exact).
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import {
  expectSameTensor,
  type OneNode,
  randInt,
  randomDims,
  randomTensor,
  rng,
} from '../unit/tensor-oracle.helper.js';
import { compareOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

describe('ReduceMean on the WebGPU executor', () => {
  it('axes as an attribute (opset 13) and as a constant input (opset 18), keepdims 0/1, noop', async () => {
    const r = rng(31);
    for (let k = 0; k < 24; k++) {
      const dims = [...randomDims(r, 1, 4, 7)];
      const rank = dims.length;
      const axes = [...dims.keys()].filter(() => r() < 0.5).map((a) => (r() < 0.5 ? a - rank : a));
      const keepdims = randInt(r, 0, 1);
      const x = randomTensor(r, 'float32', dims, -50, 50);
      const xs = x.data as Float32Array;
      if (k % 5 === 1) xs[0] = Number.NaN;
      if (k % 5 === 2) xs.fill(-0);
      const opset = k % 2 ? 18 : 13;
      const noop = opset === 18 && axes.length === 0 && k % 4 === 1;
      const c: OneNode =
        opset === 13
          ? {
              op: 'ReduceMean',
              opset,
              inputs: [['x', x]],
              outputs: [{ name: 'y', dtype: 'float32' }],
              attrs: axes.length ? { axes, keepdims } : { keepdims },
            }
          : {
              op: 'ReduceMean',
              opset,
              inputs: [
                ['x', x],
                ['axes', axes.length ? int64Tensor([axes.length], axes) : undefined],
              ],
              constants: ['axes'],
              outputs: [{ name: 'y', dtype: 'float32' }],
              attrs: { keepdims, noop_with_empty_axes: noop ? 1 : 0 },
            };
      await compareOnGpu(c, true, `ReduceMean opset ${opset} [${dims}] axes [${axes}] keepdims ${keepdims}`);
    }
  });

  it('a global mean (Eigen packets with a tail) and a rank-0 input', async () => {
    const x = randomTensor(rng(5), 'float32', [3, 7, 5], -1000, 1000);
    await compareOnGpu(
      { op: 'ReduceMean', opset: 13, inputs: [['x', x]], outputs: [{ name: 'y', dtype: 'float32' }] },
      true,
      'global ReduceMean',
    );
    await compareOnGpu(
      {
        op: 'ReduceMean',
        opset: 13,
        inputs: [['x', makeTensor('float32', [], [-0])]],
        outputs: [{ name: 'y', dtype: 'float32' }],
      },
      true,
      'rank-0 ReduceMean',
    );
  });
});

describe('Sum on the WebGPU executor', () => {
  it('1 to 4 float32 inputs with broadcasting, NaN / inf / -0: bit-exact left fold', async () => {
    const r = rng(41);
    for (let k = 0; k < 16; k++) {
      const n = 1 + (k % 4);
      const out = randomDims(r, 1, 4, 5);
      const inputs: [string, Tensor][] = Array.from({ length: n }, (_, i) => {
        // Each input keeps a suffix of the output dims, some of them 1 (broadcast).
        const dims = out.slice(randInt(r, 0, out.length - 1)).map((d) => (r() < 0.3 ? 1 : d));
        const t = randomTensor(r, 'float32', dims, -1e3, 1e3);
        const xs = t.data as Float32Array;
        if (k === 3 && i === 1) xs[0] = Number.NaN;
        if (k === 5) xs[0] = i % 2 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        if (k === 7) xs.fill(-0);
        return [`x${i}`, t];
      });
      await compareOnGpu(
        { op: 'Sum', opset: k % 3 ? 13 : 8, inputs, outputs: [{ name: 'y', dtype: 'float32' }] },
        true,
        `Sum of ${n} [${inputs.map(([, t]) => `[${t.dims}]`).join(' ')}]`,
      );
    }
  });
});

describe('ArgMax / ArgMin on the WebGPU executor (int64 indices, exact)', () => {
  const argCase = (
    op: 'ArgMax' | 'ArgMin',
    x: Tensor,
    axis: number,
    keepdims: number,
    last: number,
    opset = 13,
  ): OneNode => ({
    op,
    opset,
    inputs: [['x', x]],
    outputs: [{ name: 'y', dtype: 'int64' }],
    attrs: opset >= 12 ? { axis, keepdims, select_last_index: last } : { axis, keepdims },
  });

  it('ties (first and last index), NaN first and later, -0 against +0, infinities', async () => {
    const nan = Number.NaN;
    const inf = Number.POSITIVE_INFINITY;
    const rows = [
      [1, 3, 3, 2, 3],
      [nan, 5, 7, 7, 1],
      [2, nan, 9, 9, -1],
      [-0, 0, -0, 0, -1],
      [-inf, -inf, inf, inf, -inf],
      [0.5, 0.5, 0.5, 0.5, 0.5],
      [1e-45, 0, -1e-45, 1e-45, -0], // subnormals compare by value, not flushed
    ];
    const x = makeTensor('float32', [rows.length, 5], rows.flat());
    for (const op of ['ArgMax', 'ArgMin'] as const)
      for (const last of [0, 1])
        for (const [axis, keepdims] of [
          [1, 1],
          [-1, 0],
          [0, 1],
        ])
          await compareOnGpu(argCase(op, x, axis, keepdims, last), true, `${op} axis ${axis} last ${last}`);
  });

  it('seeded random f32 / int32 tensors with many ties, every axis, opsets 11 to 13', async () => {
    const r = rng(53);
    for (let k = 0; k < 24; k++) {
      const dims = randomDims(r, 1, 4, 7);
      const dtype = k % 3 === 2 ? 'int32' : 'float32';
      const x = randomTensor(r, dtype, dims, -3, 3);
      if (dtype === 'float32')
        for (let i = 0; i < x.data.length; i++) x.data[i] = Math.round(x.data[i] as number);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const opset = [11, 12, 13][k % 3];
      await compareOnGpu(
        argCase(k % 2 ? 'ArgMin' : 'ArgMax', x, axis, randInt(r, 0, 1), randInt(r, 0, 1), opset),
        true,
        `arg ${dtype} [${dims}] axis ${axis} opset ${opset}`,
      );
    }
  });
});

describe('int64 indices kept on the GPU', () => {
  it('ArgMax feeding a CPU node (Cast to float) and a view (Reshape): read back correctly', async () => {
    const x = randomTensor(rng(9), 'float32', [3, 6, 5], -9, 9);
    const model = decodeModel(
      buildModel({
        opset: 13,
        inputs: [{ name: 'x', dtype: 'float32', dims: [3, 6, 5] }],
        outputs: [
          { name: 'i', dtype: 'int64' },
          { name: 'f', dtype: 'float32' },
          { name: 'r', dtype: 'int64' },
        ],
        initializers: { shape: int64Tensor([1], [-1]) },
        nodes: [
          { op: 'ArgMax', inputs: ['x'], outputs: ['i'], attrs: { axis: 1, keepdims: 0 } },
          { op: 'Cast', inputs: ['i'], outputs: ['f'], attrs: { to: 1 } },
          { op: 'Reshape', inputs: ['i', 'shape'], outputs: ['r'] },
        ],
      }),
    );
    const gpuExec = await WebGpuExecutor.create(model);
    try {
      const feeds = new Map([['x', x]]);
      const ours = await gpuExec.run(feeds);
      const want = await new CpuInterpreter(model).run(feeds);
      for (const name of ['i', 'f', 'r']) expectSameTensor(ours.get(name)!, want.get(name)!, name);
      const { cpuFallbacks } = await gpuExec.summary();
      expect(cpuFallbacks.some((f) => f.startsWith('ArgMax'))).toBe(false);
    } finally {
      gpuExec.dispose();
    }
  });
});

describe('Hardmax (float32) on the WebGPU executor: exact', () => {
  it('ties (first wins), NaN first and later, opset 11 (2-D coercion, axis = rank) and 13', async () => {
    const nan = Number.NaN;
    const x = makeTensor(
      'float32',
      [2, 3, 5],
      [1, 3, 3, 2, 0, nan, 5, 7, 7, 1, 2, nan, 9, 9, -1, -0, 0, -0, 0, -1, 4, 4, 4, 4, 4, -9, -8, -7, -8, -9],
    );
    for (const [opset, axis] of [
      [13, -1],
      [13, 0],
      [13, 1],
      [11, 1],
      [11, 0],
      [11, 3],
      [11, -1],
    ])
      await compareOnGpu(
        {
          op: 'Hardmax',
          opset,
          inputs: [['x', x]],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { axis },
        },
        true,
        `Hardmax opset ${opset} axis ${axis}`,
      );
    const r = rng(81);
    for (let k = 0; k < 10; k++) {
      const dims = randomDims(r, 1, 4, 6);
      const t = randomTensor(r, 'float32', dims, -2, 2);
      const xs = t.data as Float32Array;
      for (let i = 0; i < xs.length; i++) xs[i] = Math.round(xs[i]);
      const opset = k % 2 ? 13 : 11;
      const axis = randInt(r, -dims.length, dims.length - 1);
      await compareOnGpu(
        {
          op: 'Hardmax',
          opset,
          inputs: [['x', t]],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { axis },
        },
        true,
        `Hardmax opset ${opset} [${dims}] axis ${axis}`,
      );
    }
  });
});
