// Runs every ONNX conformance node test in tests/fixtures/onnx-node through the CPU interpreter.
// Each test is model.onnx + test_data_set_0/{input_k,output_k}.pb, written by the onnx project.
// Tolerance: float outputs within 1e-6 absolute + 1e-5 relative (tighter than onnx's own runner,
// which uses rtol 1e-3: onnxruntime matches these within 1e-6, so should the reference ops);
// integer and bool outputs exactly.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elementAsNumber, isIntegerDType, type Tensor } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';

const root = join(import.meta.dirname, '../fixtures/onnx-node');
const tests = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function readTensors(dir: string, prefix: 'input' | 'output'): Tensor[] {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length + 1, -3)) - Number(b.slice(prefix.length + 1, -3)));
  return files.map((f) => decodeTensorFile(new Uint8Array(readFileSync(join(dir, f))), f).tensor);
}

/** Index and values of the first element outside tolerance, or undefined when all agree. */
function firstMismatch(actual: Tensor, expected: Tensor, rtol: number, atol: number) {
  const exact = isIntegerDType(expected.dtype);
  for (let i = 0; i < expected.data.length; i++) {
    if (exact) {
      if (actual.data[i] !== expected.data[i])
        return { i, actual: actual.data[i], expected: expected.data[i] };
      continue;
    }
    const a = elementAsNumber(actual, i);
    const e = elementAsNumber(expected, i);
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue; // also equal infinities
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) return { i, actual: a, expected: e };
  }
  return undefined;
}

describe('ONNX node conformance tests (CPU interpreter)', () => {
  it('finds the fixtures', () => {
    expect(tests.length).toBeGreaterThanOrEqual(30);
    expect(tests).toContain('test_convinteger_with_padding');
  });

  for (const name of tests) {
    it(name, () => {
      const dir = join(root, name);
      const model = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.onnx'))));
      const inputs = readTensors(join(dir, 'test_data_set_0'), 'input');
      const expected = readTensors(join(dir, 'test_data_set_0'), 'output');
      // As onnx's runner does: input_k feeds the k-th graph input (initializers excluded).
      expect(inputs.length).toBe(model.graph.inputs.length);
      const feeds = new Map(model.graph.inputs.map((vi, k) => [vi.name, inputs[k]]));
      const results = new CpuInterpreter(model).runSync(feeds);
      expect(expected.length).toBe(model.graph.outputs.length);
      model.graph.outputs.forEach((vi, k) => {
        const got = results.get(vi.name)!;
        expect(got.dtype, `${vi.name} dtype`).toBe(expected[k].dtype);
        expect(got.dims, `${vi.name} shape`).toEqual(expected[k].dims);
        expect(firstMismatch(got, expected[k], 1e-5, 1e-6), `${vi.name} values`).toBeUndefined();
      });
    });
  }
});
