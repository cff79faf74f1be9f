// The page's store without a browser: loading rules (bad files keep the model), node details,
// run outputs, and the small numeric helpers the panels show.
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { int64Tensor, makeTensor } from '../../kernels/tensor.js';
import { decodeModel } from '../../app/model/decode.js';
import { loadModelBytes } from '../../app/store/actions-model.js';
import { runModel, setInputChoice } from '../../app/store/actions-run.js';
import { describeNode, modelShapes } from '../../app/store/model-views.js';
import { oneLine } from '../../app/store/one-line.js';
import { randomFeeds, seededRandom } from '../../app/store/sample-input.js';
import { getState, idleRun, setState } from '../../app/store/store.js';
import { argmax, tensorStats, topK } from '../../app/store/tensor-stats.js';
import { layoutGraph } from '../../app/ui/graph-layout.js';
import { buildModel } from '../helpers/onnx-builder.js';

const MODELS = new URL('../fixtures/models', import.meta.url).pathname;
const mnist = new Uint8Array(readFileSync(`${MODELS}/mnist-8.onnx`));

function unsupportedModel(): Uint8Array {
  return buildModel({
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 4] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4] }],
    nodes: [{ op: 'FrobnicateXYZ', name: 'mystery', inputs: ['x'], outputs: ['y'] }],
  });
}

describe('loading', () => {
  beforeEach(() => setState({ modelId: null, summary: null, notice: null, unsupported: null, run: idleRun }));

  it('loads mnist-8 and summarizes it', () => {
    expect(loadModelBytes('mnist-8.onnx', mnist)).toBe(true);
    const s = getState().summary!;
    expect(s.nodeCount).toBe(12);
    expect(s.parameterCount).toBe(5998);
    expect(s.producer).toBe('CNTK 2.5.1');
    expect(getState().acceptsDigits).toBe(true);
  });

  it.each([
    ['empty', new Uint8Array(0)],
    ['junk', new Uint8Array([0x08, 0x07, 0x12, 0xff, 0xff, 0xff, 0x7f])],
    ['text', new TextEncoder().encode('hello\nworld, not a model')],
    ['truncated', mnist.slice(0, 1000)],
  ])('a %s file keeps the current model and says why in one line', (_, bytes) => {
    loadModelBytes('mnist-8.onnx', mnist);
    const id = getState().modelId;
    expect(loadModelBytes('bad.onnx', bytes)).toBe(false);
    expect(getState().modelId).toBe(id);
    expect(getState().notice?.kind).toBe('error');
    expect(getState().notice?.text).toMatch(/^Could not open bad\.onnx: /);
    expect(getState().notice?.text).not.toMatch(/\n/);
  });

  it('unsupported ops name the op and node; refused over a model, shown (not runnable) on an empty page', () => {
    expect(loadModelBytes('odd.onnx', unsupportedModel())).toBe(true);
    expect(getState().unsupported).toMatch(/FrobnicateXYZ \(node mystery\)/);
    loadModelBytes('mnist-8.onnx', mnist);
    const id = getState().modelId;
    expect(getState().unsupported).toBeNull();
    expect(loadModelBytes('odd.onnx', unsupportedModel())).toBe(false);
    expect(getState().modelId).toBe(id);
    expect(getState().notice?.text).toContain('FrobnicateXYZ (node mystery)');
  });

  it('runs mnist-8 on seeded random inputs (no Worker in Node: inline), twice the same', async () => {
    loadModelBytes('mnist-8.onnx', mnist);
    setInputChoice({ kind: 'random', seed: 42 });
    await runModel();
    const first = getState().run;
    expect(first.status).toBe('done');
    expect(first.outputs[0].shape).toBe('[1,10]');
    expect(first.outputs[0].values).toHaveLength(10);
    await runModel();
    expect(getState().run.outputs[0].values).toEqual(first.outputs[0].values);
  });
});

