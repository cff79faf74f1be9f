// Which tensors of a float model get a simulated quantize, and in what role — the layout of
// onnxruntime's quantize_static in QDQ format, so that our export fuses in onnxruntime exactly as
// our own affine simulation does:
// - every float activation a quantized op reads (Conv/Gemm/MatMul: the data input, and a MatMul
//   or Gemm operand that is not constant; Add/Mul/Concat: every operand) and its first output;
// - weights: Conv (axis 0), ConvTranspose (axis 1, its output channels; per tensor with group > 1,
//   where onnxruntime's per-channel bias scale would not broadcast), Gemm (axis 0 with transB,
//   else 1), MatMul (last axis) per channel when configured; constant Add/Mul operands per tensor;
//   all with the weight settings;
// - bias: Conv's and ConvTranspose's third input, Gemm's C when it is 1-D: int32, scale sx * sw,
//   zero point 0;
// - a Relu/Clip that alone follows a quantized op is folded into it when activations are
//   asymmetric (the op's output is not quantized; the Relu/Clip output is), as quantize_static
//   removes it: the zero point then sits at qmin, which clamps exactly as the Relu does;
// - Where: its X and Y activations and its output (the condition stays bool);
// - data-movement ops (MaxPool, Reshape, Transpose, Flatten, Squeeze, Unsqueeze, Resize, Slice,
//   Gather, GatherElements, every output of Split) reuse their input's parameters for their
//   output, so they stay in affine space; so does Pad where its padding is a value of the input or
//   0 (onnxruntime's QDQPad: reflect/edge/wrap, or constant 0), otherwise its output has its own;
// - a Gather/GatherElements whose data is an initializer (an embedding table) is not quantized:
//   onnxruntime quantizes such a table as an activation-typed initializer, a role this plan lacks;
// - Softmax's output range is [0, 1] (onnxruntime's adjust_tensor_ranges);
// - ArgMax: its input (onnxruntime's 'all' then runs it on the 8-bit data);
// - LayerNormalization, InstanceNormalization, BatchNormalization (one BatchNorm that prepare-model
//   did not fold into a Conv) (onnxruntime's QDQNormalization): input and output
//   quantized, a constant scale as a weight (per channel along its only axis when 1-D; onnxruntime
//   would take axis 1, out of range for a 1-D scale, and refuse), the bias int32 with scale
//   sx * s_scale; onnxruntime computes the op in float between DQ and Q.
import type { DType } from '../../kernels/tensor.js';
import { topologicalOrder } from '../exec/plan.js';
import { type GraphNode, type Model, opsetVersion } from '../model/ir.js';
import type { QuantConfig } from './config.js';
import { inferDTypes } from './dtypes.js';

export const SHARED_PARAMS_OPS: ReadonlySet<string> = new Set([
  'MaxPool',
  'Reshape',
  'Transpose',
  'Flatten',
  'Squeeze',
  'Unsqueeze',
  'Resize',
  'Slice',
  'Gather',
  'GatherElements',
  'Split',
]);

/** QDQPad._should_quantize_output_same_as_input: the padding is an input value or exactly 0. */
function padKeepsParams(n: GraphNode, g: Model['graph'], opset: number): boolean {
  const mode = n.attributes.mode;
  const m = mode?.kind === 'string' ? mode.value : 'constant';
  if (m === 'reflect' || m === 'edge' || m === 'wrap') return true;
  if (m !== 'constant') return false;
  if (opset < 11) {
    const v = n.attributes.value;
    return !v || (v.kind === 'float' && v.value === 0);
  }
  const name = n.inputs[2];
  if (!name) return true;
  const t = g.initializers.get(name);
  return !!t && t.dtype === 'float32' && t.data.length === 1 && (t.data as Float32Array)[0] === 0;
}

export interface ActivationRole {
  /** The node that writes it; undefined for a graph input. */
  readonly producer?: string;
  /** Reuses this tensor's parameters (data-movement op outputs). */
  readonly sharedWith?: string;
  /** A range fixed by the op's meaning (Softmax: [0, 1]). */
  readonly fixedRange?: readonly [number, number];
}

