// What a graph view folds away: `Constant` nodes (exporters keep whole weight sets in them: a
// real 471-node OCR model holds its 250 weights that way) and constant-foldable chains such as
// Shape -> Gather -> Unsqueeze -> Concat feeding a Reshape's shape input. A folded node is not
// drawn; it belongs to the drawn node(s) that consume what it computes, which list it (as
// Netron shows initializers inside their consumer). Only integer chains fold: float math on
// weights (mnist-8's Reshape of its dense weights, a Transpose) stays drawn, as onnxruntime's
// and qdq-fold's constant folding keep it. Structural only: nothing is evaluated.
import { type DType, isIntegerDType, isNarrowDType, type Tensor } from '../../kernels/tensor.js';
import type { Graph, GraphNode, ValueInfo } from './ir.js';
import { dtypeFromOnnx } from './tensor-proto.js';

/** Ops whose output is not a function of their inputs: never folded. */
const NONDETERMINISTIC = new Set([
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
  'Bernoulli',
]);

/** Ops that read only their input's shape, not its values. */
const SHAPE_READERS = new Set(['Shape', 'Size']);

export interface GraphFolding {
  /** Indices (into graph.nodes) of the nodes not drawn. */
  readonly hidden: ReadonlySet<number>;
  /** Drawn node index -> the folded node indices feeding it, in graph order. */
  readonly foldedInto: ReadonlyMap<number, readonly number[]>;
  /** Folded node index -> the first drawn node it feeds (where a view shows it). */
  readonly hostOf: ReadonlyMap<number, number>;
  /** Value name -> the Constant node producing it. */
  readonly constantNode: ReadonlyMap<string, GraphNode>;
}

function isDefaultDomain(node: GraphNode): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}

export function isConstantNode(node: GraphNode): boolean {
  return isDefaultDomain(node) && node.opType === 'Constant';
}

/** The tensor a Constant node holds in its `value` attribute (the exporters' form), else null. */
export function constantTensor(node: GraphNode): Tensor | null {
  const v = node.attributes.value;
  return v?.kind === 'tensor' ? v.value : null;
}

/**
 * Elements and bytes of a Constant node's value, whichever attribute holds it (value,
 * value_float(s), value_int(s)); null for strings and sparse values.
 */
export function constantSize(node: GraphNode): { count: number; bytes: number } | null {
  const t = constantTensor(node);
  if (t) return { count: t.data.length, bytes: t.data.byteLength };
  const a = node.attributes;
  if (a.value_float?.kind === 'float') return { count: 1, bytes: 4 };
  if (a.value_floats?.kind === 'floats')
    return { count: a.value_floats.value.length, bytes: 4 * a.value_floats.value.length };
  if (a.value_int?.kind === 'int') return { count: 1, bytes: 8 };
  if (a.value_ints?.kind === 'ints')
    return { count: a.value_ints.value.length, bytes: 8 * a.value_ints.value.length };
  return null;
}

function foldable(
  node: GraphNode,
  isStatic: (value: string) => boolean,
  isInteger: (value: string) => boolean,
  graphOutputs: Set<string>,
): boolean {
  if (!isDefaultDomain(node) || NONDETERMINISTIC.has(node.opType)) return false;
  // Quantize/dequantize nodes are what a quantized graph is about: always drawn.
  if (node.opType === 'QuantizeLinear' || node.opType === 'DequantizeLinear') return false;
  if (node.outputs.some((o) => graphOutputs.has(o))) return false;
  if (node.opType === 'Constant') return true;
  if (SHAPE_READERS.has(node.opType)) return true;
  const inputs = node.inputs.filter(Boolean);
  return inputs.length > 0 && inputs.every(isStatic) && node.outputs.every((o) => !o || isInteger(o));
}

