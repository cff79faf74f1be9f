// The graph view's folding: Constant weights and shape-computation chains are not drawn but
// belong to their consumer; the summary counts Constant weights as parameters.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { foldGraph } from '../../app/model/graph-folding.js';
import type { ValueInfo } from '../../app/model/ir.js';
import { inferShapes } from '../../app/model/shape-inference.js';
import { summarizeModel } from '../../app/model/summary.js';
import { int64Tensor, makeTensor } from '../../kernels/tensor.js';
import { model } from './shape-inference.helper.js';

// x -> Conv(W from a Constant) -> y1; Shape(y1) -> Gather -> Unsqueeze -> Concat -> Reshape's shape.
const ocrLike = model({
  inputs: [['x', 'float32', ['N', 1, 8, 8]]],
  init: { idx: int64Tensor([], [0]), minus1: int64Tensor([1], [-1]) },
  nodes: [
    { op: 'Constant', in: [], out: ['W'], attrs: { value: makeTensor('float32', [4, 1, 3, 3]) }, name: 'cw' },
    { op: 'Constant', in: [], out: ['B'], attrs: { value: makeTensor('float32', [4]) }, name: 'cb' },
    { op: 'Conv', in: ['x', 'W', 'B'], out: ['y1'], name: 'conv' },
    { op: 'Shape', in: ['y1'], out: ['s'], name: 'shape' },
    { op: 'Gather', in: ['s', 'idx'], out: ['n'], attrs: { axis: 0 }, name: 'gather' },
    { op: 'Unsqueeze', in: ['n'], out: ['n1'], attrs: { axes: [0] }, name: 'unsq' },
    { op: 'Concat', in: ['n1', 'minus1'], out: ['shp'], attrs: { axis: 0 }, name: 'concat' },
    // A dead constant chain with nothing drawn after it stays drawn.
    { op: 'Constant', in: [], out: ['dead'], attrs: { value: int64Tensor([2], [1, 2]) }, name: 'dead' },
    { op: 'Reshape', in: ['y1', 'shp'], out: ['y'], name: 'reshape' },
  ],
  opset: 11,
});

function dtypes(m: typeof ocrLike): Map<string, ValueInfo> {
  const r = inferShapes(m, { bindings: { N: 1 } });
  return new Map([...r.values].map(([name, v]) => [name, { name, dtype: v.dtype, dims: v.dims }]));
}

describe('foldGraph', () => {
  const f = foldGraph(ocrLike.graph, dtypes(ocrLike));
  const names = (idx: readonly number[] | undefined) => (idx ?? []).map((i) => ocrLike.graph.nodes[i].name);
  it('hides Constant weights and the shape chain, each inside its drawn consumer', () => {
    expect(names([...f.hidden].sort((a, b) => a - b))).toEqual([
      'cw',
      'cb',
      'shape',
      'gather',
      'unsq',
      'concat',
    ]);
    expect(names(f.foldedInto.get(2))).toEqual(['cw', 'cb']);
    expect(names(f.foldedInto.get(8))).toEqual(['shape', 'gather', 'unsq', 'concat']);
    expect(ocrLike.graph.nodes[f.hostOf.get(3)!].name).toBe('reshape');
    expect(f.constantNode.get('W')?.name).toBe('cw');
  });
  it('keeps drawn what has no drawn consumer, and whatever produces a graph output', () => {
    expect(ocrLike.graph.outputs.map((o) => o.name)).toEqual(['y']);
    expect(f.hidden.has(7)).toBe(false);
    const out = model({
      nodes: [{ op: 'Constant', in: [], out: ['y'], attrs: { value: makeTensor('float32', [2]) } }],
    });
    expect(foldGraph(out.graph).hidden.size).toBe(0);
  });
  it('keeps float math on weights drawn (a Reshape of a dense weight, as in mnist-8)', () => {
    const m = model({
      inputs: [['x', 'float32', [1, 4]]],
      init: { w: makeTensor('float32', [2, 2, 2]), s: int64Tensor([2], [4, 2]) },
      nodes: [
        { op: 'Reshape', in: ['w', 's'], out: ['w2'], name: 'wr' },
        { op: 'MatMul', in: ['x', 'w2'], out: ['y'], name: 'mm' },
      ],
    });
    expect(foldGraph(m.graph, dtypes(m)).hidden.size).toBe(0);
  });
  it('folds the shape chain from the ops alone when shape inference gave no dtypes', () => {
    expect(names([...foldGraph(ocrLike.graph).hidden].sort((a, b) => a - b))).toEqual([
      'cw',
      'cb',
      'shape',
      'gather',
      'unsq',
      'concat',
    ]);
  });
  it('without dtypes, a Cast to float stops the fold', () => {
    const m = model({
      inputs: [['x', 'float32', [1, 4]]],
      nodes: [
        { op: 'Shape', in: ['x'], out: ['s'], name: 'shape' },
        { op: 'Cast', in: ['s'], out: ['f'], attrs: { to: 1 }, name: 'cast' },
        { op: 'Add', in: ['x', 'f'], out: ['y'], name: 'add' },
      ],
    });
    expect([...foldGraph(m.graph).hidden].map((i) => m.graph.nodes[i].name)).toEqual(['shape']);
  });
});

describe('summarizeModel with Constant weights', () => {
  it('counts Constant tensors as parameters with their bytes', () => {
    const s = summarizeModel(ocrLike);
    expect(s.constantCount).toBe(3);
    expect(s.parameterCount).toBe(1 + 1 + 36 + 4 + 2);
    expect(s.initializerBytes + s.constantBytes).toBe(8 + 8 + 36 * 4 + 4 * 4 + 2 * 8);
  });
});

describe('a PyTorch export with Constant nodes (mlp-batchnorm-pytorch.onnx)', () => {
  const m = decodeModel(
    readFileSync(new URL('../fixtures/models/mlp-batchnorm-pytorch.onnx', import.meta.url)),
  );
  it('folds its Constants into their consumers and counts them as parameters', () => {
    const f = foldGraph(m.graph);
    const constants = m.graph.nodes.filter((n) => n.opType === 'Constant');
    expect(constants.length).toBe(4);
    expect(f.hidden.size).toBe(4);
    for (const i of f.hidden) expect(f.hostOf.has(i)).toBe(true);
    const s = summarizeModel(m);
    let initializers = 0;
    for (const t of m.graph.initializers.values()) initializers += t.data.length;
    expect(s.constantCount).toBe(4);
    expect(s.parameterCount).toBeGreaterThan(initializers);
  });
});