export interface WeightRole {
  readonly consumer: string;
  /** Per-channel axis, or undefined for per tensor. */
  readonly axis?: number;
}

export interface BiasRole {
  readonly consumer: string;
  /** The activation the consumer multiplies by the weight. */
  readonly input: string;
  readonly weight: string;
}

export interface QuantPlan {
  /** Every node, in topological order. */
  readonly order: readonly GraphNode[];
  /** Names of the quantized nodes, in topological order (one calibration step each). */
  readonly quantizedNodes: readonly string[];
  readonly activations: ReadonlyMap<string, ActivationRole>;
  readonly weights: ReadonlyMap<string, WeightRole>;
  readonly biases: ReadonlyMap<string, BiasRole>;
  readonly dtypes: ReadonlyMap<string, DType>;
  /** What the plan could not do as configured, one line each (shown by the CLI and the page). */
  readonly warnings: readonly string[];
}

const GEMM_LIKE = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
const NORM_OPS = new Set(['LayerNormalization', 'InstanceNormalization', 'BatchNormalization']);

function activationInputs(n: GraphNode, isConst: (t: string) => boolean): number[] {
  const all = n.inputs.map((_, i) => i);
  switch (n.opType) {
    case 'Conv':
    case 'ConvTranspose':
      return [0];
    case 'Gemm':
    case 'MatMul':
      return [0, 1].filter((i) => i === 0 || !isConst(n.inputs[i]));
    case 'Add':
    case 'Mul':
    case 'Concat':
      return all.filter((i) => n.inputs[i] && !isConst(n.inputs[i]));
    case 'Where':
      // X and Y (onnxruntime's QDQWhere); the bool condition is not quantized. A constant X or Y
      // stays float for now, so such a Where keeps its float form (no QLinearWhere fusion).
      return [1, 2].filter((i) => n.inputs[i] && !isConst(n.inputs[i]));
    default:
      return [0];
  }
}

function weightAxis(n: GraphNode, rank: number, perChannel: boolean): number | undefined {
  if (!perChannel || rank < 2) return undefined;
  if (n.opType === 'Conv') return 0;
  if (n.opType === 'ConvTranspose') return groupOf(n) === 1 ? 1 : undefined;
  if (n.opType === 'Gemm') return n.attributes.transB?.kind === 'int' && n.attributes.transB.value ? 0 : 1;
  if (n.opType === 'MatMul') return rank - 1;
  return undefined;
}

function groupOf(n: GraphNode): number {
  const g = n.attributes.group;
  return g?.kind === 'int' ? g.value : 1;
}

/** Does this Clip have constant bounds (onnxruntime only folds such a Clip)? */
function hasConstantBounds(n: GraphNode, isConst: (t: string) => boolean): boolean {
  return n.inputs.slice(1).every((t) => !t || isConst(t));
}

