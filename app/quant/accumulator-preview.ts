// The accumulator preview, per conv/dense layer: what onnxruntime's int8 path on an x86 CPU
// without VNNI (uint8 x int8 products summed in int16-saturating pairs, VPMADDUBSW) does to it,
// and what the other weight range (7-bit `reduce_range` against 8-bit [-127, 127]) would change —
// the question users of onnxruntime's int8 CPU path keep asking. Three affine runs: the current
// weights with pairwise sums, and the other range with exact and with pairwise sums.

import type { RangeMode } from '../../kernels/quant-math/quant-math.js';
import { type Tensor, toFloat32 } from '../../kernels/tensor.js';
import { ErrorAccumulator } from './compare.js';
import type { MetricsInput } from './metrics.js';
import { LAYER_OPS, type Layer, runAffine, simulatedValue } from './metrics-runs.js';
import { effectiveRole, weightParams } from './params.js';
import type { ParamSet } from './simulated-model.js';

export interface LayerPreview {
  /** The current parameters with x86 pairwise sums: accumulators that saturated, and the SQNR. */
  readonly x86Pairwise: { readonly overflows: number; readonly sqnr: number };
  /** Weights at the other range: its SQNR with exact sums, and its saturations with pairwise sums. */
  readonly otherWeightRange: {
    readonly range: RangeMode;
    readonly sqnr: number;
    readonly x86Overflows: number;
  };
}

export async function accumulatorPreview(
  input: MetricsInput,
  layers: readonly Layer[],
  floatRuns: readonly Map<string, Tensor>[],
): Promise<Map<string, LayerPreview>> {
  const dense = layers.filter((l) => LAYER_OPS.has(l.node.opType));
  const pairwise = { ...input.settings, accumulator: { kind: 'pairwise-int16-saturate' } as const };
  const exact = { ...input.settings, accumulator: { kind: 'int32' } as const };
  const role = effectiveRole(input.config.weights);
  const otherRange: RangeMode = role.range === 'reduced' ? 'restricted' : 'reduced';
  const weights = new Map(input.params.weights);
  for (const [w, r] of input.plan.weights) {
    if (input.config.overrides[w]?.scale !== undefined) continue; // manual parameters stay
    weights.set(
      w,
      weightParams(
        input.model.graph.initializers.get(w)!,
        r.axis,
        effectiveRole({ ...role, range: otherRange }, input.config.overrides[w]),
      ),
    );
  }
  const other: ParamSet = { ...input.params, weights };
  const a = await runAffine(input, input.params, pairwise, dense);
  const b = await runAffine(input, other, exact, dense);
  const c = await runAffine(input, other, pairwise, dense);
  const sqnr = (runs: Map<string, Tensor>[], l: Layer) => {
    const acc = new ErrorAccumulator();
    const p = input.params.activations.get(l.tensor);
    runs.forEach((r, s) => {
      const q = simulatedValue(r, input.model, l.tensor, p, !input.params.passthrough.has(l.tensor));
      if (q) acc.add(toFloat32(floatRuns[s].get(l.tensor)!), q);
    });
    return acc.sqnr();
  };
  const out = new Map<string, LayerPreview>();
  for (const l of dense) {
    out.set(l.node.name, {
      x86Pairwise: { overflows: a.stats.get(l.node.name)?.overflowCount ?? 0, sqnr: sqnr(a.runs, l) },
      otherWeightRange: {
        range: otherRange,
        sqnr: sqnr(b.runs, l),
        x86Overflows: c.stats.get(l.node.name)?.overflowCount ?? 0,
      },
    });
  }
  return out;
}