/** `known`: the dtypes shape inference found (a value of unknown dtype does not fold). */
export function foldGraph(graph: Graph, known?: ReadonlyMap<string, ValueInfo>): GraphFolding {
  const nodes = graph.nodes;
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) if (o) producer.set(o, i);
  });
  const integer = new Map<string, boolean>();
  const isInteger = (v: string): boolean => {
    const cached = integer.get(v);
    if (cached !== undefined) return cached;
    integer.set(v, false); // a cycle (an invalid file) reads as float
    const declared = known?.get(v)?.dtype ?? graph.initializers.get(v)?.dtype;
    const p = producer.get(v);
    const result = declared
      ? isIntegerType(declared)
      : p !== undefined && producesInteger(nodes[p], isInteger);
    integer.set(v, result);
    return result;
  };
  // Folded candidates to a fixed point (graph order is usually topological; a second pass
  // covers files that are not).
  const hidden = new Set<number>();
  const isStatic = (v: string) =>
    graph.initializers.has(v) || (producer.has(v) && hidden.has(producer.get(v)!));
  for (let changed = true; changed; ) {
    changed = false;
    nodes.forEach((n, i) => {
      if (!hidden.has(i) && foldable(n, isStatic, isInteger, graphOutputs)) {
        hidden.add(i);
        changed = true;
      }
    });
  }
  const consumers = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    for (const v of new Set(n.inputs)) {
      const p = v ? producer.get(v) : undefined;
      if (p === undefined || p === i) continue;
      const list = consumers.get(p);
      if (list) list.push(i);
      else consumers.set(p, [i]);
    }
  });
  // Hosts, consumers first (reverse topological order over the folded set): a folded node with
  // no drawn node downstream (a dead or all-constant chain) is drawn after all, so nothing
  // the file holds disappears.
  const hosts = new Map<number, Set<number>>();
  const order = topologicalOrder(nodes.length, consumers).reverse();
  for (const i of order) {
    if (!hidden.has(i)) continue;
    const found = new Set<number>();
    for (const c of consumers.get(i) ?? []) {
      if (!hidden.has(c)) found.add(c);
      else for (const h of hosts.get(c) ?? []) found.add(h);
    }
    if (found.size === 0) hidden.delete(i);
    else hosts.set(i, found);
  }
  const foldedInto = new Map<number, number[]>();
  const hostOf = new Map<number, number>();
  for (let i = 0; i < nodes.length; i++) {
    const h = hosts.get(i);
    if (!h || !hidden.has(i)) continue;
    const sorted = [...h].sort((a, b) => a - b);
    hostOf.set(i, sorted[0]);
    for (const d of sorted) {
      const list = foldedInto.get(d);
      if (list) list.push(i);
      else foldedInto.set(d, [i]);
    }
  }
  const constantNode = new Map<string, GraphNode>();
  for (const n of nodes) if (isConstantNode(n) && n.outputs[0]) constantNode.set(n.outputs[0], n);
  return { hidden, foldedInto, hostOf, constantNode };
}

function isIntegerType(d: DType): boolean {
  // The narrow types (int4, int2...) are no shape math: leave them to the ops that take them.
  return (isIntegerDType(d) && !isNarrowDType(d)) || d === 'bool';
}

/** Ops whose output has the element type of their first input. */
const SAME_TYPE = new Set([
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Slice',
  'Reshape',
  'Identity',
  'Expand',
  'Tile',
  'Transpose',
  'Flatten',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Mod',
  'Neg',
  'Abs',
  'Min',
  'Max',
  'Range',
  'ReduceProd',
  'ReduceSum',
  'ReduceMin',
  'ReduceMax',
]);
const BOOLEAN = new Set([
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
]);

/**
 * Whether a node's output is integer when shape inference did not say (it stops at the first
 * node it cannot handle; the shape chains after it are still integer math).
 */
function producesInteger(node: GraphNode, isInteger: (v: string) => boolean): boolean {
  if (!isDefaultDomain(node)) return false;
  if (SHAPE_READERS.has(node.opType) || BOOLEAN.has(node.opType)) return true;
  if (node.opType === 'Cast') {
    const to = node.attributes.to;
    const d = to?.kind === 'int' ? dtypeFromOnnx(to.value) : undefined;
    return d !== undefined && isIntegerType(d);
  }
  if (node.opType === 'Constant') {
    const t = constantTensor(node);
    if (t) return isIntegerType(t.dtype);
    return node.attributes.value_int !== undefined || node.attributes.value_ints !== undefined;
  }
  if (node.opType === 'ConstantOfShape') {
    const v = node.attributes.value;
    return v?.kind === 'tensor' && isIntegerType(v.value.dtype);
  }
  return (
    SAME_TYPE.has(node.opType) &&
    node.inputs[0] !== undefined &&
    node.inputs[0] !== '' &&
    isInteger(node.inputs[0])
  );
}

/** Node indices in an order where every producer comes before its consumers (Kahn). */
function topologicalOrder(count: number, consumers: ReadonlyMap<number, readonly number[]>): number[] {
  const indegree = new Array<number>(count).fill(0);
  for (const cs of consumers.values()) for (const c of cs) indegree[c]++;
  const queue: number[] = [];
  for (let i = 0; i < count; i++) if (indegree[i] === 0) queue.push(i);
  const order: number[] = [];
  while (queue.length) {
    const i = queue.shift()!;
    order.push(i);
    for (const c of consumers.get(i) ?? []) if (--indegree[c] === 0) queue.push(c);
  }
  // A cycle (an invalid file): keep the rest in file order.
  if (order.length < count) for (let i = 0; i < count; i++) if (!order.includes(i)) order.push(i);
  return order;
}
