// Builds one-node and small IR models for the shape-inference tests, without protobuf, so
// symbolic dims and odd attribute forms are easy to write.
import { type DType, int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import type { AttrValue, Dim, GraphNode, Model } from '../../app/model/ir.js';
import { type InferShapesOptions, inferShapes } from '../../app/model/shape-inference.js';

export type AttrIn = number | string | number[] | Tensor | { float: number };

function attrs(a: Record<string, AttrIn>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(a)) {
    if (typeof v === 'number')
      out[k] = Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v };
    else if (typeof v === 'string') out[k] = { kind: 'string', value: v };
    else if (Array.isArray(v)) out[k] = { kind: 'ints', value: v };
    else if ('float' in v) out[k] = { kind: 'float', value: v.float };
    else out[k] = { kind: 'tensor', value: v };
  }
  return out;
}

export interface Spec {
  inputs?: Array<[string, DType, Dim[]]>;
  init?: Record<string, Tensor>;
  nodes: Array<{
    op: string;
    in: string[];
    out: string[];
    attrs?: Record<string, AttrIn>;
    domain?: string;
    name?: string;
  }>;
  opset?: number;
}

export function model(s: Spec): Model {
  const nodes: GraphNode[] = s.nodes.map((n, i) => ({
    name: n.name ?? `${n.op.toLowerCase()}${i}`,
    opType: n.op,
    domain: n.domain ?? '',
    inputs: n.in,
    outputs: n.out,
    attributes: attrs(n.attrs ?? {}),
  }));
  const last = nodes[nodes.length - 1];
  return {
    irVersion: 8,
    producerName: 'test',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    opsets: [
      { domain: '', version: s.opset ?? 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    metadata: {},
    graph: {
      name: 'g',
      nodes,
      inputs: (s.inputs ?? []).map(([name, dtype, dims]) => ({ name, dtype, dims })),
      outputs: last.outputs.filter(Boolean).map((name) => ({ name, dtype: undefined, dims: undefined })),
      initializers: new Map(Object.entries(s.init ?? {})),
      valueInfo: new Map(),
    },
  };
}

export const f32 = (dims: number[]) => makeTensor('float32', dims);
export const i64 = (values: number[]) => int64Tensor([values.length], values);

/** Infers a one-node model whose inputs are float32 graph inputs of the given dims (or initializers). */
export function one(
  op: string,
  inputDims: Array<number[] | Tensor | null>,
  a: Record<string, AttrIn> = {},
  opts: { outputs?: number; opset?: number; domain?: string; options?: InferShapesOptions } = {},
) {
  const names = inputDims.map((d, i) => (d === null ? '' : `x${i}`));
  const inputs: Array<[string, DType, Dim[]]> = [];
  const init: Record<string, Tensor> = {};
  inputDims.forEach((d, i) => {
    if (d === null) return;
    if (Array.isArray(d)) inputs.push([names[i], 'float32', d]);
    else init[names[i]] = d;
  });
  const outs = Array.from({ length: opts.outputs ?? 1 }, (_, i) => `y${i}`);
  const m = model({
    inputs,
    init,
    nodes: [{ op, in: names, out: outs, attrs: a, domain: opts.domain, name: 'n' }],
    opset: opts.opset,
  });
  const r = inferShapes(m, opts.options);
  return outs.map((o) => r.values.get(o)!);
}
export const dims = (...args: Parameters<typeof one>) => one(...args)[0].dims;

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomTensor(dtype: DType, dims: readonly number[], rand: () => number): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => {
    if (dtype === 'float32' || dtype === 'float64') return rand() * 2 - 1;
    if (dtype === 'int8') return Math.floor(rand() * 256) - 128;
    if (dtype === 'uint8') return Math.floor(rand() * 256);
    return Math.floor(rand() * 8);
  });
  return makeTensor(dtype, dims, values);
}
