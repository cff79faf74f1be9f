// An already-quantized QDQ model opens as a session: importing our own export, or a model in
// onnxruntime quantize_static's QDQ layout, and writing the simulated graph back gives the same
// numbers in both modes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTensor, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { encodeModel } from '../../app/model/encode.js';
import type { Model } from '../../app/model/ir.js';
import { Calibration, type RangeChooser } from '../../app/quant/calibrate.js';
import { DEFAULT_CONFIG } from '../../app/quant/config.js';
import { importQdqModel } from '../../app/quant/import-qdq.js';
import { buildSimulatedModel } from '../../app/quant/simulated-model.js';
import { executionGraph } from '../../app/quant/simulate.js';
import { calibrate, imageInput, mobilenetLike } from '../helpers/realistic-models.js';
import { quantizeModel } from '../helpers/realistic-quantize.js';
import { rng } from './quant-ort.helper.js';

const minmax: RangeChooser = (values) => {
  let lo = 0;
  let hi = 0;
  for (const v of values)
    for (const x of v) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  return [lo, hi];
};

function sameOutputs(a: Model, b: Model, feeds: Map<string, Tensor>) {
  for (const mode of ['fake', 'affine'] as const) {
    const ra = new CpuInterpreter(executionGraph(a, mode)).runSync(feeds);
    const rb = new CpuInterpreter(executionGraph(b, mode)).runSync(feeds);
    for (const o of a.graph.outputs)
      expect(toFloat32(rb.get(o.name)!), `${mode} ${o.name}`).toEqual(toFloat32(ra.get(o.name)!));
  }
}

describe('QDQ import', () => {
  it('returns undefined for a float model', () => {
    expect(importQdqModel(decodeModel(readFileSync('tests/fixtures/models/mnist-8.onnx')))).toBeUndefined();
  });

  it('round-trips our own export (mnist-8): same parameters, same numbers', async () => {
    const model = decodeModel(readFileSync('tests/fixtures/models/mnist-8.onnx'));
    const r = rng(3);
    const feeds = new Map([
      [
        'Input3',
        makeTensor(
          'float32',
          [1, 1, 28, 28],
          Array.from({ length: 784 }, () => 255 * r()),
        ),
      ],
    ]);
    const cal = new Calibration({ model, config: DEFAULT_CONFIG, samples: [feeds], chooseRange: minmax });
    await cal.run();
    const exported = decodeModel(encodeModel(buildSimulatedModel(cal.model, cal.plan, cal.paramSet())));
    const imported = importQdqModel(exported)!;
    expect([...imported.params.activations.keys()].sort()).toEqual(
      [...cal.paramSet().activations.keys()].sort(),
    );
    for (const [t, p] of cal.paramSet().activations)
      expect(imported.params.activations.get(t)!.scale).toEqual(p.scale);
    expect([...imported.params.weights.keys()].sort()).toEqual([...cal.paramSet().weights.keys()].sort());
    const rebuilt = buildSimulatedModel(imported.model, imported.plan, imported.params);
    sameOutputs(exported, rebuilt, feeds);
  });

  it('opens a quantize_static-layout QDQ MobileNet (per-channel int8 weights, int32 bias)', async () => {
    const g = mobilenetLike({ opset: 13, head: 'gemm', foldBatchNorm: true, seed: 11 });
    const ranges = await calibrate(
      g,
      [1, 2].map((s) => imageInput(g.input.dims, s)),
    );
    const bytes = quantizeModel(g, ranges, {
      format: 'qdq',
      activation: 'uint8',
      weights: 'int8-per-channel',
    });
    const original = decodeModel(bytes);
    const imported = importQdqModel(original)!;
    expect(imported.config.weights.perChannel).toBe(true);
    expect(
      imported.model.graph.nodes.some(
        (n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear',
      ),
    ).toBe(false);
    const rebuilt = buildSimulatedModel(imported.model, imported.plan, imported.params);
    sameOutputs(original, rebuilt, new Map([[g.input.name, imageInput(g.input.dims, 5)]]));
  }, 60_000);
});
