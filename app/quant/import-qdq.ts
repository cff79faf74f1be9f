// Opening an already-quantized QDQ model as a session: the Q/DQ pairs become simulated quantizers
// with the model's own parameters, DequantizeLinear'd weights become float weights holding exactly
// their dequantized values (with the model's weight parameters kept, so re-quantizing gives the
// same int8 values), int32 biases become float biases. The result is a float model, a plan and a
// parameter set from which buildSimulatedModel writes the same QDQ graph back.
import { dequantizeValue } from '../../kernels/quant-math/quant-math.js';
import { makeTensor, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import { topologicalOrder } from '../exec/plan.js';
import type { GraphNode, Model } from '../model/ir.js';
import { DEFAULT_CONFIG, type QuantConfig, type QuantizedDType } from './config.js';
import { materializeConstants } from './materialize.js';
import { type QParams, roleRange } from './params.js';
import {
  type ActivationRole,
  type BiasRole,
  planQuantization,
  type QuantPlan,
  type WeightRole,
} from './quant-plan.js';
import type { ParamSet } from './simulated-model.js';

export interface ImportedQdq {
  readonly model: Model;
  readonly plan: QuantPlan;
  readonly params: ParamSet;
  readonly config: QuantConfig;
}

function readParams(g: Model['graph'], node: GraphNode, dtypeFallback: QuantizedDType): QParams | undefined {
  const s = g.initializers.get(node.inputs[1]);
  const z = node.inputs[2] ? g.initializers.get(node.inputs[2]) : undefined;
  if (!s) return undefined;
  const dtype = (z?.dtype ?? dtypeFallback) as QuantizedDType;
  if (dtype !== 'int8' && dtype !== 'uint8') return undefined;
  const scale = Array.from(toFloat32(s));
  const zeroPoint = z ? Array.from(z.data as ArrayLike<number>, Number) : scale.map(() => 0);
  const axisAttr = node.attributes.axis;
  const axis =
    scale.length > 1 || (s.dims.length === 1 && axisAttr)
      ? axisAttr?.kind === 'int'
        ? axisAttr.value
        : 1
      : undefined;
  const { qmin, qmax } = roleRange({ dtype, symmetric: false, range: 'full' });
  return { dtype, scale, zeroPoint, axis, qmin, qmax };
}

function dequantizeInitializer(
  q: Tensor,
  scale: Tensor,
  zp: Tensor | undefined,
  axisAttr: number | undefined,
): Tensor {
  const s = toFloat32(scale);
  const z = zp ? Array.from(zp.data as ArrayLike<number>, Number) : [];
  const values = Array.from(q.data as ArrayLike<number>, Number);
  let inner = 1;
  let channels = 1;
  if (s.length > 1) {
    const axis = (axisAttr ?? 1) < 0 ? (axisAttr ?? 1) + q.dims.length : (axisAttr ?? 1);
    channels = q.dims[axis];
    for (let d = axis + 1; d < q.dims.length; d++) inner *= q.dims[d];
  }
  const out = values.map((v, i) => {
    const c = s.length > 1 ? Math.floor(i / inner) % channels : 0;
    return dequantizeValue(v, s[c], z[c] ?? 0);
  });
  return makeTensor('float32', q.dims, out);
}

/** Undoes the QDQ form of a model. Returns undefined when the model has no QuantizeLinear. */
export function importQdqModel(source: Model): ImportedQdq | undefined {
  const model = materializeConstants(source);
  const g = model.graph;
  if (!g.nodes.some((n) => n.opType === 'QuantizeLinear')) return undefined;
  const initializers = new Map(g.initializers);
  const producers = new Map<string, GraphNode>();
  for (const n of g.nodes) for (const o of n.outputs) producers.set(o, n);
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const rename = new Map<string, string>(); // value read by consumers -> the float tensor
  const outputRename = new Map<string, string>(); // producer output -> graph output name
  const removed = new Set<GraphNode>();
  const activations = new Map<string, QParams>();
  const weightParams = new Map<string, QParams>();
  const intBiases = new Set<string>();

  for (const dq of g.nodes.filter((n) => n.opType === 'DequantizeLinear')) {
    const x = dq.inputs[0];
    const q = producers.get(x);
    if (initializers.has(x)) {
      // A weight or bias behind a DQ: back to float.
      const qt = initializers.get(x)!;
      const scale = initializers.get(dq.inputs[1]);
      if (!scale) continue;
      const zp = dq.inputs[2] ? initializers.get(dq.inputs[2]) : undefined;
      const axis = dq.attributes.axis?.kind === 'int' ? dq.attributes.axis.value : undefined;
      const name = dq.outputs[0].replace(/_DequantizeLinear_Output$/, '') || dq.outputs[0];
      const floatName =
        name !== dq.outputs[0] && !initializers.has(name) && !producers.has(name) ? name : dq.outputs[0];
      initializers.set(floatName, dequantizeInitializer(qt, scale, zp, axis));
      if (qt.dtype === 'int32') intBiases.add(floatName);
      else {
        const p = readParams(g, dq, qt.dtype as QuantizedDType);
        if (p) weightParams.set(floatName, p);
      }
      rename.set(dq.outputs[0], floatName);
      removed.add(dq);
      continue;
    }
    if (q?.opType !== 'QuantizeLinear') continue;
    const p = readParams(g, q, 'uint8');
    if (!p) continue;
    const t = q.inputs[0];
    const out = dq.outputs[0];
    if (graphOutputs.has(out)) {
      outputRename.set(t, out);
      activations.set(out, p);
    } else {
      rename.set(out, t);
      activations.set(t, p);
    }
    removed.add(dq);
    removed.add(q);
  }
  // A graph input quantized first keeps its name; so does everything else.
  const nodes: GraphNode[] = g.nodes
    .filter((n) => !removed.has(n))
    .map((n) => ({
      ...n,
      inputs: n.inputs.map((i) => outputRename.get(rename.get(i) ?? i) ?? rename.get(i) ?? i),
      outputs: n.outputs.map((o) => outputRename.get(o) ?? o),
    }));
  const used = new Set(nodes.flatMap((n) => n.inputs));
  for (const k of [...initializers.keys()]) if (!used.has(k) && !graphOutputs.has(k)) initializers.delete(k);
  const floatModel: Model = { ...model, graph: { ...g, nodes, initializers } };

  const firstAct = [...activations.values()][0];
  const firstWeight = [...weightParams.values()][0];
  const config: QuantConfig = {
    ...DEFAULT_CONFIG,
    activations: { ...DEFAULT_CONFIG.activations, dtype: firstAct?.dtype ?? 'uint8' },
    weights: {
      ...DEFAULT_CONFIG.weights,
      dtype: firstWeight?.dtype ?? 'int8',
      perChannel: [...weightParams.values()].some((p) => p.axis !== undefined),
    },
  };
  const plan = importedPlan(floatModel, config, activations, weightParams, intBiases);
  return {
    model: floatModel,
    plan,
    params: { activations, weights: weightParams, passthrough: new Set() },
    config,
  };
}

/** The plan of an imported model: exactly the tensors the file quantized. */
function importedPlan(
  model: Model,
  config: QuantConfig,
  acts: ReadonlyMap<string, QParams>,
  weightParams: ReadonlyMap<string, QParams>,
  intBiases: ReadonlySet<string>,
): QuantPlan {
  const base = planQuantization(model, config);
  const order = topologicalOrder(model.graph);
  const producer = new Map<string, string>();
  for (const n of order) for (const o of n.outputs) producer.set(o, n.name);
  const activations = new Map<string, ActivationRole>();
  for (const t of acts.keys()) activations.set(t, { producer: producer.get(t) });
  const weights = new Map<string, WeightRole>();
  const biases = new Map<string, BiasRole>();
  const quantizedNodes: string[] = [];
  for (const n of order) {
    const reads = n.inputs.some((i) => acts.has(i) || weightParams.has(i));
    if (reads || n.outputs.some((o) => acts.has(o))) quantizedNodes.push(n.name);
    for (const i of n.inputs) {
      if (weightParams.has(i) && !weights.has(i))
        weights.set(i, { consumer: n.name, axis: weightParams.get(i)!.axis });
    }
    const b = n.inputs[2];
    if (b && intBiases.has(b) && weightParams.has(n.inputs[1]))
      biases.set(b, { consumer: n.name, input: n.inputs[0], weight: n.inputs[1] });
  }
  return { ...base, order, quantizedNodes, activations, weights, biases };
}
