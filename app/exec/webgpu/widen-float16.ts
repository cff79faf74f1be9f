// WebGPU plan-time rewrite: float16 values are stored widened to f32 (the GPU path keeps no
// float16 and does not rely on the optional shader-f16 feature). Every float16 value of the graph
// becomes a float32 value of the same name holding the same (exact) number; float16 constants and
// initializers become float32 ones; the executor converts float16 graph inputs on upload and
// converts float16 outputs back to float16 bits on readback (webgpu-executor.ts). A node that
// computes in float16 is planned as its float32 twin followed by a rounding of each float16
// output to the nearest float16 value (the private `RoundToFloat16` node, a WGSL kernel on f32
// words): that is what the CPU references (kernels/*.ref.ts: decode, compute wide, round once)
// and onnxruntime's float16 kernels mean. Ops that select or move values (Relu, MaxPool,
// Transpose ...) need no rounding. Ops whose float16 meaning is NOT "compute wide, round the
// output" stay as written on the CPU reference, reached through inserted Casts (their widened
// inputs cast to float16, their float16 outputs cast back), listed as CPU fallbacks:
//   Attention, RNN/GRU/LSTM (round every step), Mean and Sum of 3+ inputs (round each running
//   sum), Range, CumSum / CumProd, RotaryEmbedding / SwiGLU (round every step),
//   Quantize/DequantizeLinear with an explicit precision / output_dtype, a scatter with a reduction,
//   Cast from float64 (double rounding), ops with a dtype attribute, and all ops not listed below.
// A float16 value that no widened node produces or reads stays float16 (no Casts around a lone
// CPU-reference op). A model with subgraphs (If / Loop / Scan read outer values by name) is
// planned as written. The CPU interpreter runs the model as written.
import { narrowToFloat16, widenFloat16 } from '../../../kernels/dtypes/round-f16.js';
import { REDUCE_OPS } from '../../../kernels/reduce/reduce.ref.js';
import type { DType, Tensor } from '../../../kernels/tensor.js';
import { UNARY_OPS } from '../../../kernels/unary/unary.ref.js';
import type { GraphNode, Model } from '../../model/ir.js';
import type { ShapeResult, ValueShape } from '../../model/shape-inference.js';
import { dtypeFromOnnx, dtypeToOnnx } from '../../model/tensor-proto.js';
import type { CpuOp } from '../cpu/op-types.js';
import { gpuStorageBytes } from './gpu-storage.js';

/** The private op that rounds f32 values to float16 values (kept in f32); lowered in lower-round-f16.ts. */
export const ROUND_F16_DOMAIN = 'qplay.webgpu';
export const ROUND_F16_OP = 'RoundToFloat16';

/** The rounding node's CPU form, for constant folding at plan time. */
export const roundToFloat16CpuOp: CpuOp = ({ inputs }) => [widenFloat16(narrowToFloat16(inputs[0]!))];

/** Ops whose float16 results are their float32 twin's results rounded once to float16. */
const ROUNDED = new Set<string>([
  ...UNARY_OPS,
  ...REDUCE_OPS,
  'Conv',
  'ConvTranspose',
  'Gemm',
  'MatMul',
  'AveragePool',
  'GlobalAveragePool',
  'LpPool',
  'Softmax',
  'LogSoftmax',
  'BatchNormalization',
  'LayerNormalization',
  'RMSNormalization',
  'InstanceNormalization',
  'GroupNormalization',
  'LpNormalization',
  'LRN',
  'MeanVarianceNormalization',
  'LeakyRelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Erf',
  'Sqrt',
  'Clip',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'PRelu',
  'Einsum',
  'Mod',
  'Resize',
  'Pad', // opset < 11 takes its fill as a float attribute, which the reference rounds
]);

/** Ops whose float16 outputs are (some of) their input values, or that output no float16. */
const EXACT = new Set<string>([
  'Relu',
  'Max',
  'Min',
  'MaxPool',
  'GlobalMaxPool',
  'Where',
  'Reshape',
  'Flatten',
  'Squeeze',
  'Unsqueeze',
  'Identity',
  'Transpose',
  'Concat',
  'Split',
  'Slice',
  'Gather',
  'GatherElements',
  'Expand',
  'Tile',
  'DepthToSpace',
  'SpaceToDepth',
  'Trilu',
  'Hardmax',
  'ArgMax',
  'ArgMin',
  'TopK',
  'IsNaN',
  'IsInf',
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Shape',
  'Size',
  'OneHot',
  'QLinearMatMul', // float16 scales (opset 21) are exact in f32; its output is 8-bit
]);

