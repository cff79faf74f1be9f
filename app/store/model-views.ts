// Plain views of a decoded model for the UI: the summary, the known shape of every value, and
// the details of one node. Computed here so the UI never touches tensors.
import { cpuConstantEvaluator } from '../exec/cpu/constant-evaluator.js';
import { isCpuSupported } from '../exec/cpu/interpreter.js';
import { constantTensor, type GraphFolding } from '../model/graph-folding.js';
import type { AttrValue, Dim, Graph, Model, ValueInfo } from '../model/ir.js';
import { findSchema } from '../model/op-schema.js';
import { inferShapes } from '../model/shape-inference.js';
import { summarizeModel } from '../model/summary.js';
import { tensorStats } from './tensor-stats.js';
import type { ModelSummary, NodeDetails, NodeInput, ValueView } from './types.js';

/**
 * dtype/shape of every value: shape inference where it succeeds (concrete dims, constant shape
 * math folded with the CPU reference ops), else the declared ones (graph inputs/outputs,
 * value_info, initializers), with the reason inference stopped.
 */
export function modelShapes(
  model: Model,
  bindings: Readonly<Record<string, number>> = {},
  dims: DimsCheck | null = null,
): { known: Map<string, ValueInfo>; note: string | null; dimsError: string | null } {
  const known = declaredValues(model.graph);
  const evaluate = cpuConstantEvaluator(model);
  try {
    const result = inferShapes(model, { evaluate, bindings });
    for (const [name, v] of result.values) known.set(name, { name, dtype: v.dtype, dims: v.dims });
    const note = result.warnings.length ? `shape inference: ${result.warnings[0]}` : null;
    return { known, note, dimsError: null };
  } catch (e) {
    const error = (e as Error).message;
    // The input dims are to blame when other sizes infer: then say which to set.
    const blame = dims?.probes.some((p) => {
      try {
        inferShapes(model, { evaluate, bindings: p });
        return true;
      } catch {
        return false;
      }
    });
    const hint = blame ? `; ${dims?.hint}` : '';
    return {
      known,
      note: `shapes from the file only (inference stopped: ${error}${hint})`,
      dimsError: blame ? error : null,
    };
  }
}

/** What tells a shape failure caused by the input dims' sizes: other sizes to try, the hint to give. */
export interface DimsCheck {
  readonly probes: readonly Readonly<Record<string, number>>[];
  /** "set the input dimensions: N, H, W" */
  readonly hint: string;
}

export function declaredValues(graph: Graph): Map<string, ValueInfo> {
  const known = new Map<string, ValueInfo>();
  for (const [name, t] of graph.initializers) known.set(name, { name, dtype: t.dtype, dims: t.dims });
  for (const v of graph.valueInfo.values()) known.set(v.name, v);
  for (const v of graph.inputs) known.set(v.name, v);
  for (const v of graph.outputs) if (v.dims || !known.has(v.name)) known.set(v.name, v);
  return known;
}

export function formatDims(dims: readonly Dim[] | undefined): string {
  return dims ? `[${dims.join(',')}]` : '?';
}

export function valueView(name: string, known: ReadonlyMap<string, ValueInfo>): ValueView {
  const v = known.get(name);
  return { name, dtype: v?.dtype ?? '?', shape: formatDims(v?.dims) };
}

/** The page's model panel: app/model/summary.ts's facts (the same `qplay inspect` prints). */
export function summarizeForPage(
  model: Model,
  fileName: string,
  shapeNote: string | null,
  known?: ReadonlyMap<string, ValueInfo>,
): ModelSummary {
  const s = summarizeModel(model, undefined, isCpuSupported);
  // An output the file declares no shape for shows the inferred one (at the input dimensions).
  const io = (v: (typeof s.inputs)[number]): ValueView => ({
    name: v.name,
    dtype: v.dtype ?? known?.get(v.name)?.dtype ?? '?',
    shape: formatDims(v.shape ?? v.inferredShape ?? known?.get(v.name)?.dims),
  });
  return {
    fileName,
    producer: [s.producer.name, s.producer.version].filter(Boolean).join(' ') || 'unknown',
    irVersion: s.irVersion,
    opsets: s.opsets.map((o) => `${o.domain} v${o.version}`),
    inputs: s.inputs.map(io),
    outputs: s.outputs.map(io),
    nodeCount: s.nodeCount,
    opCounts: s.opCounts.map((o) => ({
      opType: o.domain ? `${o.domain}.${o.opType}` : o.opType,
      count: o.count,
    })),
    parameterCount: s.parameterCount,
    parameterBytes: s.initializerBytes + s.constantBytes,
    shapeNote,
  };
}

export function formatAttribute(a: AttrValue): string {
  switch (a.kind) {
    case 'int':
    case 'float':
      return String(a.value);
    case 'string':
      return JSON.stringify(a.value);
    case 'ints':
    case 'floats':
      return `[${a.value.slice(0, 16).join(', ')}${a.value.length > 16 ? `, … (${a.value.length})` : ''}]`;
    case 'strings':
      return `[${a.value
        .slice(0, 8)
        .map((s) => JSON.stringify(s))
        .join(', ')}${a.value.length > 8 ? ', …' : ''}]`;
    case 'tensor':
      return `tensor ${a.value.dtype} ${formatDims(a.value.dims)}`;
    case 'graph':
      return `graph (${a.value.nodes.length} nodes)`;
    case 'unsupported':
      return `(${a.type})`;
  }
}

/** The schema's name for input slot i: 'X', 'B', or 'inputs[2]' for a variadic slot. */
function slotName(slots: readonly string[] | undefined, i: number): string {
  if (!slots || slots.length === 0) return `input ${i}`;
  const last = slots.length - 1;
  if (slots[last].endsWith('...') && i >= last) return `${slots[last].slice(0, -3)}[${i - last}]`;
  return i <= last ? slots[i].replace(/\?$/, '') : `input ${i}`;
}

export function describeNode(
  model: Model,
  known: ReadonlyMap<string, ValueInfo>,
  nodeName: string,
  folding?: GraphFolding,
): NodeDetails | null {
  const index = model.graph.nodes.findIndex((n) => n.name === nodeName);
  if (index < 0) return null;
  const node = model.graph.nodes[index];
  const nodes = model.graph.nodes;
  const schema = findSchema(node.domain, node.opType);
  const inputs: NodeInput[] = node.inputs.map((name, i) => {
    const role = slotName(schema?.inputs, i);
    if (!name) return { name: '(omitted)', dtype: '', shape: '', role };
    // A weight held in a Constant node is shown as an initializer is (the graph does not draw it).
    const constant = folding?.constantNode.get(name);
    const init = model.graph.initializers.get(name) ?? (constant ? constantTensor(constant) : null);
    const view = valueView(name, known);
    return init ? { ...view, role, initializer: tensorStats(init) } : { ...view, role };
  });
  return {
    name: node.name,
    opType: node.opType,
    domain: node.domain || 'ai.onnx',
    category: schema?.category ?? 'unknown',
    attributes: Object.entries(node.attributes)
      .map(([name, value]) => ({ name, value: formatAttribute(value) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    inputs,
    outputs: node.outputs.filter(Boolean).map((name) => valueView(name, known)),
    folded: (folding?.foldedInto.get(index) ?? []).map((i) => ({
      name: nodes[i].name,
      opType: nodes[i].opType,
      outputs: nodes[i].outputs.filter(Boolean).map((o) => valueView(o, known)),
    })),
    foldedInto: folding?.hidden.has(index) ? nodes[folding.hostOf.get(index)!].name : null,
  };
}
