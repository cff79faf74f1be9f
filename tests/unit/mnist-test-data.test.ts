// mnist-8 (and opt-mnist, an optimized export of the same network) must reproduce the three
// reference outputs shipped with mnist-8 (test_data_set_{0,1,2}).
// Tolerance 1e-2 absolute. The reference logits (up to ~6,500) were computed by CNTK, whose
// float32 sums run in another order than ours. One float32 ULP at 6,574 is 4.9e-4. Measured:
// onnxruntime differs from the references by up to 7.9e-4, this interpreter by up to 9.8e-4
// (2 ULPs), so 1e-3 would pass by a hair and break on any reordering. 1e-2 (~20 ULPs, 1.5e-6 of
// the largest logit) allows another correct summation order and still catches a real error:
// one wrong weight or pixel moves a logit by far more.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toFloat32 } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';

const models = join(import.meta.dirname, '../fixtures/models');
const ABS_TOL = 1e-2;

function tensorAt(path: string) {
  return decodeTensorFile(new Uint8Array(readFileSync(path)), path);
}

describe.each(['mnist-8.onnx', 'opt-mnist.onnx'])('%s reproduces the mnist-8 test data', (file) => {
  it.each([0, 1, 2])('test_data_set_%i', (k) => {
    const model = decodeModel(new Uint8Array(readFileSync(join(models, file))));
    const dir = join(models, `mnist-8.test_data/test_data_set_${k}`);
    const input = tensorAt(join(dir, 'input_0.pb'));
    const expected = tensorAt(join(dir, 'output_0.pb'));
    expect(model.graph.inputs.length).toBe(1); // the .pb files are unnamed: feed by position
    const out = new CpuInterpreter(model).runSync(new Map([[model.graph.inputs[0].name, input.tensor]]));
    const got = out.get(model.graph.outputs[0].name)!;
    expect(got.dims).toEqual(expected.tensor.dims);
    const a = toFloat32(got);
    const e = toFloat32(expected.tensor);
    let maxDiff = 0;
    for (let i = 0; i < e.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - e[i]));
    expect(maxDiff).toBeLessThanOrEqual(ABS_TOL);
    // The predicted digit must be the reference's, whatever the tolerance.
    expect(a.indexOf(Math.max(...a))).toBe(e.indexOf(Math.max(...e)));
  });
});