/** How a float16-touching node is planned: widened (with or without rounding) or as written. */
function kindOf(n: GraphNode): 'rounded' | 'exact' | 'excluded' {
  if (n.domain !== '') return 'excluded';
  if (Object.values(n.attributes).some((a) => a.kind === 'graph')) return 'excluded';
  if (n.opType === 'Sum') return n.inputs.length <= 2 ? 'rounded' : 'excluded';
  if (n.opType === 'Dropout') return n.inputs.length <= 1 ? 'exact' : 'excluded'; // a fed ratio / training mode
  if (n.opType.startsWith('Scatter')) {
    const r = n.attributes.reduction;
    return !r || (r.kind === 'string' && r.value === 'none') ? 'exact' : 'excluded';
  }
  // The float16 output follows a float16 scale (computed in f32, rounded once); an explicit
  // output_dtype or precision would name a type the widened twin no longer has.
  const attr0 = (name: string) => {
    const a = n.attributes[name];
    return !a || (a.kind === 'int' && a.value === 0);
  };
  if (n.opType === 'DequantizeLinear') return attr0('output_dtype') ? 'rounded' : 'excluded';
  if (n.opType === 'QuantizeLinear') return attr0('precision') ? 'exact' : 'excluded';
  if (ROUNDED.has(n.opType)) return 'rounded';
  if (EXACT.has(n.opType)) return 'exact';
  return 'excluded';
}

export interface WidenedPlan {
  readonly model: Model;
  readonly shapes: ShapeResult;
  /** Values the user sees as float16 that the plan stores as float32 (same names). */
  readonly widened: ReadonlySet<string>;
}

/** The dtype a Cast / CastLike converts to. */
function castTarget(n: GraphNode, dtypeOf: (v: string) => DType | undefined): DType | undefined {
  if (n.opType === 'CastLike') return dtypeOf(n.inputs[1]);
  const to = n.attributes.to;
  return to?.kind === 'int' ? dtypeFromOnnx(to.value) : undefined;
}