describe('model views', () => {
  const model = decodeModel(mnist);
  const { known } = modelShapes(model);

  it('describes a Conv node with attributes, slots, shapes and weight statistics', () => {
    const d = describeNode(model, known, 'Convolution28')!;
    expect(d.category).toBe('conv');
    expect(d.attributes.find((a) => a.name === 'kernel_shape')?.value).toBe('[5, 5]');
    expect(d.inputs.map((i) => i.role)).toEqual(['X', 'W']);
    expect(d.inputs[1].shape).toBe('[8,1,5,5]');
    expect(d.inputs[1].initializer?.count).toBe(200);
    expect(d.outputs[0].shape).toBe('[1,8,28,28]');
    expect(describeNode(model, known, 'no such node')).toBeNull();
  });

  it('lays out every node once, with boxes that do not overlap', () => {
    for (const file of ['mnist-8', 'light-squeezenet']) {
      const m = decodeModel(new Uint8Array(readFileSync(`${MODELS}/${file}.onnx`)));
      const layout = layoutGraph(m, modelShapes(m).known);
      const ops = layout.nodes.filter((n) => n.kind === 'op');
      expect(ops).toHaveLength(m.graph.nodes.length);
      for (let i = 0; i < layout.nodes.length; i++) {
        for (let j = i + 1; j < layout.nodes.length; j++) {
          const a = layout.nodes[i];
          const b = layout.nodes[j];
          const apart =
            Math.abs(a.x - b.x) * 2 >= a.width + b.width || Math.abs(a.y - b.y) * 2 >= a.height + b.height;
          expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
        }
      }
    }
  });
});

describe('numeric helpers', () => {
  it('tensorStats skips NaN and handles int64 and all-NaN tensors', () => {
    expect(tensorStats(makeTensor('float32', [4], [1, Number.NaN, -3, 2]))).toEqual({
      count: 4,
      min: -3,
      max: 2,
      mean: 0,
    });
    expect(tensorStats(int64Tensor([3], [5, -7, 8]))).toEqual({ count: 3, min: -7, max: 8, mean: 2 });
    expect(tensorStats(makeTensor('float32', [2], [Number.NaN, Number.NaN])).min).toBeNaN();
  });

  it('argmax and topK agree with a sort on random data (first index wins ties)', () => {
    const next = seededRandom(7);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(next() * 200);
      const values = Array.from({ length: n }, () => Math.floor(next() * 20) - 10); // many ties
      const t = makeTensor('float32', [n], values);
      const sorted = values
        .map((value, index) => ({ index, value }))
        .sort((a, b) => b.value - a.value || a.index - b.index);
      expect(argmax(t)).toBe(sorted[0].index);
      expect(topK(t, 5).map((e) => e.value)).toEqual(sorted.slice(0, 5).map((e) => e.value));
    }
    expect(argmax(makeTensor('float32', [3], [Number.NaN, -1, Number.NaN]))).toBe(1);
  });

  it('seeded random inputs are reproducible and follow the declared shape', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    for (let i = 0; i < 100; i++) {
      const v = a();
      expect(v).toBe(b());
      expect(v >= 0 && v < 1).toBe(true);
    }
    const graph = decodeModel(
      buildModel({
        inputs: [
          { name: 'f', dtype: 'float32', dims: [2, 3] },
          { name: 'i', dtype: 'int64', dims: [4] },
        ],
        outputs: [{ name: 'y', dtype: 'float32' }],
        nodes: [{ op: 'Identity', inputs: ['f'], outputs: ['y'] }],
      }),
    ).graph;
    const feeds = randomFeeds(graph, 3);
    expect(feeds.get('f')!.dims).toEqual([2, 3]);
    const ints = [...(feeds.get('i')!.data as BigInt64Array)].map(Number);
    expect(ints.every((v) => Number.isInteger(v) && v >= 0 && v < 10)).toBe(true);
    expect(randomFeeds(graph, 3).get('f')!.data).toEqual(feeds.get('f')!.data);
  });

  it('oneLine collapses whitespace and caps the length', () => {
    expect(oneLine('a\n  b\tc ')).toBe('a b c');
    expect(oneLine('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
    // Names from a damaged file can carry control bytes: they are shown escaped, never raw.
    expect(oneLine('node \u0001\u007f name')).toBe('node \\x01\\x7f name');
  });
});
