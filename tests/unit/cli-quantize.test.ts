// The quantization workflow as a user runs it: `qplay calibrate` on 8 samples in the ONNX
// test-data layout, `qplay export`, then onnxruntime-node on the export: `qplay run --integer`
// and `qplay simulate` (affine) equal onnxruntime 'all', `simulate --mode fake` equals
// 'disabled', bit for bit; the quantized output stays close to float and is not equal to it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../app/cli/cli.js';
import { decodeTensorFile, encodeTensorFile } from '../../app/model/tensor-proto.js';
import { makeTensor, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import { floatModelBytes, imageInput, mobilenetLike } from '../helpers/realistic-models.js';
import { runOrt } from './quant-ort.helper.js';

const dir = mkdtempSync(join(tmpdir(), 'qplay-quantize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function qplay(args: string[]): Promise<{ rc: number; stdout: string; stderr: string }> {
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

async function workflow(
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
  const cal = await qplay(['calibrate', model, '--data', data, '--out', session]);
  expect(cal.stderr.replace(/^note: .*\n/gm, '')).toBe('');
  expect(cal.rc).toBe(0);
  expect(cal.stdout).toMatch(/calibrated \d+ operators on 8 samples/);
  const qdq = join(base, 'model.qdq.onnx');
  expect((await qplay(['export', model, '--session', session, '--out', qdq])).rc).toBe(0);
  const bytes = new Uint8Array(readFileSync(qdq));
  const ortAll = Object.values(await runOrt(bytes, { [inputName]: test }, 'all'))[0];
  const ortDisabled = Object.values(await runOrt(bytes, { [inputName]: test }, 'disabled'))[0];
  const float = Object.values(await runOrt(modelBytes, { [inputName]: test }, 'disabled'))[0];
  const outs: Record<string, Float32Array> = {};
  for (const [key, args] of Object.entries({
    run: ['run', qdq, '--integer', '--input', input],
    affine: ['simulate', model, '--session', session, '--input', input],
    fake: ['simulate', model, '--session', session, '--mode', 'fake', '--input', input],
  })) {
    const out = join(base, key);
    const r = await qplay([...args, '--out', out]);
    expect(r.stderr, key).toBe('');
    outs[key] = toFloat32(readOut(out));
  }
  expect(outs.run).toEqual(toFloat32(ortAll));
  expect(outs.affine).toEqual(toFloat32(ortAll));
  expect(outs.fake).toEqual(toFloat32(ortDisabled));
  const f = toFloat32(float);
  const maxAbs = Math.max(...Array.from(f, Math.abs));
  const err = Math.max(...Array.from(f, (v, i) => Math.abs(v - outs.affine[i])));
  expect(err / maxAbs).toBeLessThan(tolerance);
  expect(outs.affine).not.toEqual(f);
  return { model, session, data, input };
}

describe('qplay calibrate -> export -> onnxruntime', () => {
  it('mnist-8', async () => {
    // Real digits: the three reference inputs, and five more made by shifting them.
    const bytes = new Uint8Array(readFileSync('tests/fixtures/models/mnist-8.onnx'));
    const digits = [0, 1, 2].map(
      (k) =>
        decodeTensorFile(
          readFileSync(`tests/fixtures/models/mnist-8.test_data/test_data_set_${k}/input_0.pb`),
        ).tensor,
    );
    const shifted = (t: Tensor, dx: number) =>
      makeTensor(
        'float32',
        t.dims,
        Array.from(toFloat32(t), (_, i) => (i % 28 >= dx ? toFloat32(t)[i - dx] : 0)),
      );
    const samples = [...digits, ...[1, 2, 3, 4, 5].map((dx) => shifted(digits[dx % 3], dx))];
    const w = await workflow('mnist', bytes, 'Input3', samples, shifted(digits[0], 2), 0.1);
    const report = await qplay(['report', w.model, '--session', w.session, '--data', w.data, '--json']);
    expect(report.rc).toBe(0);
    const json = JSON.parse(report.stdout);
    expect(json.layers.filter((l: { opType: string }) => l.opType === 'Conv')).toHaveLength(2);
    for (const l of json.layers) {
      for (const key of ['node', 'opType', 'tensor', 'cosine', 'maxAbsError', 'clipRate', 'overflows'])
        expect(l).toHaveProperty(key);
      expect(typeof l.sqnr.local).toBe('number');
      expect(typeof l.sqnr.cumulative).toBe('number');
    }
    expect(json.outputs[0]).toMatchObject({ name: 'Plus214_Output_0' });
    expect(json.sensitivity.map((s: { node: string }) => s.node).sort()).toEqual([
      'Convolution110',
      'Convolution28',
      'Times212',
    ]);
  }, 120_000);

  it('MobileNet-like (opset 13: per-channel weights, depthwise, SE, HardSigmoid, Gemm head)', async () => {
    const g = mobilenetLike({ opset: 13, head: 'gemm', foldBatchNorm: true, seed: 21 });
    // Random weights amplify quantization noise more than trained ones: a looser bound.
    const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => imageInput(g.input.dims, 100 + k));
    await workflow('mobilenet', floatModelBytes(g), g.input.name, samples, imageInput(g.input.dims, 7), 0.3);
  }, 240_000);
});

describe('qplay quantization commands: refusals', () => {
  const model = 'tests/fixtures/models/mnist-8.onnx';
  const bad = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const cases: [string, string[], RegExp][] = [
    ['missing --data', ['calibrate', model, '--out', join(dir, 'x.json')], /missing --data/],
    [
      'bad observer',
      [
        'calibrate',
        model,
        '--data',
        'tests/fixtures/models/mnist-8.test_data',
        '--observer',
        'max',
        '--out',
        join(dir, 'x.json'),
      ],
      /--observer must be one of/,
    ],
    [
      'session not JSON',
      ['export', model, '--session', bad('a.json', '{"format": '), '--out', join(dir, 'x.onnx')],
      /JSON/,
    ],
    [
      'session of another format',
      ['export', model, '--session', bad('b.json', '{"format": "other"}'), '--out', join(dir, 'x.onnx')],
      /format/,
    ],
    [
      'missing session file',
      ['simulate', model, '--session', join(dir, 'none.json'), '--input', 'x.pb', '--out', dir],
      /no such file/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await qplay(args);
      expect(r.rc).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(message);
    });
  }
});
