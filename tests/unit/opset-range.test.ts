// Opsets outside what we implement: refused with one line naming domain and version by `qplay run`
// (both backends) and the page's load action, reported as a warning by `qplay inspect`; models
// within the range (com.microsoft 1, com.microsoft-only models without an ai.onnx import) pass.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import { runCli } from '../../app/cli/cli.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Model } from '../../app/model/ir.js';
import {
  assertSupportedOpsets,
  opsetProblems,
  SUPPORTED_OPSETS,
  UnsupportedOpsetError,
} from '../../app/model/opset-range.js';
import { ModelProtoSchema } from '../../app/model/proto/onnx_pb.js';
import { encodeTensorFile } from '../../app/model/tensor-proto.js';
import { loadModelBytes } from '../../app/store/actions-model.js';
import { getState, idleRun, setState } from '../../app/store/store.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { QUIET, SILENT } from '../helpers/ort-quiet.js';

/** y = Relu(x) stamped with the given ai.onnx opset (and com.microsoft, when given). */
function reluModel(opset: number, msOpset?: number): Uint8Array {
  return buildModel({
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 4] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4] }],
    nodes: [{ op: 'Relu', name: 'relu', inputs: ['x'], outputs: ['y'] }],
    opset,
    msOpset,
  });
}

/** Rewrites the opset imports of a built model (the builder always imports ai.onnx). */
function withOpsets(bytes: Uint8Array, opsets: Array<{ domain: string; version: number }>): Uint8Array {
  const proto = fromBinary(ModelProtoSchema, bytes);
  proto.opsetImport = proto.opsetImport.slice(0, 0);
  for (const o of opsets) {
    const entry = fromBinary(ModelProtoSchema, reluModel(13)).opsetImport[0];
    entry.domain = o.domain;
    entry.version = BigInt(o.version);
    proto.opsetImport.push(entry);
  }
  return toBinary(ModelProtoSchema, proto);
}

/** A com.microsoft-only model (QLinearSigmoid), with no ai.onnx import at all. */
function msOnlyModel(): Uint8Array {
  const u8 = (v: number) => makeTensor('uint8', [], [v]);
  const f32 = (v: number) => makeTensor('float32', [], [v]);
  const bytes = buildModel({
    inputs: [{ name: 'x', dtype: 'uint8', dims: [1, 4] }],
    outputs: [{ name: 'y', dtype: 'uint8', dims: [1, 4] }],
    nodes: [
      {
        op: 'QLinearSigmoid',
        domain: 'com.microsoft',
        name: 'sig',
        inputs: ['x', 'xs', 'xz', 'ys', 'yz'],
        outputs: ['y'],
      },
    ],
    initializers: { xs: f32(0.05), xz: u8(128), ys: f32(1 / 256), yz: u8(0) },
    msOpset: 1,
  });
  return withOpsets(bytes, [{ domain: 'com.microsoft', version: 1 }]);
}

const model = (bytes: Uint8Array): Model => decodeModel(bytes);

describe('opsetProblems', () => {
  it('accepts every ai.onnx version in the range and refuses every one outside it', () => {
    const { min, max } = SUPPORTED_OPSETS[''];
    expect([min, max]).toEqual([1, 28]);
    for (let v = 0; v <= 40; v++) {
      const problems = opsetProblems(model(reluModel(v)));
      if (v >= min && v <= max) expect(problems, `opset ${v}`).toEqual([]);
      else {
        expect(problems, `opset ${v}`).toHaveLength(1);
        expect(problems[0]).toBe(
          `the model uses opset ai.onnx ${v}, which qplay does not implement (ai.onnx opsets: 1 to 28)`,
        );
      }
    }
  });

  it('random versions: refused exactly when outside [1, 28], ai.onnx spelled either way', () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let k = 0; k < 50; k++) {
      const v = 1 + (next() % 1000);
      const spelled = next() % 2 === 0 ? '' : 'ai.onnx';
      const m = model(withOpsets(reluModel(13), [{ domain: spelled, version: v }]));
      expect(opsetProblems(m).length, `ai.onnx ${v} spelled '${spelled}'`).toBe(v >= 1 && v <= 28 ? 0 : 1);
    }
  });

  it('com.microsoft 1 passes, other com.microsoft versions are refused by name', () => {
    expect(opsetProblems(model(reluModel(13, 1)))).toEqual([]);
    expect(opsetProblems(model(reluModel(13, 2)))).toEqual([
      'the model uses opset com.microsoft 2, which qplay does not implement (com.microsoft opsets: only 1)',
    ]);
  });

  it('a com.microsoft-only model without an ai.onnx import passes', () => {
    const m = model(msOnlyModel());
    expect(m.opsets).toEqual([{ domain: 'com.microsoft', version: 1 }]);
    expect(opsetProblems(m)).toEqual([]);
  });

  it('domains we do not implement are left to the op-support check', () => {
    const m = model(
      withOpsets(reluModel(13), [
        { domain: '', version: 13 },
        { domain: 'ai.onnx.ml', version: 99 },
      ]),
    );
    expect(opsetProblems(m)).toEqual([]);
  });

  it('ai.onnx nodes without an ai.onnx import are refused (they would run at a guessed version)', () => {
    const m = model(withOpsets(reluModel(13), [{ domain: 'com.microsoft', version: 1 }]));
    expect(opsetProblems(m)).toEqual([
      "node 'relu' (Relu) is an ai.onnx op but the model imports no ai.onnx opset",
    ]);
  });

  it('several problems make one line; assertSupportedOpsets throws it', () => {
    const m = model(reluModel(99, 3));
    expect(() => assertSupportedOpsets(m)).toThrow(UnsupportedOpsetError);
    expect(() => assertSupportedOpsets(m)).toThrow(
      /^the model uses opset ai\.onnx 99, .*; the model uses opset com\.microsoft 3, /,
    );
    expect(() => assertSupportedOpsets(model(reluModel(13, 1)))).not.toThrow();
  });

  it('onnxruntime also refuses ai.onnx 99 and runs the com.microsoft-only model', async () => {
    await expect(ort.InferenceSession.create(reluModel(99), SILENT)).rejects.toThrow(/99/);
    const session = await ort.InferenceSession.create(msOnlyModel(), QUIET);
    const out = await session.run({
      x: new ort.Tensor('uint8', Uint8Array.from([0, 100, 128, 255]), [1, 4]),
    });
    expect(out.y.dims).toEqual([1, 4]);
    await session.release();
  });
});

