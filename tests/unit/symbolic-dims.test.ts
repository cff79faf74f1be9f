// Symbolic input sizes without a GPU: strict binding in shape inference (an unbound dim is an
// error naming the input and the dim, never a guessed 1), bindings read from the fed tensors
// (a dim fed two sizes is refused), and the CPU interpreter and `qplay run --backend cpu` on a
// CNN with symbolic N, H and W at two sizes in one session, against onnxruntime-node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelFacts } from '../../app/cli/inspect.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { cpuConstantEvaluator } from '../../app/exec/cpu/constant-evaluator.js';
import { decodeModel } from '../../app/model/decode.js';
import { InputError } from '../../app/model/errors.js';
import { bindingsFromInputs, inferShapes, symbolicInputDims } from '../../app/model/shape-inference.js';
import { qplayRunner } from '../helpers/qplay-run.js';
import { model as irModel } from './shape-inference.helper.js';
import {
  cnnFeeds,
  expectClose,
  randomTensor,
  runOrt,
  sharedBatchModel,
  symbolicCnn,
} from './symbolic-dims.helper.js';

const cnnBytes = symbolicCnn();
const cnn = decodeModel(cnnBytes);
/** (N, H, W): odd sizes too, where MaxPool floors. */
const SIZES: Array<[number, number, number]> = [
  [1, 12, 20],
  [2, 9, 14],
];

describe('shape inference with defaultDim: error', () => {
  it('names the input and the first unbound dim, with its axis', () => {
    const run = (bindings: Record<string, number>) =>
      inferShapes(cnn, { bindings, defaultDim: 'error', evaluate: cpuConstantEvaluator(cnn) });
    expect(() => run({})).toThrow(InputError);
    expect(() => run({})).toThrow(
      "input 'input' has symbolic dim 'N' (axis 0) with no size given; the real input sizes are needed to plan the run",
    );
    expect(() => run({ N: 1, H: 8 })).toThrow(/input 'input' has symbolic dim 'W' \(axis 3\)/);
    const r = run({ N: 2, H: 9, W: 14 });
    expect(r.values.get('pooled')!.dims).toEqual([2, 8, 4, 7]);
    expect(r.values.get('logits')!.dims).toEqual([2, 5]);
    expect(r.bindings).toEqual({ N: 2, H: 9, W: 14 });
  });

  it('the default (describing a model) still takes 1, and fails at the 2x2 pool as the issue saw', () => {
    expect(() => inferShapes(cnn, { evaluate: cpuConstantEvaluator(cnn) })).toThrow(/pool1.*MaxPool/);
  });

  it('inspect says the dims were taken as 1 when that stops inference', () => {
    expect(modelFacts(cnn).shapeInferenceNote).toBe(
      "stopped (symbolic dims N, H, W taken as 1): node 'pool1' (MaxPool): kernel extent 2 exceeds padded input 1",
    );
  });

  it('a dim named like an Object.prototype member is unbound until given', () => {
    const m = irModel({
      inputs: [['x', 'float32', ['constructor', 3]]],
      nodes: [{ op: 'Relu', in: ['x'], out: ['y'] }],
    });
    expect(() => inferShapes(m, { defaultDim: 'error' })).toThrow(/symbolic dim 'constructor' \(axis 0\)/);
    expect(
      inferShapes(m, { defaultDim: 'error', bindings: { constructor: 4 } }).values.get('y')!.dims,
    ).toEqual([4, 3]);
    expect(bindingsFromInputs(m.graph, () => [5, 3])).toEqual({ constructor: 5 });
  });
});

describe('bindingsFromInputs / symbolicInputDims', () => {
  const shared = decodeModel(sharedBatchModel());

  it('lists the symbolic dims of the inputs once, in order', () => {
    expect(symbolicInputDims(cnn.graph)).toEqual(['N', 'H', 'W']);
    expect(symbolicInputDims(shared.graph)).toEqual(['N', 'K']);
  });

  it('reads the sizes from the fed dims', () => {
    const dims = new Map([
      ['a', [3, 4]],
      ['b', [3, 7]],
    ]);
    expect(bindingsFromInputs(shared.graph, (n) => dims.get(n))).toEqual({ N: 3, K: 7 });
  });

  it('refuses one dim fed two sizes, naming both inputs and axes', () => {
    const dims = new Map([
      ['a', [3, 4]],
      ['b', [2, 7]],
    ]);
    expect(() => bindingsFromInputs(shared.graph, (n) => dims.get(n))).toThrow(
      "symbolic dim 'N' is 3 in input 'a' axis 0 but 2 in input 'b' axis 0",
    );
    const square = irModel({
      inputs: [['x', 'float32', ['S', 'S']]],
      nodes: [{ op: 'Relu', in: ['x'], out: ['y'] }],
    });
    expect(() => bindingsFromInputs(square.graph, () => [2, 3])).toThrow(
      /'S' is 2 in input 'x' axis 0 but 3 in input 'x' axis 1/,
    );
    expect(bindingsFromInputs(square.graph, () => [3, 3])).toEqual({ S: 3 });
  });
});

describe('CPU interpreter at two sizes in one session', () => {
  it('matches onnxruntime at each size, both outputs', async () => {
    const cpu = new CpuInterpreter(cnn);
    for (const [k, [n, h, w]] of SIZES.entries()) {
      const feeds = cnnFeeds(n, h, w, 10 + k);
      const ours = await cpu.run(feeds);
      const ort = await runOrt(cnnBytes, feeds);
      expect(ours.get('pooled')!.dims).toEqual([n, 8, Math.floor(h / 2), Math.floor(w / 2)]);
      for (const name of ['logits', 'pooled'])
        expectClose(ours.get(name), ort.get(name), `${name} at ${n}x${h}x${w}`);
    }
    cpu.dispose();
  });

  it('the two-input model at two batch sizes', async () => {
    const bytes = sharedBatchModel();
    const cpu = new CpuInterpreter(decodeModel(bytes));
    for (const [n, k] of [
      [1, 5],
      [4, 2],
    ]) {
      const feeds = new Map([
        ['a', randomTensor([n, 4], n)],
        ['b', randomTensor([n, k], k)],
      ]);
      expectClose(
        (await cpu.run(feeds)).get('y'),
        (await runOrt(bytes, feeds)).get('y'),
        `y at N=${n} K=${k}`,
      );
    }
  });
});

describe('qplay run --backend cpu', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qplay-symbolic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { writeCase, qplay } = qplayRunner(dir);

  it.each(SIZES)('runs the symbolic CNN at N=%i H=%i W=%i like onnxruntime', async (n, h, w) => {
    const feeds = cnnFeeds(n, h, w, n * 100 + h);
    const outputs = await qplay(writeCase(cnnBytes, feeds.get('input')!), ['--backend', 'cpu']);
    const ort = await runOrt(cnnBytes, feeds);
    expectClose(outputs[0], ort.get('logits'), 'logits');
    expectClose(outputs[1], ort.get('pooled'), 'pooled');
  });
});