export function widenFloat16Values(model: Model, shapes: ShapeResult): WidenedPlan {
  if (![...shapes.values.values()].some((s) => s.dtype === 'float16'))
    return { model, shapes, widened: new Set() };
  // Subgraphs read outer values by name: a model with them is planned as written.
  const hasSubgraph = model.graph.nodes.some((n) =>
    Object.values(n.attributes).some((a) => a.kind === 'graph'),
  );
  if (hasSubgraph) return { model, shapes, widened: new Set() };
  const dtypeOf = (v: string) => shapes.values.get(v)?.dtype;
  const folded = (n: GraphNode) => n.outputs.every((o) => !o || shapes.constants.has(o));
  /** Nodes planned as written (on the CPU reference): see the file comment. */
  const asWritten = new Set<GraphNode>();
  const hostCasts = new Set<GraphNode>();
  for (const n of model.graph.nodes) {
    if (folded(n)) continue;
    if (n.domain === '' && (n.opType === 'Cast' || n.opType === 'CastLike')) {
      const from = dtypeOf(n.inputs[0]);
      const to = castTarget(n, dtypeOf);
      const widenable =
        (from === 'float16' && to !== undefined) ||
        (to === 'float16' && from !== 'float64' && from !== undefined);
      if (!widenable) asWritten.add(n);
      // To a type the GPU does not hold: a host Cast either way, widened only if its input is.
      else if (from === 'float16' && to !== 'float16' && gpuStorageBytes(to!) === 0) hostCasts.add(n);
      continue;
    }
    const kind = kindOf(n);
    // A float64 input next to float16 outputs would be rounded twice (to f32, then to f16).
    const f64 = n.inputs.some((v) => v && dtypeOf(v) === 'float64');
    if (kind === 'excluded' || (f64 && kind === 'rounded')) asWritten.add(n);
  }
  // A float16 value stays float16 where no widened node produces or reads it (no Casts needed).
  const producer = new Map<string, GraphNode>();
  const widenedReader = new Set<string>();
  for (const n of model.graph.nodes) {
    for (const o of n.outputs) if (o && !folded(n)) producer.set(o, n);
    if (!asWritten.has(n) && !hostCasts.has(n)) for (const i of n.inputs) if (i) widenedReader.add(i);
  }
  const widened = new Set<string>();
  for (const [name, s] of shapes.values) {
    if (s.dtype !== 'float16') continue;
    const p = producer.get(name);
    if (widenedReader.has(name) || (p && !asWritten.has(p))) widened.add(name);
  }
  if (widened.size === 0) return { model, shapes, widened };

  const values = new Map<string, ValueShape>();
  for (const [name, s] of shapes.values)
    values.set(name, widened.has(name) ? { dtype: 'float32', dims: s.dims } : s);
  const widenMap = (m: ReadonlyMap<string, Tensor>) =>
    new Map([...m].map(([k, t]) => [k, widened.has(k) ? widenFloat16(t) : t] as const));
  const constants = widenMap(shapes.constants);
  const nodes: GraphNode[] = [];
  const narrowed = new Map<string, string>(); // widened value -> its float16 copy for excluded nodes

  const castNode = (name: string, input: string, output: string, to: number): GraphNode => ({
    name,
    opType: 'Cast',
    domain: '',
    inputs: [input],
    outputs: [output],
    attributes: { to: { kind: 'int', value: to } },
  });
  const roundNode = (input: string, output: string): GraphNode => ({
    name: `${output}.round_f16`,
    opType: ROUND_F16_OP,
    domain: ROUND_F16_DOMAIN,
    inputs: [input],
    outputs: [output],
    attributes: {},
  });
  /** The node's float16 outputs renamed to unrounded f32 values, each followed by its rounding. */
  const pushRounded = (n: GraphNode) => {
    const rounds: GraphNode[] = [];
    const outputs = n.outputs.map((o) => {
      if (!o || !widened.has(o)) return o;
      const raw = `${o}.f32`;
      values.set(raw, values.get(o)!);
      rounds.push(roundNode(raw, o));
      return raw;
    });
    nodes.push({ ...n, outputs }, ...rounds);
  };
  /** A widenable Cast (or CastLike, whose target is `to`): a copy, a rounding, or a Cast to f32 + rounding. */
  const pushCast = (n: GraphNode, to: DType): void => {
    const x = n.inputs[0];
    const from = dtypeOf(x);
    const out = n.outputs[0];
    const attributes = { ...n.attributes, to: { kind: 'int' as const, value: dtypeToOnnx(to) } };
    const cast: GraphNode = { ...n, opType: 'Cast', inputs: [x], attributes };
    if (from === 'float16' && (to === 'float16' || to === 'float32'))
      nodes.push({ ...n, opType: 'Identity', inputs: [x], attributes: {} });
    else if (from === 'float16') nodes.push(cast);
    else if (from === 'float32') nodes.push(roundNode(x, out));
    else {
      // Integers and narrow floats are exact in f32 up to float16's range (past it: inf either way).
      const raw = `${out}.f32`;
      values.set(raw, values.get(out)!);
      nodes.push(
        {
          ...cast,
          attributes: { ...attributes, to: { kind: 'int', value: dtypeToOnnx('float32') } },
          outputs: [raw],
        },
        roundNode(raw, out),
      );
    }
  };
  /** Runs the node as written: widened inputs cast to float16, float16 outputs cast back. */
  const pushExcluded = (n: GraphNode) => {
    const inputs = n.inputs.map((v) => {
      if (!v || !widened.has(v)) return v;
      let h = narrowed.get(v);
      if (!h) {
        h = `${v}.f16`;
        narrowed.set(v, h);
        values.set(h, { dtype: 'float16', dims: shapes.values.get(v)!.dims });
        nodes.push(castNode(h, v, h, dtypeToOnnx('float16')));
      }
      return h;
    });
    const casts: GraphNode[] = [];
    const outputs = n.outputs.map((o) => {
      if (!o || !widened.has(o)) return o;
      const h = `${o}.f16`;
      values.set(h, { dtype: 'float16', dims: shapes.values.get(o)!.dims });
      casts.push(castNode(`${o}.f32`, h, o, dtypeToOnnx('float32')));
      narrowed.set(o, h); // later as-written readers take the float16 original
      return h;
    });
    nodes.push({ ...n, inputs, outputs }, ...casts);
  };

  for (const n of model.graph.nodes) {
    const touches = [...n.inputs, ...n.outputs].some((v) => v && widened.has(v));
    // Folded at plan time (its outputs are known constants): nothing to run.
    if (!touches || folded(n)) nodes.push(n);
    else if (asWritten.has(n)) pushExcluded(n);
    else if (n.domain === '' && (n.opType === 'Cast' || n.opType === 'CastLike'))
      pushCast(n, castTarget(n, dtypeOf)!);
    else if (kindOf(n) === 'rounded') pushRounded(n);
    else nodes.push(n);
  }

  const graph = {
    ...model.graph,
    nodes,
    initializers: widenMap(model.graph.initializers),
    inputs: model.graph.inputs.map((i) => (widened.has(i.name) ? { ...i, dtype: 'float32' as const } : i)),
  };
  return { model: { ...model, graph }, shapes: { ...shapes, values, constants }, widened };
}
