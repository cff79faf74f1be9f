// The simulated graph, written as a QDQ ONNX graph: a QuantizeLinear -> DequantizeLinear pair
// (the simulated quantize / dequantize) on every quantized activation, int8 weights behind a
// DequantizeLinear (per-channel `axis`), int32 biases with scale sx * sw behind a
// DequantizeLinear. A tensor switched to passthrough keeps its real value (no pair; a
// passthrough weight stays float, and so does the bias of its op).
//
// The same graph is the export (encodeModel) and what the executors run:
// - fake-quant (real space): run as is — onnxruntime with optimizations 'disabled';
// - affine (integer): fuseQdqForIntegerExecution first — onnxruntime with optimizations 'all'.
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import type { AttrValue, GraphNode, Model, OpsetImport } from '../model/ir.js';
import { type QParams, quantizeBias, quantizeTensor } from './params.js';
import type { QuantPlan } from './quant-plan.js';

export interface ParamSet {
  /** Resolved parameters of each calibrated activation (shared ones resolved). */
  readonly activations: ReadonlyMap<string, QParams>;
  readonly weights: ReadonlyMap<string, QParams>;
  /** Tensors (activations or weights) that let their real value through. */
  readonly passthrough: ReadonlySet<string>;
}

/** Names given to the pair of an activation, so tools can find them again (as onnxruntime names them). */
export function qdqNames(tensor: string) {
  return {
    quantized: `${tensor}_QuantizeLinear_Output`,
    dequantized: `${tensor}_DequantizeLinear_Output`,
    scale: `${tensor}_scale`,
    zeroPoint: `${tensor}_zero_point`,
    floatOutput: `${tensor}_QuantizeLinear_Input`,
  };
}

function paramTensors(p: QParams): { scale: Tensor; zeroPoint: Tensor } {
  const perChannel = p.axis !== undefined;
  const dims = perChannel ? [p.scale.length] : [];
  return {
    scale: makeTensor('float32', dims, perChannel ? p.scale : [p.scale[0]]),
    zeroPoint: makeTensor(p.dtype, dims, perChannel ? p.zeroPoint : [p.zeroPoint[0]]),
  };
}

function axisAttr(p: { axis?: number }): Record<string, AttrValue> {
  return p.axis === undefined ? {} : { axis: { kind: 'int', value: p.axis } };
}

/**
 * The ai.onnx opset the export declares at least: 10 for QuantizeLinear, 13 for per-channel axes
 * (the plan only quantizes per channel from opset 13: raising a model's opset further would change
 * the meaning of some of its ops, e.g. Dropout's ratio, Softmax's axis, Squeeze's axes).
 */