export function planQuantization(model: Model, config: QuantConfig): QuantPlan {
  const g = model.graph;
  const order = topologicalOrder(g);
  const dtypes = inferDTypes(g);
  const isConst = (t: string) => g.initializers.has(t);
  const isFloat = (t: string) => !!t && dtypes.get(t) === 'float32';
  const consumers = new Map<string, GraphNode[]>();
  for (const n of order) for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const opTypes = new Set(config.opTypes);
  const warnings: string[] = [];
  const opset = opsetVersion(model, '') ?? 1;
  // DequantizeLinear's axis needs opset 13; raising an older model that far would change the
  // meaning of some of its ops, so its weights are quantized per tensor instead.
  const perChannel = config.weights.perChannel && opset >= 13;
  if (config.weights.perChannel && opset < 13) {
    warnings.push(
      `per-channel weights need ai.onnx opset 13; this model is opset ${opset}: weights are quantized per tensor`,
    );
  }
  const quantizable = (n: GraphNode) =>
    (n.domain === '' || n.domain === 'ai.onnx') &&
    opTypes.has(n.opType) &&
    (isFloat(n.outputs[0]) || (n.opType === 'ArgMax' && isFloat(n.inputs[0]))) &&
    !((n.opType === 'Gather' || n.opType === 'GatherElements') && isConst(n.inputs[0]));

  // Outputs folded into a following Relu/Clip (never quantized themselves).
  const folded = new Set<string>();
  if (!config.activations.symmetric) {
    for (const n of order) {
      if (!quantizable(n) || n.opType === 'Relu' || n.opType === 'Clip') continue;
      const out = n.outputs[0];
      const readers = consumers.get(out) ?? [];
      const r = readers[0];
      if (
        readers.length === 1 &&
        !graphOutputs.has(out) &&
        (r.opType === 'Relu' || (r.opType === 'Clip' && hasConstantBounds(r, isConst))) &&
        quantizable(r)
      ) {
        folded.add(out);
      }
    }
  }

  const activations = new Map<string, ActivationRole>();
  const weights = new Map<string, WeightRole>();
  const biases = new Map<string, BiasRole>();
  const producers = new Map<string, string>();
  for (const n of order) for (const o of n.outputs) if (o) producers.set(o, n.name);
  const addActivation = (t: string, role: ActivationRole = {}) => {
    if (!isFloat(t) || isConst(t) || folded.has(t)) return;
    const old = activations.get(t);
    activations.set(t, { producer: producers.get(t), ...old, ...role });
  };
  const quantizedNodes: string[] = [];
  for (const n of order) {
    if (!quantizable(n)) continue;
    quantizedNodes.push(n.name);
    for (const i of activationInputs(n, isConst)) addActivation(n.inputs[i]);
    const out = n.outputs[0];
    const shares = SHARED_PARAMS_OPS.has(n.opType) || (n.opType === 'Pad' && padKeepsParams(n, g, opset));
    if (shares && activations.has(n.inputs[0])) {
      for (const o of n.opType === 'Split' ? n.outputs : [out]) addActivation(o, { sharedWith: n.inputs[0] });
    } else if (n.opType === 'Split') {
      for (const o of n.outputs) addActivation(o);
    } else if (n.opType === 'Softmax') {
      addActivation(out, { fixedRange: [0, 1] });
    } else {
      addActivation(out);
    }
    if (GEMM_LIKE.has(n.opType)) {
      const w = n.inputs[1];
      if (w && isConst(w) && isFloat(w) && !weights.has(w)) {
        const rank = g.initializers.get(w)!.dims.length;
        if (n.opType === 'ConvTranspose' && perChannel && groupOf(n) !== 1) {
          warnings.push(`${n.name}: ConvTranspose with group > 1: weights quantized per tensor`);
        }
        weights.set(w, { consumer: n.name, axis: weightAxis(n, rank, perChannel) });
      }
      const b = n.inputs[2];
      const wt = w ? g.initializers.get(w) : undefined;
      const bt = b ? g.initializers.get(b) : undefined;
      if (b && bt && wt && weights.has(w) && isFloat(b) && bt.dims.length === 1 && n.opType !== 'MatMul') {
        biases.set(b, { consumer: n.name, input: n.inputs[0], weight: w });
      }
    } else if (NORM_OPS.has(n.opType)) {
      const [, w, b] = n.inputs;
      const wt = w ? g.initializers.get(w) : undefined;
      const bt = b ? g.initializers.get(b) : undefined;
      if (wt && isFloat(w) && !weights.has(w)) {
        weights.set(w, { consumer: n.name, axis: perChannel && wt.dims.length === 1 ? 0 : undefined });
      }
      if (bt && wt && weights.has(w) && isFloat(b) && bt.dims.length === 1 && bt.dims[0] === wt.dims[0]) {
        if (wt.dims.length === 1 || weights.get(w)?.axis === undefined) {
          biases.set(b, { consumer: n.name, input: n.inputs[0], weight: w });
        }
      }
    } else if (n.opType === 'Add' || n.opType === 'Mul') {
      for (const t of n.inputs)
        if (t && isConst(t) && isFloat(t) && !weights.has(t)) weights.set(t, { consumer: n.name });
    }
  }
  // A bias needs a quantized activation input (its scale is sx * sw).
  for (const [b, role] of biases) if (!activations.has(role.input)) biases.delete(b);
  return { order, quantizedNodes, activations, weights, biases, dtypes, warnings };
}
