// A small mutable view of a Graph for the QDQ rewrite passes (fuse-qdq.ts): nodes can be removed,
// replaced and added, initializers added under fresh names, and the consumer/producer relations
// are recomputed on demand. `toGraph` gives back a plain readonly Graph in topological order.
import { allocData, type DType, sizeOf, type Tensor } from '../../kernels/tensor.js';
import { topologicalOrder } from '../exec/plan.js';
import type { AttrValue, Graph, GraphNode, Model } from '../model/ir.js';
import { opsetVersion } from '../model/ir.js';

export interface EditNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttrValue>;
}

/** One use of a value: input `index` of `node`. */
export interface Use {
  readonly node: EditNode;
  readonly index: number;
}

export class EditableGraph {
  nodes: EditNode[];
  readonly initializers: Map<string, Tensor>;
  private readonly usedNames = new Set<string>();
  private readonly outputNames: Set<string>;

  constructor(
    private readonly model: Model,
    private readonly graph: Graph = model.graph,
  ) {
    this.nodes = graph.nodes.map((n) => ({
      name: n.name,
      opType: n.opType,
      domain: n.domain,
      inputs: [...n.inputs],
      outputs: [...n.outputs],
      attributes: { ...n.attributes },
    }));
    this.initializers = new Map(graph.initializers);
    this.outputNames = new Set(graph.outputs.map((o) => o.name));
    for (const n of this.nodes) {
      this.usedNames.add(n.name);
      for (const o of n.outputs) this.usedNames.add(o);
    }
    for (const k of this.initializers.keys()) this.usedNames.add(k);
    for (const i of graph.inputs) this.usedNames.add(i.name);
  }

  opset(domain = ''): number {
    return opsetVersion(this.model, domain) ?? 1;
  }

  /** A name no value, node or initializer has yet (and reserves it). */
  freshName(base: string): string {
    let name = base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${base}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  addInitializer(base: string, t: Tensor): string {
    const name = this.freshName(base);
    this.initializers.set(name, t);
    return name;
  }

  producer(value: string): EditNode | undefined {
    if (!value) return undefined;
    return this.nodes.find((n) => n.outputs.includes(value));
  }

  /** Every (node, input index) that reads `value`, in node order. */
  uses(value: string): Use[] {
    const out: Use[] = [];
    if (!value) return out;
    for (const node of this.nodes) {
      node.inputs.forEach((name, index) => {
        if (name === value) out.push({ node, index });
      });
    }
    return out;
  }

  isGraphOutput(value: string): boolean {
    return this.outputNames.has(value);
  }

  /** The output edges of a node: uses of all its outputs. */
  outputUses(node: EditNode): Use[] {
    return node.outputs.flatMap((o) => this.uses(o));
  }

  producesGraphOutput(node: EditNode): boolean {
    return node.outputs.some((o) => o && this.isGraphOutput(o));
  }

  /** A constant: an initializer (graph inputs are never constant here: the IR keeps them apart). */
  constant(value: string | undefined): Tensor | undefined {
    return value ? this.initializers.get(value) : undefined;
  }

  /** Element type of a value, where the graph says it or a Q/DQ node implies it. */
  dtypeOf(value: string): DType | undefined {
    const init = this.initializers.get(value);
    if (init) return init.dtype;
    const input = this.graph.inputs.find((i) => i.name === value);
    if (input?.dtype) return input.dtype;
    const p = this.producer(value);
    if (p && p.domain === '' && p.opType === 'QuantizeLinear') return quantizeOutputType(this, p);
    if (p && p.domain === '' && p.opType === 'DequantizeLinear')
      return this.dtypeOf(p.inputs[1]) ?? 'float32';
    return this.graph.valueInfo.get(value)?.dtype ?? this.graph.outputs.find((o) => o.name === value)?.dtype;
  }

  remove(...nodes: EditNode[]): void {
    const gone = new Set(nodes);
    this.nodes = this.nodes.filter((n) => !gone.has(n));
  }

  /** Puts `node` where `at` was (keeps the file order readable), removing `removed`. */
  replace(at: EditNode, node: EditNode, removed: readonly EditNode[]): void {
    const i = this.nodes.indexOf(at);
    this.nodes.splice(i, 1, node);
    this.remove(...removed.filter((n) => n !== at));
  }

  insertBefore(at: EditNode, ...added: EditNode[]): void {
    this.nodes.splice(this.nodes.indexOf(at), 0, ...added);
  }

  /** Nodes in a topological order (the file's order among ready ones). */
  sortedNodes(): EditNode[] {
    const order = topologicalOrder(this.toGraphUnsorted());
    const byName = new Map(this.nodes.map((n) => [n.name, n]));
    return order.map((n) => byName.get(n.name)!);
  }

  toGraph(): Graph {
    const g = this.toGraphUnsorted();
    return { ...g, nodes: topologicalOrder(g) };
  }

  private toGraphUnsorted(): Graph {
    const nodes: GraphNode[] = this.nodes.map((n) => ({
      ...n,
      inputs: [...n.inputs],
      outputs: [...n.outputs],
    }));
    // Initializers nothing reads any more (a fused weight's DQ scale, say) are dropped.
    const read = new Set(nodes.flatMap((n) => n.inputs));
    for (const o of this.outputNames) read.add(o);
    const initializers = new Map([...this.initializers].filter(([k]) => read.has(k)));
    return { ...this.graph, nodes, initializers };
  }
}

/** QuantizeLinear's output type: its zero point's type, else `output_dtype`, else uint8. */
export function quantizeOutputType(g: EditableGraph, q: EditNode): DType | undefined {
  const zp = q.inputs[2];
  if (zp) return g.dtypeOf(zp);
  const attr = q.attributes.output_dtype;
  if (attr?.kind === 'int' && attr.value !== 0)
    return attr.value === 3 ? 'int8' : attr.value === 2 ? 'uint8' : undefined;
  return 'uint8';
}

export function isScalarShape(t: Tensor): boolean {
  return t.dims.length === 0 || (t.dims.length === 1 && t.dims[0] === 1);
}

export function scalarTensorOf(dtype: DType, value: number): Tensor {
  const data = allocData(dtype, 1);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[0] = BigInt(value);
  else data[0] = value;
  return { dtype, dims: [], data };
}

export function tensorsEqual(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || sizeOf(a.dims) !== sizeOf(b.dims)) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
