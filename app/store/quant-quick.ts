// The fast update after a passthrough toggle: from an incremental run of the execution graph
// (app/quant/incremental.ts re-ran only the nodes downstream of the change), the cumulative
// per-layer error and the model outputs against float. Local SQNR, clip rates and accumulator
// statistics need the full metrics pass and are carried over from the last one.
import { type Tensor, toFloat32 } from '../../kernels/tensor.js';
import type { Model } from '../model/ir.js';
import { argmaxRows, ErrorAccumulator } from '../quant/compare.js';
import { simulatedValue } from '../quant/metrics-runs.js';
import type { ParamSet } from '../quant/simulated-model.js';
import type { LayerRow } from './quant-types.js';

export interface QuickInput {
  readonly model: Model;
  readonly params: ParamSet;
  readonly floats: readonly ReadonlyMap<string, Tensor>[];
  readonly values: readonly ReadonlyMap<string, Tensor>[];
  readonly layers: readonly LayerRow[];
  readonly ran: number;
  readonly total: number;
}

export interface QuickOutput {
  readonly sqnr: number;
  readonly top1Agreement: number | null;
  /** The first sample's quantized output. */
  readonly first: Float32Array;
}

export interface QuickResult {
  readonly layers: LayerRow[];
  readonly outputs: Map<string, QuickOutput>;
  readonly firstOutputs: Map<string, Float32Array | undefined>;
  readonly ran: number;
  readonly total: number;
}

export function quickMetrics(q: QuickInput): QuickResult {
  const layers = q.layers.map((l) => {
    const acc = new ErrorAccumulator();
    const p = q.params.activations.get(l.tensor);
    const live = !q.params.passthrough.has(l.tensor);
    q.values.forEach((run, s) => {
      const v = simulatedValue(run as Map<string, Tensor>, q.model, l.tensor, p, live);
      const ref = q.floats[s].get(l.tensor);
      if (v && ref) acc.add(toFloat32(ref), v);
    });
    return {
      ...l,
      sqnrCumulative: acc.sqnr(),
      cosine: acc.cosine(),
      maxAbsError: acc.maxAbsError(),
    };
  });
  const outputs = new Map<string, QuickOutput>();
  const firstOutputs = new Map<string, Float32Array | undefined>();
  for (const o of q.model.graph.outputs) {
    const acc = new ErrorAccumulator();
    let agree = 0;
    let rows = 0;
    let classifier = true;
    q.values.forEach((run, s) => {
      const ref = q.floats[s].get(o.name);
      const got = run.get(o.name);
      if (!ref || !got) return;
      const a = toFloat32(ref);
      const b = toFloat32(got);
      acc.add(a, b);
      const classes = ref.dims[ref.dims.length - 1] ?? 1;
      if (classes < 2) classifier = false;
      if (!classifier) return;
      const ra = argmaxRows(a, classes);
      const rb = argmaxRows(b, classes);
      ra.forEach((c, i) => {
        rows++;
        if (c === rb[i]) agree++;
      });
    });
    const first = q.values[0]?.get(o.name);
    firstOutputs.set(o.name, first ? toFloat32(first) : undefined);
    outputs.set(o.name, {
      sqnr: acc.sqnr(),
      top1Agreement: classifier && rows > 0 ? agree / rows : null,
      first: first ? toFloat32(first) : new Float32Array(0),
    });
  }
  return { layers, outputs, firstOutputs, ran: q.ran, total: q.total };
}
