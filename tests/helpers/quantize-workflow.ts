// The quantization workflow as a user runs it (shared by the CPU and the WebGPU tests):
// `qplay calibrate` on samples in the ONNX test-data layout, `qplay export`, then
// onnxruntime-node on the export: `qplay run --integer` and `qplay simulate` (affine) must equal
// onnxruntime 'all' and `simulate --mode fake` 'disabled', bit for bit; the quantized output stays
// close to float and is not equal to it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../../app/cli/cli.js';
import { decodeTensorFile, encodeTensorFile } from '../../app/model/tensor-proto.js';
import { makeTensor, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import { runOrt } from '../unit/quant-ort.helper.js';

export async function qplay(args: string[]): Promise<{ rc: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const rc = await runCli(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { rc, stdout, stderr };
}

function readOut(d: string): Tensor {
  return decodeTensorFile(readFileSync(join(d, 'output_0.pb'))).tensor;
}

export async function quantizeWorkflow(
  dir: string,
  backend: 'cpu' | 'webgpu',

  name: string,
  modelBytes: Uint8Array,
  inputName: string,
  samples: Tensor[],
  test: Tensor,
  tolerance: number,
) {
  const base = join(dir, name);
  const data = join(base, 'data');
  samples.forEach((x, k) => {
    mkdirSync(join(data, `test_data_set_${k}`), { recursive: true });
    writeFileSync(join(data, `test_data_set_${k}`, 'input_0.pb'), encodeTensorFile(x, inputName));
  });
  const model = join(base, 'model.onnx');
  writeFileSync(model, modelBytes);
  const input = join(base, 'input.pb');
  writeFileSync(input, encodeTensorFile(test, inputName));
  const session = join(base, 'session.json');
  const cal = await qplay(['calibrate', model, '--data', data, '--out', session, '--backend', backend]);
  expect(cal.stderr.replace(/^note: .*\n/gm, '')).toBe('');
  expect(cal.rc).toBe(0);
  expect(cal.stdout).toMatch(new RegExp(`calibrated \\d+ operators on ${samples.length} samples`));
  const qdq = join(base, 'model.qdq.onnx');
  expect((await qplay(['export', model, '--session', session, '--out', qdq])).rc).toBe(0);
  const bytes = new Uint8Array(readFileSync(qdq));
  const ortAll = Object.values(await runOrt(bytes, { [inputName]: test }, 'all'))[0];
  const ortDisabled = Object.values(await runOrt(bytes, { [inputName]: test }, 'disabled'))[0];
  const float = Object.values(await runOrt(modelBytes, { [inputName]: test }, 'disabled'))[0];
  const outs: Record<string, Float32Array> = {};
  for (const [key, args] of Object.entries({
    run: ['run', qdq, '--integer', '--input', input, '--backend', backend],
    affine: ['simulate', model, '--session', session, '--input', input, '--backend', backend],
    fake: ['simulate', model, '--session', session, '--mode', 'fake', '--input', input, '--backend', backend],
  })) {
    const out = join(base, key);
    const r = await qplay([...args, '--out', out]);
    expect(r.stderr, key).toBe('');
    outs[key] = toFloat32(readOut(out));
  }
  expect(outs.run).toEqual(toFloat32(ortAll));
  expect(outs.affine).toEqual(toFloat32(ortAll));
  // The GPU's float kernels are 1e-4-close to onnxruntime's MLAS order, not bit-exact: fake-quant
  // values (float ops between quantizers) may differ by a quantization step there.
  if (backend === 'cpu') expect(outs.fake).toEqual(toFloat32(ortDisabled));
  else {
    const d = toFloat32(ortDisabled);
    const scale = Math.max(...Array.from(d, Math.abs));
    for (let i = 0; i < d.length; i++)
      expect(Math.abs(outs.fake[i] - d[i])).toBeLessThanOrEqual(0.05 * scale);
  }
  const f = toFloat32(float);
  const maxAbs = Math.max(...Array.from(f, Math.abs));
  const err = Math.max(...Array.from(f, (v, i) => Math.abs(v - outs.affine[i])));
  expect(err / maxAbs).toBeLessThan(tolerance);
  expect(outs.affine).not.toEqual(f);
  return { model, session, data, input };
}

/** mnist-8's three reference digits and five more made by shifting them; a shifted digit to test. */
export function mnistDigitSamples(): { samples: Tensor[]; test: Tensor } {
  const digits = [0, 1, 2].map(
    (k) =>
      decodeTensorFile(readFileSync(`tests/fixtures/models/mnist-8.test_data/test_data_set_${k}/input_0.pb`))
        .tensor,
  );
  const shifted = (t: Tensor, dx: number) => {
    const v = toFloat32(t);
    return makeTensor(
      'float32',
      t.dims,
      Array.from(v, (_, i) => (i % 28 >= dx ? v[i - dx] : 0)),
    );
  };
  return {
    samples: [...digits, ...[1, 2, 3, 4, 5].map((dx) => shifted(digits[dx % 3], dx))],
    test: shifted(digits[0], 2),
  };
}
