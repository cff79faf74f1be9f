// Metrics and passthrough on a real model (mnist-8): passthrough everywhere gives the float
// model back exactly; per-layer SQNR/cosine/clip rates are sane and agree with a direct
// computation; the sensitivity ranking is sorted and names every conv/dense layer.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTensor, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { Calibration, type RangeChooser } from '../../app/quant/calibrate.js';
import { DEFAULT_CONFIG } from '../../app/quant/config.js';
import { computeMetrics, type QuantMetrics } from '../../app/quant/metrics.js';
import { buildSimulatedModel } from '../../app/quant/simulated-model.js';
import { executionGraph } from '../../app/quant/simulate.js';
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

function digitLike(seed: number): Map<string, Tensor> {
  const r = rng(seed);
  return new Map([
    [
      'Input3',
      makeTensor(
        'float32',
        [1, 1, 28, 28],
        Array.from({ length: 784 }, () => (r() < 0.2 ? 255 * r() : 0)),
      ),
    ],
  ]);
}

describe('metrics on mnist-8', () => {
  let cal: Calibration;
  let metrics: QuantMetrics;
  const samples = [1, 2, 3, 4].map(digitLike);
  beforeAll(async () => {
    const model = decodeModel(readFileSync('tests/fixtures/models/mnist-8.onnx'));
    cal = new Calibration({ model, config: DEFAULT_CONFIG, samples, chooseRange: minmax });
    await cal.run();
    metrics = await computeMetrics({
      model: cal.model,
      plan: cal.plan,
      params: cal.paramSet(),
      config: cal.config,
      samples,
      accumulatorPreview: true,
      mode: 'affine',
      backend: 'cpu',
      settings: { integerAccumulation: 'exact' },
    });
  });

  it('passthrough on every tensor gives back the float model exactly (both modes)', () => {
    const all = new Set([
      ...cal.plan.activations.keys(),
      ...cal.plan.weights.keys(),
      ...cal.plan.biases.keys(),
    ]);
    const qdq = buildSimulatedModel(cal.model, cal.plan, { ...cal.paramSet(), passthrough: all });
    expect(
      qdq.graph.nodes.some((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear'),
    ).toBe(false);
    const float = new CpuInterpreter(cal.model);
    for (const mode of ['fake', 'affine'] as const) {
      const sim = new CpuInterpreter(executionGraph(qdq, mode));
      for (const s of samples) {
        const name = cal.model.graph.outputs[0].name;
        expect(toFloat32(sim.runSync(s).get(name)!)).toEqual(toFloat32(float.runSync(s).get(name)!));
      }
    }
  });

  it('reports every conv and dense layer with finite, sane numbers', () => {
    const ops = metrics.layers.map((l) => l.opType);
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(2);
    expect(ops).toContain('MatMul');
    for (const l of metrics.layers) {
      expect(l.sqnr.cumulative).toBeGreaterThan(5);
      expect(l.sqnr.cumulative).toBeLessThan(80);
      expect(l.sqnr.local).toBeGreaterThan(5);
      expect(l.cosine).toBeGreaterThan(0.9);
      expect(l.cosine).toBeLessThanOrEqual(1 + 1e-12);
      expect(l.clipRate).toBeGreaterThanOrEqual(0);
      // min-max ranges from the same samples clip nothing.
      expect(l.clipRate).toBe(0);
    }
    if (process.env.QPLAY_PRINT) console.log(JSON.stringify(metrics, null, 1));
    expect(metrics.outputs[0].top1Agreement).toBeGreaterThanOrEqual(0.75);
  });

  it("previews onnxruntime's x86 pairwise sums: none saturate with 7-bit weights, some with 8-bit", () => {
    const dense = metrics.layers.filter((l) => l.preview);
    expect(dense.map((l) => l.opType).sort()).toEqual(['Conv', 'Conv', 'MatMul']);
    for (const l of dense) {
      expect(l.preview!.x86Pairwise.overflows).toBe(0);
      expect(l.preview!.otherWeightRange.range).toBe('restricted');
    }
    expect(dense.reduce((n, l) => n + l.preview!.otherWeightRange.x86Overflows, 0)).toBeGreaterThan(0);
  });

  it('ranks every conv/dense layer by output SQNR with that layer in float, highest first', () => {
    expect(metrics.sensitivity).toHaveLength(3);
    for (let i = 1; i < metrics.sensitivity.length; i++) {
      expect(metrics.sensitivity[i - 1].outputSqnr).toBeGreaterThanOrEqual(metrics.sensitivity[i].outputSqnr);
    }
    // Keeping one layer in float does not make the output worse than everything quantized.
    for (const e of metrics.sensitivity) expect(e.outputSqnr).toBeGreaterThan(metrics.outputs[0].sqnr - 3);
  });
});
