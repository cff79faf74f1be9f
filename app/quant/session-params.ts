// Between the engine's parameters and the session document's "tensors" / "weights" entries
// (docs/session-format.md). Scales are f32 values written as JSON numbers (shortest round trip),
// so they come back bit for bit.
import type { Model } from '../model/ir.js';
import type { TensorParams as TensorEntry, WeightParams as WeightEntry } from '../session/session.js';
import type { ActivationResult } from './calibrate.js';
import type { QuantConfig } from './config.js';
import { effectiveRole, type QParams, roleRange, weightParamsFor } from './params.js';
import type { QuantPlan } from './quant-plan.js';
import type { ParamSet } from './simulated-model.js';

function scalarOrList(values: readonly number[], perChannel: boolean): number | number[] {
  return perChannel ? [...values] : values[0];
}

function list(v: number | readonly number[]): number[] {
  return typeof v === 'number' ? [v] : [...v];
}

/** The document's entries for a calibrated (or imported) parameter set. */
export function sessionEntries(
  plan: QuantPlan,
  params: ParamSet,
  config: QuantConfig,
  results?: ReadonlyMap<string, ActivationResult>,
): { tensors: Record<string, TensorEntry>; weights: Record<string, WeightEntry> } {
  const tensors: Record<string, TensorEntry> = {};
  for (const t of [...plan.activations.keys()].sort()) {
    const p = params.activations.get(t);
    if (!p) continue;
    const r = results?.get(t);
    const override = config.overrides[t];
    const lo = (p.qmin - p.zeroPoint[0]) * p.scale[0];
    const hi = (p.qmax - p.zeroPoint[0]) * p.scale[0];
    tensors[t] = {
      dtype: p.dtype,
      scale: p.scale[0],
      zeroPoint: p.zeroPoint[0],
      observer: r?.source ?? 'manual',
      range: r ? [r.range[0], r.range[1]] : [lo, hi],
      passthrough: params.passthrough.has(t),
      ...(override ? { override } : {}),
    };
  }
  const weights: Record<string, WeightEntry> = {};
  for (const w of [...plan.weights.keys()].sort()) {
    const p = params.weights.get(w);
    if (!p) continue;
    const perChannel = p.axis !== undefined;
    weights[w] = {
      dtype: p.dtype,
      scale: scalarOrList(p.scale, perChannel),
      zeroPoint: scalarOrList(p.zeroPoint, perChannel),
      ...(perChannel ? { axis: p.axis } : {}),
      passthrough: params.passthrough.has(w),
    };
  }
  return { tensors, weights };
}

/**
 * The parameter set a session document describes, on the model it was made for (constants
 * materialized, `plan` from planQuantization with the document's config). Weight parameters the
 * document leaves out are recomputed from the weights and the config, exactly as calibration
 * computed them.
 */
export function paramSetFromEntries(
  model: Model,
  plan: QuantPlan,
  config: QuantConfig,
  tensors: Readonly<Record<string, TensorEntry>>,
  weights: Readonly<Record<string, WeightEntry>> | undefined,
  extraPassthrough: Iterable<string> = [],
): ParamSet {
  const activations = new Map<string, QParams>();
  const passthrough = new Set<string>(extraPassthrough);
  for (const [t, e] of Object.entries(tensors)) {
    if (e.passthrough) passthrough.add(t);
    const role = effectiveRole({ ...config.activations, dtype: e.dtype }, e.override ?? config.overrides[t]);
    const { qmin, qmax } = roleRange({ ...role, dtype: e.dtype });
    activations.set(t, {
      dtype: e.dtype,
      scale: list(e.scale),
      zeroPoint: list(e.zeroPoint),
      axis: e.axis,
      qmin,
      qmax,
    });
  }
  const weightParamsMap = new Map<string, QParams>();
  for (const [w, role] of plan.weights) {
    const e = weights?.[w];
    const override = config.overrides[w];
    const r = effectiveRole(config.weights, override);
    if (e) {
      if (e.passthrough) passthrough.add(w);
      const { qmin, qmax } = roleRange({ ...r, dtype: e.dtype });
      weightParamsMap.set(w, {
        dtype: e.dtype,
        scale: list(e.scale),
        zeroPoint: list(e.zeroPoint),
        axis: e.axis,
        qmin,
        qmax,
      });
      continue;
    }
    if (override?.passthrough) passthrough.add(w);
    weightParamsMap.set(
      w,
      weightParamsFor(model.graph.initializers.get(w)!, role.axis, config.weights, override),
    );
  }
  for (const [t, o] of Object.entries(config.overrides)) if (o.passthrough) passthrough.add(t);
  return { activations, weights: weightParamsMap, passthrough };
}
