// A transformer encoder block through the quantization engine, as a user runs it: qplay calibrate
// on 6 samples, export to QDQ, then onnxruntime-node ('all') on the export against `qplay run
// --integer` and `qplay simulate` (affine). The block: LayerNormalization, Q/K/V MatMuls, a
// Transpose, scaled scores, a Where on a padding mask, Softmax, the attention MatMul, a residual
// Add, a second LayerNormalization, an Erf GELU MLP and a residual. The quantized ops (MatMul, Add,
// Mul, Where, Softmax, Transpose) fuse as onnxruntime fuses them; LayerNormalization is quantized
// too but, as in onnxruntime, computed in float between its DQ and Q. The float ops
// (LayerNormalization, Erf, Div) are our float references, not onnxruntime's float32 kernels
// (its LayerNorm sums are vectorized in an order that follows memory alignment), so a
// requantization after one of them may land a step apart on some input or host. On this input
// every output equals onnxruntime's here; the bound allows a step on a few outputs. (Before the
// QLinearSoftmax table's headroom was taken as a float log, 20 of 48 were a step off: a tie of
// nearbyintf in the masked softmax.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';
import { toFloat32 } from '../../kernels/tensor.js';
import { qplay } from '../helpers/quantize-workflow.js';
import { quantizeTransformer } from '../helpers/transformer-quantize.js';
import { runOrt } from './quant-ort.helper.js';

const dir = mkdtempSync(join(tmpdir(), 'qplay-transformer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a transformer encoder block through the quantization engine', () => {
  it('calibrate -> export -> onnxruntime agrees with run --integer and simulate (at most a step, on at most 3 of 48 outputs)', async () => {
    const { bytes, model, session, qdq, exported, test, input } = await quantizeTransformer(dir);
    const ops = decodeModel(exported).graph.nodes.map((nd) => nd.opType);
    expect(ops.filter((o) => o === 'QuantizeLinear').length).toBeGreaterThan(10);
    // The output's quantization step: the scale of the DequantizeLinear that writes y.
    const qm = decodeModel(exported);
    const dqy = qm.graph.nodes.find((nd) => nd.opType === 'DequantizeLinear' && nd.outputs[0] === 'y');
    expect(dqy, 'the output is quantized').toBeDefined();
    const step = toFloat32(qm.graph.initializers.get(dqy!.inputs[1])!)[0];
    const ortAll = toFloat32(Object.values(await runOrt(exported, { x: test }, 'all'))[0]);
    const ortDisabled = toFloat32(Object.values(await runOrt(exported, { x: test }, 'disabled'))[0]);
    const float = toFloat32(Object.values(await runOrt(bytes, { x: test }, 'disabled'))[0]);
    // Affine (integer) results against onnxruntime 'all'; fake quantization against 'disabled'.
    const runs = [
      [['run', qdq, '--integer', '--input', input], ortAll],
      [['simulate', model, '--session', session, '--input', input], ortAll],
      [['simulate', model, '--session', session, '--mode', 'fake', '--input', input], ortDisabled],
    ] as const;
    for (const [k, [args, ort]] of runs.entries()) {
      const out = join(dir, `out-${k}`);
      const res = await qplay([...args, '--out', out]);
      expect(res.stderr, args[0]).toBe('');
      const ours = toFloat32(decodeTensorFile(readFileSync(join(out, 'output_0.pb'))).tensor);
      const steps = Array.from(ours, (v, i) => Math.round(Math.abs(v - ort[i]) / step));
      expect(Math.max(...steps), `${args[0]} vs onnxruntime (step ${step})`).toBeLessThanOrEqual(1);
      expect(steps.filter((s) => s > 0).length, `${args[0]}: outputs a step off`).toBeLessThanOrEqual(3);
      const maxAbs = Math.max(...Array.from(float, Math.abs));
      const err = Math.max(...Array.from(float, (v, i) => Math.abs(v - ours[i])));
      expect(err / maxAbs, `${args[0]} vs float`).toBeLessThan(0.15);
      expect(Array.from(ours)).not.toEqual(Array.from(float));
    }
  }, 120_000);
});