function raiseOpset(opsets: readonly OpsetImport[], needed: number): OpsetImport[] {
  const has = opsets.some((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!has) return [...opsets, { domain: '', version: needed }];
  return opsets.map((o) =>
    (o.domain === '' || o.domain === 'ai.onnx') && o.version < needed ? { ...o, version: needed } : o,
  );
}

/** The QDQ model of a float model (Constant nodes already initializers) under a parameter set. */
export function buildSimulatedModel(model: Model, plan: QuantPlan, params: ParamSet): Model {
  const g = model.graph;
  const initializers = new Map<string, Tensor>(g.initializers);
  const rename = new Map<string, string>(); // consumers read the dequantized value
  const extraAfter = new Map<string, GraphNode[]>(); // producer node name ('' for inputs) -> pair
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const producerOutputRename = new Map<string, string>();
  let perChannel = false;

  const live = (t: string) => !params.passthrough.has(t);
  for (const [t, role] of plan.activations) {
    const p = params.activations.get(t);
    if (!p || !live(t)) continue;
    const n = qdqNames(t);
    const pt = paramTensors(p);
    initializers.set(n.scale, pt.scale);
    initializers.set(n.zeroPoint, pt.zeroPoint);
    const isOutput = graphOutputs.has(t);
    const source = isOutput ? n.floatOutput : t;
    if (isOutput) producerOutputRename.set(t, n.floatOutput);
    const dqOut = isOutput ? t : n.dequantized;
    const pair: GraphNode[] = [
      {
        name: `${t}_QuantizeLinear`,
        opType: 'QuantizeLinear',
        domain: '',
        inputs: [source, n.scale, n.zeroPoint],
        outputs: [n.quantized],
        attributes: {},
      },
      {
        name: `${t}_DequantizeLinear`,
        opType: 'DequantizeLinear',
        domain: '',
        inputs: [n.quantized, n.scale, n.zeroPoint],
        outputs: [dqOut],
        attributes: {},
      },
    ];
    const key = role.producer ?? '';
    extraAfter.set(key, [...(extraAfter.get(key) ?? []), ...pair]);
    if (!isOutput) rename.set(t, dqOut);
  }

  const weightNodes: GraphNode[] = [];
  for (const [w] of plan.weights) {
    const p = params.weights.get(w);
    const t = g.initializers.get(w);
    if (!p || !t || !live(w)) continue;
    if (p.axis !== undefined) perChannel = true;
    const pt = paramTensors(p);
    initializers.set(`${w}_quantized`, quantizeTensor(t, p));
    initializers.set(`${w}_scale`, pt.scale);
    initializers.set(`${w}_zero_point`, pt.zeroPoint);
    const out = `${w}_DequantizeLinear_Output`;
    weightNodes.push({
      name: `${w}_DequantizeLinear`,
      opType: 'DequantizeLinear',
      domain: '',
      inputs: [`${w}_quantized`, `${w}_scale`, `${w}_zero_point`],
      outputs: [out],
      attributes: axisAttr(p),
    });
    rename.set(w, out);
  }
  for (const [b, role] of plan.biases) {
    const x = params.activations.get(role.input);
    const w = params.weights.get(role.weight);
    const bt = g.initializers.get(b);
    if (!x || !w || !bt || !live(role.input) || !live(role.weight) || !live(b)) continue;
    const qb = quantizeBias(bt, x.scale[0], w.scale);
    const axis = qb.scale.length > 1 ? 0 : undefined;
    initializers.set(`${b}_quantized`, qb.q);
    initializers.set(
      `${b}_scale`,
      makeTensor('float32', axis === undefined ? [] : [qb.scale.length], qb.scale),
    );
    const out = `${b}_DequantizeLinear_Output`;
    weightNodes.push({
      name: `${b}_DequantizeLinear`,
      opType: 'DequantizeLinear',
      domain: '',
      inputs: [`${b}_quantized`, `${b}_scale`],
      outputs: [out],
      attributes: axisAttr({ axis }),
    });
    rename.set(b, out);
  }

  const nodes: GraphNode[] = [...weightNodes, ...(extraAfter.get('') ?? [])];
  for (const n of g.nodes) {
    nodes.push({
      ...n,
      inputs: n.inputs.map((i) => rename.get(i) ?? i),
      outputs: n.outputs.map((o) => producerOutputRename.get(o) ?? o),
    });
    nodes.push(...(extraAfter.get(n.name) ?? []));
  }
  // Float initializers that only the replaced tensors read are dropped from the export.
  const used = new Set(nodes.flatMap((n) => n.inputs));
  for (const o of g.outputs) used.add(o.name);
  for (const name of [...initializers.keys()]) if (!used.has(name)) initializers.delete(name);
  const needed = perChannel ? 13 : 10;
  return {
    ...model,
    // IR 7 goes with opset 13; before IR 4 onnxruntime takes initializers for overridable inputs
    // and would not fold the weights' DequantizeLinear.
    irVersion: Math.max(model.irVersion, 7),
    opsets: raiseOpset(model.opsets, needed),
    graph: { ...g, nodes, initializers },
  };
}
