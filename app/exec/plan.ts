// Execution planning shared by both backends: a topological order of the nodes and, for each
// value, the step after which nothing reads it (so its buffer can be released or reused).
import { ModelError } from '../model/errors.js';
import type { Graph, GraphNode } from '../model/ir.js';

export interface ExecutionPlan {
  readonly order: readonly GraphNode[];
  /** value name -> index in `order` of its last reader; values kept to the end are absent. */
  readonly lastUse: ReadonlyMap<string, number>;
}

export function topologicalOrder(graph: Graph): GraphNode[] {
  const available = new Set<string>(['', ...graph.initializers.keys(), ...graph.inputs.map((i) => i.name)]);
  const pending = new Map<GraphNode, number>();
  const readers = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) {
    let missing = 0;
    for (const i of new Set(n.inputs)) {
      if (available.has(i)) continue;
      missing++;
      const r = readers.get(i);
      if (r) r.push(n);
      else readers.set(i, [n]);
    }
    pending.set(n, missing);
  }
  const ready = graph.nodes.filter((n) => pending.get(n) === 0);
  const order: GraphNode[] = [];
  // Keep the file's order among ready nodes: it is usually already topological.
  for (let k = 0; k < ready.length; k++) {
    const n = ready[k];
    order.push(n);
    for (const o of n.outputs) {
      for (const r of readers.get(o) ?? []) {
        const left = pending.get(r)! - 1;
        pending.set(r, left);
        if (left === 0) ready.push(r);
      }
    }
  }
  if (order.length !== graph.nodes.length) {
    const stuck = graph.nodes.find((n) => !order.includes(n))!;
    throw new ModelError(`the graph has a cycle through node '${stuck.name}' (${stuck.opType})`);
  }
  return order;
}

export function planExecution(graph: Graph, keep: readonly string[]): ExecutionPlan {
  const order = topologicalOrder(graph);
  const lastUse = new Map<string, number>();
  order.forEach((n, step) => {
    for (const i of n.inputs) if (i) lastUse.set(i, step);
  });
  for (const k of keep) lastUse.delete(k);
  return { order, lastUse };
}