describe('qplay and the page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qplay-opset-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const future = file('future.onnx', reluModel(99));
  const msOnly = file('ms-only.onnx', msOnlyModel());
  const good = file('good.onnx', reluModel(13, 1));
  const x = file('x.pb', encodeTensorFile(makeTensor('float32', [1, 4], [-1, 0, 2, -3]), 'x'));
  const xu8 = file('xu8.pb', encodeTensorFile(makeTensor('uint8', [1, 4], [0, 100, 128, 255]), 'x'));

  async function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { code, stdout, stderr };
  }

  it('inspect: a warning line under the opsets (text) and in "warnings" (--json)', async () => {
    const text = await cli('inspect', future);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('opsets'));
    expect(lines[at]).toBe('opsets      ai.onnx 99');
    expect(lines[at + 1]).toBe(
      'warning     the model uses opset ai.onnx 99, which qplay does not implement (ai.onnx opsets: 1 to 28)',
    );
    const json = await cli('inspect', future, '--json');
    expect(JSON.parse(json.stdout).warnings).toEqual([
      'the model uses opset ai.onnx 99, which qplay does not implement (ai.onnx opsets: 1 to 28)',
    ]);
    for (const ok of [good, msOnly]) {
      expect(JSON.parse((await cli('inspect', ok, '--json')).stdout).warnings).toEqual([]);
      expect((await cli('inspect', ok)).stdout).not.toMatch(/^warning/m);
    }
  });

  it.each(['cpu', 'webgpu'])('run --backend %s refuses the model in one error line', async (backend) => {
    const r = await cli(
      'run',
      future,
      '--input',
      x,
      '--out',
      join(dir, `out-${backend}`),
      '--backend',
      backend,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: ${future}: the model uses opset ai.onnx 99, which qplay does not implement (ai.onnx opsets: 1 to 28)\n`,
    );
  });

  it('run accepts com.microsoft 1 and the com.microsoft-only model (cpu)', async () => {
    const a = await cli('run', good, '--input', x, '--out', join(dir, 'out-good'));
    expect([a.code, a.stderr]).toEqual([0, '']);
    expect(a.stdout).toMatch(/y {2}float32 \[1, 4\] {2}0 0 2 0/);
    const b = await cli('run', msOnly, '--input', xu8, '--out', join(dir, 'out-ms'));
    expect([b.code, b.stderr]).toEqual([0, '']);
  });

  describe('the page', () => {
    beforeEach(() =>
      setState({ modelId: null, summary: null, notice: null, unsupported: null, run: idleRun }),
    );

    it('refuses the model with the message as an error notice, keeping the current model', () => {
      expect(loadModelBytes('good.onnx', reluModel(13, 1))).toBe(true);
      const id = getState().modelId;
      expect(loadModelBytes('future.onnx', reluModel(99))).toBe(false);
      expect(getState().modelId).toBe(id);
      expect(getState().notice).toEqual({
        kind: 'error',
        text: 'Could not open future.onnx: the model uses opset ai.onnx 99, which qplay does not implement (ai.onnx opsets: 1 to 28)',
      });
    });

    it('refuses it on an empty page too, and loads the com.microsoft-only model', () => {
      expect(loadModelBytes('old.onnx', reluModel(0))).toBe(false);
      expect(getState().modelId).toBeNull();
      expect(getState().notice?.text).toMatch(/opset ai\.onnx 0, .*1 to 28/);
      expect(loadModelBytes('ms-only.onnx', msOnlyModel())).toBe(true);
      expect(getState().notice).toBeNull();
    });
  });
});
