// The model summary behind `qplay inspect` and the page's model panel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { inferShapes } from '../../app/model/shape-inference.js';
import { summarizeModel } from '../../app/model/summary.js';
import { int64Tensor, makeTensor } from '../../kernels/tensor.js';
import { model } from './shape-inference.helper.js';

const small = model({
  inputs: [['x', 'float32', ['batch', 3]]],
  init: { w: makeTensor('float32', [3, 2]), q: makeTensor('int8', [4]), s: int64Tensor([2], [-1, 2]) },
  nodes: [
    { op: 'MatMul', in: ['x', 'w'], out: ['a'], name: 'mm' },
    { op: 'Relu', in: ['a'], out: ['b'], name: 'r1' },
    { op: 'Relu', in: ['b'], out: ['c'], name: 'r2' },
    { op: 'QLinearSigmoid', in: ['c', '', '', '', ''], out: ['d'], domain: 'com.microsoft', name: 'qs' },
    { op: 'Reshape', in: ['c', 's'], out: ['y'], name: 'rs' },
  ],
});

describe('summarizeModel', () => {
  it('counts parameters and bytes over initializers of every dtype', () => {
    const s = summarizeModel(small);
    expect(s.parameterCount).toBe(6 + 4 + 2);
    expect(s.initializerBytes).toBe(6 * 4 + 4 * 1 + 2 * 8);
    expect(s.initializerCount).toBe(3);
    expect(s.nodeCount).toBe(5);
    expect(s.format).toBe('ONNX');
  });

  it('sorts op counts by frequency, then domain and name; opsets name ai.onnx and com.microsoft', () => {
    const s = summarizeModel(small);
    expect(s.opCounts).toEqual([
      { opType: 'Relu', domain: '', count: 2 },
      { opType: 'MatMul', domain: '', count: 1 },
      { opType: 'Reshape', domain: '', count: 1 },
      { opType: 'QLinearSigmoid', domain: 'com.microsoft', count: 1 },
    ]);
    expect(s.opsets).toEqual([
      { domain: 'ai.onnx', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ]);
  });

  it('keeps symbolic input shapes and adds the inferred ones when shapes are given', () => {
    expect(summarizeModel(small).inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['batch', 3] }]);
    const shaped = model({
      inputs: [['x', 'float32', ['batch', 3]]],
      init: { w: makeTensor('float32', [3, 2]) },
      nodes: [{ op: 'MatMul', in: ['x', 'w'], out: ['y'] }],
    });
    const s = summarizeModel(shaped, inferShapes(shaped, { bindings: { batch: 4 } }));
    expect(s.inputs[0]).toEqual({ name: 'x', dtype: 'float32', shape: ['batch', 3], inferredShape: [4, 3] });
    // The output's type is not declared: the inferred one fills in.
    expect(s.outputs[0]).toEqual({ name: 'y', dtype: 'float32', shape: null, inferredShape: [4, 2] });
    expect(s.symbolicDims).toEqual(['batch']);
  });

  it('lists unsupported ops with their nodes, by the caller’s notion of support', () => {
    const onlyRelu = (domain: string, op: string) => domain === '' && op === 'Relu';
    expect(summarizeModel(small, undefined, onlyRelu).unsupported).toEqual([
      { opType: 'MatMul', domain: '', nodes: ['mm'] },
      { opType: 'QLinearSigmoid', domain: 'com.microsoft', nodes: ['qs'] },
      { opType: 'Reshape', domain: '', nodes: ['rs'] },
    ]);
    expect(summarizeModel(small).unsupported).toEqual([]);
    const odd = model({
      inputs: [['x', 'float32', [2]]],
      nodes: [{ op: 'Frobnicate', in: ['x'], out: ['y'], name: 'f1' }],
    });
    expect(summarizeModel(odd).unsupported).toEqual([{ opType: 'Frobnicate', domain: '', nodes: ['f1'] }]);
  });

  it('summarizes a real quantized model', () => {
    const m = decodeModel(
      new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/models/mnist-8-integer-ops.onnx'))),
    );
    const s = summarizeModel(m, inferShapes(m));
    expect(s.irVersion).toBe(m.irVersion);
    expect(s.opCounts.map((o) => o.count)).toEqual([...s.opCounts.map((o) => o.count)].sort((a, b) => b - a));
    expect(s.opCounts.reduce((n, o) => n + o.count, 0)).toBe(m.graph.nodes.length);
    expect(s.opCounts.map((o) => o.opType)).toEqual(
      expect.arrayContaining(['ConvInteger', 'MatMulInteger', 'QuantizeLinear']),
    );
    expect(s.inputs[0].inferredShape).toEqual([1, 1, 28, 28]);
    expect(s.outputs[0].inferredShape).toEqual([1, 10]);
    expect(s.parameterCount).toBeGreaterThan(5000);
  });
});
