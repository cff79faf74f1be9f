// Shapes that depend on values computed at run time: reduction axes, Resize scales, a Reshape's
// shape and Pad's pads fed as graph inputs or computed from a Shape -> Gather -> Concat chain. The
// WebGPU executor computes those small values from each run's inputs on the CPU reference and
// plans with them (one plan per set of values): two runs with different values in one executor
// both equal the CPU interpreter, and the heavy nodes run on the GPU (no CPU fallback).
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel, type ModelSpec } from '../helpers/onnx-builder.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

const floats = (dims: number[], seed: number) =>
  makeTensor(
    'float32',
    dims,
    Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.7 + seed) * 4),
  );

async function twoRuns(spec: ModelSpec, runs: Array<Record<string, Tensor>>, gpuOps: string[]) {
  const model = decodeModel(buildModel(spec));
  const gpu = await WebGpuExecutor.create(model);
  try {
    for (const feedsObj of runs) {
      const feeds = new Map(Object.entries(feedsObj));
      const want = new CpuInterpreter(model).runSync(feeds);
      const got = await gpu.run(feeds);
      for (const [name, t] of want) {
        expect([...got.get(name)!.dims], name).toEqual([...t.dims]);
        const a = got.get(name)!.data as Float32Array;
        const b = t.data as Float32Array;
        for (let i = 0; i < b.length; i++)
          expect(Math.abs(a[i] - b[i]), `${name}[${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b[i])));
      }
      const { cpuFallbacks } = await gpu.summary();
      for (const op of gpuOps)
        expect(
          cpuFallbacks.filter((f) => f.startsWith(`${op} `)),
          op,
        ).toEqual([]);
    }
    expect(gpu.planCount).toBe(runs.length);
  } finally {
    gpu.dispose();
  }
}

describe('WebGPU plans from values computed at run time', () => {
  it('ReduceSum with its axes fed as an input', async () => {
    await twoRuns(
      {
        opset: 18,
        inputs: [
          { name: 'x', dtype: 'float32', dims: [3, 4, 5] },
          { name: 'axes', dtype: 'int64', dims: [1] },
        ],
        outputs: [{ name: 'y', dtype: 'float32' }],
        nodes: [{ op: 'ReduceSum', inputs: ['x', 'axes'], outputs: ['y'], attrs: { keepdims: 0 } }],
      },
      [
        { x: floats([3, 4, 5], 1), axes: int64Tensor([1], [1]) },
        { x: floats([3, 4, 5], 2), axes: int64Tensor([1], [-1]) },
      ],
      ['ReduceSum'],
    );
  });

  it('Resize with scales fed as an input (linear and nearest)', async () => {
    for (const mode of ['linear', 'nearest'])
      await twoRuns(
        {
          opset: 13,
          inputs: [
            { name: 'x', dtype: 'float32', dims: [1, 2, 4, 5] },
            { name: 'scales', dtype: 'float32', dims: [4] },
          ],
          outputs: [{ name: 'y', dtype: 'float32' }],
          nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attrs: { mode } }],
        },
        [
          { x: floats([1, 2, 4, 5], 3), scales: makeTensor('float32', [4], [1, 1, 2, 2]) },
          { x: floats([1, 2, 4, 5], 4), scales: makeTensor('float32', [4], [1, 1, 0.5, 1.5]) },
        ],
        ['Resize'],
      );
  });

  it('Reshape and Pad whose shape / pads come from a Shape -> Gather -> Concat chain of another input', async () => {
    const spec: ModelSpec = {
      opset: 13,
      inputs: [
        { name: 'x', dtype: 'float32', dims: [2, 12] },
        { name: 'like', dtype: 'float32', dims: ['A', 'B'] },
      ],
      outputs: [{ name: 'y', dtype: 'float32' }],
      initializers: {
        i0: int64Tensor([1], [0]),
        i1: int64Tensor([1], [1]),
        minus1: int64Tensor([1], [-1]),
        zeros: int64Tensor([2], [0, 0]),
      },
      nodes: [
        { op: 'Shape', inputs: ['like'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'i0'], outputs: ['a'] },
        { op: 'Concat', inputs: ['a', 'minus1'], outputs: ['shape'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
        { op: 'Gather', inputs: ['s', 'i1'], outputs: ['b'] },
        { op: 'Concat', inputs: ['zeros', 'a', 'b'], outputs: ['pads'], attrs: { axis: 0 } },
        { op: 'Pad', inputs: ['r', 'pads'], outputs: ['p'] },
        { op: 'Relu', inputs: ['p'], outputs: ['y'] },
      ],
    };
    await twoRuns(
      spec,
      [
        { x: floats([2, 12], 5), like: floats([3, 1], 0) },
        { x: floats([2, 12], 6), like: floats([4, 2], 0) },
      ],
      ['Relu'],
    );
  });
});
