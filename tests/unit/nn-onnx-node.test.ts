// The official ONNX node tests for the nn ops (Conv, Gemm, MatMul, pools, BatchNorm, Relu,
// Softmax) run through the CPU interpreter, compared with their stored outputs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';
import { expectClose } from './nn-oracle.helper.js';

const ROOT = new URL('../fixtures/onnx-node', import.meta.url).pathname;
const NN_PREFIXES = [
  'test_conv_',
  'test_gemm_',
  'test_matmul_',
  'test_maxpool_',
  'test_averagepool_',
  'test_globalaveragepool',
  'test_batchnorm_',
  'test_relu',
  'test_softmax_',
];

const cases = readdirSync(ROOT)
  .filter((d) => NN_PREFIXES.some((p) => d.startsWith(p)))
  .sort();

describe('ONNX node tests (nn ops)', () => {
  it('finds the nn node tests', ({ expect }) => {
    expect(cases.length).toBeGreaterThanOrEqual(14);
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
        expectClose(outputs.get(o.name)!, read(`output_${i}.pb`), 1e-5, 1e-6, `${name} ${o.name}`);
      });
    });
  }
});
