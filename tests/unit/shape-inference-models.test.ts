// Shape inference on real files: every value of every fixture model gets a shape; the ONNX
// conformance tests' expected outputs have the inferred dims; and the CPU interpreter, run on
// every value of every model, produces exactly the inferred dtype and dims (also when the CPU
// ops are used as the constant-folding `evaluate`).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuConstantEvaluator } from '../../app/exec/cpu/constant-evaluator.js';
import { CpuInterpreter, isCpuSupported } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Model, Tensor } from '../../app/model/ir.js';
import { inferShapes, type ShapeResult } from '../../app/model/shape-inference.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';
import { randomTensor, rng } from './shape-inference.helper.js';

const fixtures = join(import.meta.dirname, '../fixtures');
const nodeTests = readdirSync(join(fixtures, 'onnx-node'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const modelFiles = readdirSync(join(fixtures, 'models'))
  .filter((f) => f.endsWith('.onnx'))
  .sort();

function load(path: string): Model {
  return decodeModel(new Uint8Array(readFileSync(path)));
}

function readTensors(dir: string, prefix: 'input' | 'output'): Tensor[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length + 1, -3)) - Number(b.slice(prefix.length + 1, -3)))
    .map((f) => decodeTensorFile(new Uint8Array(readFileSync(join(dir, f))), f).tensor);
}

/** Every value the graph mentions (node inputs and outputs, graph inputs and outputs). */
function allValueNames(model: Model): string[] {
  const names = new Set<string>();
  for (const v of model.graph.inputs) names.add(v.name);
  for (const n of model.graph.nodes) for (const x of [...n.inputs, ...n.outputs]) if (x) names.add(x);
  for (const v of model.graph.outputs) names.add(v.name);
  return [...names];
}

/** Runs the model on the CPU interpreter asking for every value, and compares with `shapes`. */
function compareWithCpu(model: Model, shapes: ShapeResult, feeds: Map<string, Tensor>): void {
  const wanted = model.graph.nodes.flatMap((n) => n.outputs.filter(Boolean));
  const actual = new CpuInterpreter(model).runSync(feeds, { outputs: wanted });
  for (const name of wanted) {
    const t = actual.get(name)!;
    expect({ name, dtype: t.dtype, dims: [...t.dims] }).toEqual({ name, ...shapes.values.get(name)! });
  }
}

function withInputDims(model: Model, dims: number[]): Model {
  const [input, ...rest] = model.graph.inputs;
  return { ...model, graph: { ...model.graph, inputs: [{ ...input, dims }, ...rest] } };
}

function cpuRuns(model: Model): boolean {
  return model.graph.nodes.every((n) => isCpuSupported(n.domain, n.opType));
}

describe('every fixture model: every value has a shape', () => {
  const all = [
    ...modelFiles.map((f) => join(fixtures, 'models', f)),
    ...nodeTests.map((t) => join(fixtures, 'onnx-node', t, 'model.onnx')),
  ];
  it('finds the fixtures', () => {
    expect(modelFiles.length).toBeGreaterThanOrEqual(6);
    expect(nodeTests.length).toBeGreaterThanOrEqual(30);
  });
  for (const path of all) {
    it(path.slice(fixtures.length + 1), () => {
      const model = load(path);
      const shapes = inferShapes(model);
      for (const name of allValueNames(model)) {
        const v = shapes.values.get(name);
        expect(v, name).toBeDefined();
        expect(
          v!.dims.every((d) => Number.isInteger(d) && d >= 0),
          name,
        ).toBe(true);
      }
      expect(shapes.warnings).toEqual([]);
    });
  }
});

describe('ONNX conformance tests: expected outputs have the inferred dtype and dims', () => {
  for (const name of nodeTests) {
    it(name, () => {
      const dir = join(fixtures, 'onnx-node', name);
      const model = load(join(dir, 'model.onnx'));
      const expected = readTensors(join(dir, 'test_data_set_0'), 'output');
      const shapes = inferShapes(model);
      model.graph.outputs.forEach((o, k) => {
        expect({ name: o.name, ...shapes.values.get(o.name)! }).toEqual({
          name: o.name,
          dtype: expected[k].dtype,
          dims: [...expected[k].dims],
        });
      });
      if (cpuRuns(model)) {
        const inputs = readTensors(join(dir, 'test_data_set_0'), 'input');
        compareWithCpu(model, shapes, new Map(model.graph.inputs.map((vi, k) => [vi.name, inputs[k]])));
      }
    });
  }
});

describe('fixture models: the CPU interpreter produces the inferred shapes for every value', () => {
  for (const file of modelFiles) {
    let model = load(join(fixtures, 'models', file));
    // SqueezeNet at 224x224 takes ~20 s on the reference ops; it ends in a global pool, so an odd,
    // non-square input (fewer pixels, every geometry still exercised) keeps the check cheap.
    if (file === 'light-squeezenet.onnx') model = withInputDims(model, [1, 3, 67, 79]);
    it.runIf(cpuRuns(model))(file, () => {
      const plain = inferShapes(model);
      const evaluated = inferShapes(model, { evaluate: cpuConstantEvaluator(model) });
      expect(new Map(evaluated.values)).toEqual(new Map(plain.values));
      const rand = rng(7);
      const feeds = new Map(
        model.graph.inputs.map((vi) => [
          vi.name,
          randomTensor(vi.dtype!, plain.values.get(vi.name)!.dims, rand),
        ]),
      );
      compareWithCpu(model, plain, feeds);
    });
  }
});
