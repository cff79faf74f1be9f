// The chosen parameters as onnxruntime's `TensorQuantOverrides` (quantize_static's extra_options):
// tensor name -> a list of dicts, one for a per-tensor tensor, one per channel for a per-channel
// weight (the first also naming the axis). quant_type is written with QuantType's member names
// (QUInt8, QInt8), which a script maps with QuantType[name]. Passthrough tensors are left out
// (onnxruntime has no "leave this float" override; they go in `nodes_to_exclude` by hand).
import type { QParams } from './params.js';
import type { QuantPlan } from './quant-plan.js';
import type { ParamSet } from './simulated-model.js';

export interface OrtTensorOverride {
  quant_type: 'QUInt8' | 'QInt8';
  scale: number;
  zero_point: number;
  axis?: number;
}

function entries(p: QParams): OrtTensorOverride[] {
  const quant_type = p.dtype === 'uint8' ? 'QUInt8' : 'QInt8';
  return p.scale.map((scale, c) => ({
    quant_type,
    scale,
    zero_point: p.zeroPoint[c],
    ...(p.axis !== undefined && c === 0 ? { axis: p.axis } : {}),
  }));
}

export function tensorQuantOverrides(plan: QuantPlan, params: ParamSet): Record<string, OrtTensorOverride[]> {
  const out: Record<string, OrtTensorOverride[]> = {};
  const names = [...plan.activations.keys(), ...plan.weights.keys()].sort();
  for (const t of names) {
    if (params.passthrough.has(t)) continue;
    const p = params.activations.get(t) ?? params.weights.get(t);
    if (p) out[t] = entries(p);
  }
  return out;
}
