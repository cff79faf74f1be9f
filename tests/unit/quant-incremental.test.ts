// Toggling one passthrough or editing one tensor's parameters re-runs only what depends on it,
// and gives exactly what a full run gives.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTensor, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { Calibration, type RangeChooser } from '../../app/quant/calibrate.js';
import { DEFAULT_CONFIG } from '../../app/quant/config.js';
import { IncrementalRunner } from '../../app/quant/incremental.js';
import { buildSimulatedModel, type ParamSet } from '../../app/quant/simulated-model.js';
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

function sample(seed: number): Map<string, Tensor> {
  const r = rng(seed);
  return new Map([
    [
      'Input3',
      makeTensor(
        'float32',
        [1, 1, 28, 28],
        Array.from({ length: 784 }, () => 255 * r()),
      ),
    ],
  ]);
}

describe('incremental re-run', () => {
  for (const mode of ['fake', 'affine'] as const) {
    it(`re-runs only downstream nodes and equals a full run (${mode})`, async () => {
      const model = decodeModel(readFileSync('tests/fixtures/models/mnist-8.onnx'));
      const samples = [sample(1), sample(2)];
      const cal = new Calibration({ model, config: DEFAULT_CONFIG, samples, chooseRange: minmax });
      await cal.run();
      const base = cal.paramSet();
      const runner = new IncrementalRunner(samples, { integerAccumulation: 'exact' });
      const graphOf = (p: ParamSet) => executionGraph(buildSimulatedModel(cal.model, cal.plan, p), mode);
      const first = runner.run(graphOf(base));
      expect(first.ran).toBe(first.total);
      // Unchanged: nothing runs.
      expect(runner.run(graphOf(base)).ran).toBe(0);
      // The last activation before the classifier goes passthrough: only its tail re-runs.
      const acts = [...cal.plan.activations.keys()];
      const late = acts[acts.length - 3];
      const toggled: ParamSet = { ...base, passthrough: new Set([late]) };
      const graph = graphOf(toggled);
      const second = runner.run(graph);
      expect(second.ran).toBeGreaterThan(0);
      expect(second.ran).toBeLessThan(second.total / 2);
      const out = cal.model.graph.outputs[0].name;
      const full = new CpuInterpreter(graph, { integerAccumulation: 'exact' });
      samples.forEach((s, k) => {
        expect(toFloat32(second.values[k].get(out)!)).toEqual(toFloat32(full.runSync(s).get(out)!));
      });
      // Changing one tensor's parameters: the same.
      const first2 = acts[0];
      const p = base.activations.get(first2)!;
      const edited = new Map(base.activations);
      edited.set(first2, { ...p, scale: [Math.fround(p.scale[0] * 1.5)] });
      const third = runner.run(graphOf({ ...toggled, activations: edited }));
      expect(third.ran).toBeGreaterThan(0);
      const full3 = new CpuInterpreter(graphOf({ ...toggled, activations: edited }), {
        integerAccumulation: 'exact',
      });
      samples.forEach((s, k) => {
        expect(toFloat32(third.values[k].get(out)!)).toEqual(toFloat32(full3.runSync(s).get(out)!));
      });
    });
  }
});
