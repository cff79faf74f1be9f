// What a model is, at a glance: the facts `qplay inspect` prints and the page's model panel shows.
// Pure data; formatting belongs to the CLI and the UI. Which ops are supported depends on the
// executor, so the caller passes `isSupported` (the CLI passes the CPU registry).
import { type DType, sizeOf } from '../../kernels/tensor.js';
import { constantSize, isConstantNode } from './graph-folding.js';
import type { Dim, Model, ValueInfo } from './ir.js';
import { hasShapeFunction, type ShapeResult } from './shape-inference.js';

export interface ValueSummary {
  readonly name: string;
  readonly dtype: DType | null; // null: not declared (and not inferred)
  /** Declared dims, symbolic names kept; null when the rank is not declared. */
  readonly shape: readonly Dim[] | null;
  /** Concrete dims from shape inference (symbols bound), when shapes were given. */
  readonly inferredShape?: readonly number[];
}

export interface OpCount {
  readonly opType: string;
  readonly domain: string; // '' for ai.onnx
  readonly count: number;
}

export interface UnsupportedOpSummary {
  readonly opType: string;
  readonly domain: string;
  readonly nodes: readonly string[];
}

export interface ModelSummary {
  readonly format: 'ONNX';
  readonly irVersion: number;
  /** Every opset import, 'ai.onnx' spelled out for the default domain; com.microsoft included. */
  readonly opsets: ReadonlyArray<{ readonly domain: string; readonly version: number }>;
  readonly producer: { readonly name: string; readonly version: string };
  readonly graphName: string;
  readonly inputs: readonly ValueSummary[];
  readonly outputs: readonly ValueSummary[];
  /** The symbolic dim names of the inputs, in first-seen order (what `--bind` can set). */
  readonly symbolicDims: readonly string[];
  readonly nodeCount: number;
  /** Most frequent first, ties by domain then op name. */
  readonly opCounts: readonly OpCount[];
  readonly initializerCount: number;
  /** `Constant` nodes (exporters often keep weights in them instead of initializers). */
  readonly constantCount: number;
  /** Elements in all initializers and Constant nodes. */
  readonly parameterCount: number;
  readonly initializerBytes: number;
  /** Bytes held in Constant nodes (initializerBytes + constantBytes: the parameters' bytes). */
  readonly constantBytes: number;
  /** Ops the caller's executor cannot run, with their node names, in first-seen order. */
  readonly unsupported: readonly UnsupportedOpSummary[];
}

function valueSummary(v: ValueInfo, shapes: ShapeResult | undefined): ValueSummary {
  const inferred = shapes?.values.get(v.name);
  return {
    name: v.name,
    dtype: v.dtype ?? inferred?.dtype ?? null,
    shape: v.dims ? [...v.dims] : null,
    ...(inferred ? { inferredShape: [...inferred.dims] } : {}),
  };
}

/**
 * Summarizes a model. `isSupported` decides what counts as unsupported; without it, an op counts
 * as supported when shape inference knows it.
 */
export function summarizeModel(
  model: Model,
  shapes?: ShapeResult,
  isSupported: (domain: string, opType: string) => boolean = hasShapeFunction,
): ModelSummary {
  const graph = model.graph;
  const counts = new Map<string, { opType: string; domain: string; count: number }>();
  const unsupported = new Map<string, { opType: string; domain: string; nodes: string[] }>();
  for (const n of graph.nodes) {
    const domain = n.domain === 'ai.onnx' ? '' : n.domain;
    const key = `${domain}::${n.opType}`;
    const c = counts.get(key) ?? { opType: n.opType, domain, count: 0 };
    c.count++;
    counts.set(key, c);
    if (!isSupported(domain, n.opType)) {
      const u = unsupported.get(key) ?? { opType: n.opType, domain, nodes: [] };
      u.nodes.push(n.name);
      unsupported.set(key, u);
    }
  }
  const opCounts = [...counts.values()].sort(
    (a, b) => b.count - a.count || a.domain.localeCompare(b.domain) || a.opType.localeCompare(b.opType),
  );
  let parameterCount = 0;
  let initializerBytes = 0;
  for (const t of graph.initializers.values()) {
    parameterCount += sizeOf(t.dims);
    initializerBytes += t.data.byteLength;
  }
  let constantCount = 0;
  let constantBytes = 0;
  for (const n of graph.nodes) {
    if (!isConstantNode(n)) continue;
    constantCount++;
    const size = constantSize(n);
    parameterCount += size?.count ?? 0;
    constantBytes += size?.bytes ?? 0;
  }
  const symbolicDims: string[] = [];
  for (const input of graph.inputs) {
    for (const d of input.dims ?? [])
      if (typeof d === 'string' && !symbolicDims.includes(d)) symbolicDims.push(d);
  }
  return {
    format: 'ONNX',
    irVersion: model.irVersion,
    opsets: model.opsets.map((o) => ({ domain: o.domain === '' ? 'ai.onnx' : o.domain, version: o.version })),
    producer: { name: model.producerName, version: model.producerVersion },
    graphName: graph.name,
    inputs: graph.inputs.map((v) => valueSummary(v, shapes)),
    outputs: graph.outputs.map((v) => valueSummary(v, shapes)),
    symbolicDims,
    nodeCount: graph.nodes.length,
    opCounts,
    initializerCount: graph.initializers.size,
    constantCount,
    parameterCount,
    initializerBytes,
    constantBytes,
    unsupported: [...unsupported.values()],
  };
}
