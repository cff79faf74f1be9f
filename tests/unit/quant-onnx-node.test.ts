// The official ONNX node tests of the quantization ops, run through the CPU interpreter and
// compared bit-exactly (integer outputs) or exactly (float outputs) with their stored outputs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';
import { toNumbers } from '../../kernels/tensor.js';

const ROOT = new URL('../fixtures/onnx-node', import.meta.url).pathname;
const PREFIXES = [
  'test_quantizelinear',
  'test_dequantizelinear',
  'test_dynamicquantizelinear',
  'test_qlinear',
  'test_convinteger',
  'test_matmulinteger',
];

const cases = readdirSync(ROOT)
  .filter((d) => PREFIXES.some((p) => d.startsWith(p)))
  .sort();

describe('ONNX node tests (quantization ops)', () => {
  it('finds the quantization node tests', () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
  });
  for (const name of cases) {
    it(name, () => {
      const dir = join(ROOT, name);
      const model = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.onnx'))));
      const data = join(dir, 'test_data_set_0');
      const files = readdirSync(data);
      const read = (f: string) => decodeTensorFile(new Uint8Array(readFileSync(join(data, f))), f).tensor;
      const inputNames = model.graph.inputs.map((i) => i.name);
      const feeds = new Map(
        files
          .filter((f) => f.startsWith('input_'))
          .sort((a, b) => Number(a.slice(6, -3)) - Number(b.slice(6, -3)))
          .map((f, i) => [inputNames[i], read(f)] as const),
      );
      const outputs = new CpuInterpreter(model).runSync(feeds);
      model.graph.outputs.forEach((o, i) => {
        const want = read(`output_${i}.pb`);
        const got = outputs.get(o.name)!;
        expect(got.dtype, o.name).toBe(want.dtype);
        expect(got.dims, o.name).toEqual(want.dims);
        expect(toNumbers(got), o.name).toEqual(toNumbers(want));
      });
    });
  }
});
