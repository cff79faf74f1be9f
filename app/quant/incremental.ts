// Re-running the simulated graph after a small change (one passthrough toggled, one tensor's
// parameters edited): only the nodes downstream of the change run again. Every node of the new
// execution graph is compared with the previous one — same op, attributes, inputs, outputs and
// the same constant inputs — and a node runs again only if it changed or reads a value that did.
// The values of all samples are kept between runs (memory for speed: the playground's models).
import { sizeOf, type Tensor } from '../../kernels/tensor.js';
import type { ExecSettings } from '../exec/cpu/op-types.js';
import { topologicalOrder } from '../exec/plan.js';
import type { AttrValue, GraphNode, Model } from '../model/ir.js';
import { runNode } from './node-runner.js';

function attrKey(a: AttrValue): string {
  if (a.kind === 'tensor')
    return `tensor:${a.value.dtype}[${a.value.dims}]:${Array.from(a.value.data as ArrayLike<number>, String).join(',')}`;
  if (a.kind === 'graph') return 'graph'; // control flow is refused by the executors anyway
  return JSON.stringify(a);
}

function nodeKey(n: GraphNode): string {
  const attrs = Object.keys(n.attributes)
    .sort()
    .map((k) => `${k}=${attrKey(n.attributes[k])}`)
    .join(';');
  return `${n.domain}::${n.opType}(${n.inputs.join(',')})->(${n.outputs.join(',')}){${attrs}}`;
}

function sameTensor(a: Tensor | undefined, b: Tensor | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.dtype !== b.dtype || a.dims.length !== b.dims.length) return false;
  if (a.dims.some((d, i) => d !== b.dims[i]) || sizeOf(a.dims) !== sizeOf(b.dims)) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

export interface IncrementalResult {
  /** Every value of every sample (graph outputs and intermediates). */
  readonly values: readonly ReadonlyMap<string, Tensor>[];
  /** How many nodes ran (of how many) in this run. */
  readonly ran: number;
  readonly total: number;
}

/** Runs successive versions of one execution graph on fixed samples, re-running only what changed. */
export class IncrementalRunner {
  private previous?: Model;
  private previousKeys = new Set<string>();
  private values: Map<string, Tensor>[] = [];

  constructor(
    private readonly samples: readonly ReadonlyMap<string, Tensor>[],
    private readonly settings?: ExecSettings,
  ) {}

  run(model: Model, signal?: AbortSignal): IncrementalResult {
    const g = model.graph;
    const order = topologicalOrder(g);
    const prev = this.previous?.graph;
    const changedConstants = new Set<string>();
    for (const [name, t] of g.initializers)
      if (!prev || !sameTensor(t, prev.initializers.get(name))) changedConstants.add(name);
    const dirty = new Set<string>(changedConstants);
    const keys = new Set<string>();
    if (!prev) this.values = this.samples.map((s) => new Map(s));
    let ran = 0;
    for (const n of order) {
      signal?.throwIfAborted();
      const key = nodeKey(n);
      keys.add(key);
      const stale =
        !this.previousKeys.has(key) ||
        n.inputs.some((i) => i && dirty.has(i)) ||
        n.outputs.some((o) => o && !this.values[0]?.has(o));
      if (!stale) continue;
      ran++;
      const constant = n.inputs.map((i) => !!i && g.initializers.has(i));
      this.values.forEach((values, s) => {
        const inputs = n.inputs.map((i) =>
          i ? (values.get(i) ?? g.initializers.get(i) ?? this.samples[s].get(i)) : undefined,
        );
        const outputs = runNode(model, n, inputs, constant, this.settings);
        for (const [k, o] of n.outputs.entries()) if (o) values.set(o, outputs[k]);
      });
      for (const o of n.outputs) if (o) dirty.add(o);
    }
    // Values of nodes that no longer exist are dropped.
    const live = new Set<string>([...g.inputs.map((i) => i.name), ...order.flatMap((n) => n.outputs)]);
    for (const values of this.values) for (const k of [...values.keys()]) if (!live.has(k)) values.delete(k);
    this.previous = model;
    this.previousKeys = keys;
    return { values: this.values, ran, total: order.length };
  }
}
