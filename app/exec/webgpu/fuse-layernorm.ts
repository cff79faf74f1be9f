// The LayerNorm (and RMSNorm) that exporters write as separate nodes, recognised at WebGPU plan
// time and replaced by one LayerNormalization (RMSNormalization) node, run by normalize.wgsl as
// one dispatch:
//   m = ReduceMean(X, trailing axes, keepdims 1); d = Sub(X, m)
//   v = ReduceMean(Pow(d, 2) | Mul(d, d), same axes); s = Sqrt(Add(v, eps))
//   n = Div(d, s) | Mul(d, Reciprocal(s)); y = Mul(n, gamma); [y = Add(y, beta)]
// RMSNorm: s = Sqrt(Add(ReduceMean(Pow(X, 2) | Mul(X, X)), eps)); y = Mul(Div(X, s) | ..., gamma).
// Only when every intermediate is read inside the pattern alone (and is no requested output), X,
// gamma and beta are float32, eps and the exponent are constant scalars, and gamma/beta broadcast
// to X without growing it. The CPU interpreter keeps running the nodes as written; the fused
// kernel computes the same function in one f32 pass (results differ by rounding only).
import { broadcastShapes } from '../../../kernels/broadcast/broadcast.js';
import { sizeOf, type Tensor, toNumbers } from '../../../kernels/tensor.js';
import { type GraphNode, type Model, opsetVersion } from '../../model/ir.js';
import type { ShapeResult } from '../../model/shape-inference.js';
import { shapeOf } from '../../model/shape-inference.js';

interface Ctx {
  readonly readers: ReadonlyMap<string, GraphNode[]>;
  readonly keep: ReadonlySet<string>;
  readonly constants: ReadonlyMap<string, Tensor>;
  readonly shapes: ShapeResult;
  readonly opset: number;
}

/** The single reader of `value` (none when it has several readers or is kept). */
function soleReader(c: Ctx, value: string, opType: string | readonly string[]): GraphNode | undefined {
  const r = c.readers.get(value);
  if (r?.length !== 1 || c.keep.has(value)) return undefined;
  const types = typeof opType === 'string' ? [opType] : opType;
  return r[0].domain === '' && types.includes(r[0].opType) ? r[0] : undefined;
}

/** The scalar constant value of `name`, if it is one. */
function scalar(c: Ctx, name: string): number | undefined {
  const t = c.constants.get(name);
  return t && t.data.length === 1 && t.dtype === 'float32' ? toNumbers(t)[0] : undefined;
}

/** The other input of a binary node that reads `value` (either operand order). */
function otherInput(n: GraphNode, value: string): string | undefined {
  if (n.inputs.length !== 2) return undefined;
  if (n.inputs[0] === value && n.inputs[1] !== value) return n.inputs[1];
  if (n.inputs[1] === value && n.inputs[0] !== value) return n.inputs[0];
  return undefined;
}

/** ReduceMean's axes as a sorted list of non-negative axes (keepdims 1 required). */
function meanAxes(c: Ctx, n: GraphNode, rank: number): number[] | undefined {
  const keep = n.attributes.keepdims;
  if (keep && keep.kind === 'int' && keep.value === 0) return undefined;
  let axes: readonly number[] | undefined;
  if (c.opset >= 18) {
    const t = n.inputs[1] ? c.constants.get(n.inputs[1]) : undefined;
    axes = t ? toNumbers(t) : undefined;
  } else {
    const a = n.attributes.axes;
    axes = a?.kind === 'ints' ? a.value : undefined;
  }
  if (!axes?.length) return undefined;
  return axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

type Match = { node: GraphNode; replaced: GraphNode[] };

/** The normalized axis when ReduceMean `m` averages exactly the trailing axes of a rank-`rank` input. */
function trailingAxis(c: Ctx, m: GraphNode, rank: number): number | undefined {
  const axes = meanAxes(c, m, rank);
  if (!axes || axes.some((a, k) => a !== rank - axes.length + k) || new Set(axes).size !== axes.length)
    return undefined;
  return rank - axes.length;
}

/** Add(mean, eps) -> Sqrt after the variance / mean-square ReduceMean `m`. */
function epsSqrt(c: Ctx, m: GraphNode): { nodes: GraphNode[]; eps: number; std: string } | undefined {
  const addEps = soleReader(c, m.outputs[0], 'Add');
  const epsName = addEps && otherInput(addEps, m.outputs[0]);
  const eps = epsName === undefined ? undefined : scalar(c, epsName);
  if (!addEps || eps === undefined) return undefined;
  const sqrt = soleReader(c, addEps.outputs[0], 'Sqrt');
  return sqrt && { nodes: [addEps, sqrt], eps, std: sqrt.outputs[0] };
}

/** Div(v, std) or Mul(v, Reciprocal(std)) (either Mul order): the nodes and the normalized value. */
function divideBy(c: Ctx, v: string, std: string): { nodes: GraphNode[]; out: string } | undefined {
  const div = soleReader(c, std, 'Div');
  if (div)
    return div.inputs[0] === v && div.inputs[1] === std ? { nodes: [div], out: div.outputs[0] } : undefined;
  const recip = soleReader(c, std, 'Reciprocal');
  const mul = recip && soleReader(c, recip.outputs[0], 'Mul');
  if (!recip || !mul || otherInput(mul, recip.outputs[0]) !== v) return undefined;
  return { nodes: [recip, mul], out: mul.outputs[0] };
}

/** The other input of Mul/Add `n` reading `value` when it is float32 and broadcasts to `dims` without growing it. */
function affineParam(
  c: Ctx,
  n: GraphNode | undefined,
  value: string,
  dims: readonly number[],
): string | undefined {
  const p = n && otherInput(n, value);
  if (!p) return undefined;
  const s = shapeOf(c.shapes, p);
  if (s.dtype !== 'float32' || sizeOf(s.dims) === 0) return undefined;
  try {
    return broadcastShapes(dims, s.dims).join() === dims.join() ? p : undefined;
  } catch {
    return undefined;
  }
}

/** The LayerNormalization node replacing the pattern that starts at ReduceMean `m1`, and the nodes it replaces. */
function matchLayerNorm(c: Ctx, m1: GraphNode): Match | undefined {
  const x = m1.inputs[0];
  const xs = shapeOf(c.shapes, x);
  if (xs.dtype !== 'float32' || xs.dims.length === 0) return undefined;
  const rank = xs.dims.length;
  const axis = trailingAxis(c, m1, rank);
  if (axis === undefined) return undefined;
  const sub = soleReader(c, m1.outputs[0], 'Sub');
  if (!sub || sub.inputs[0] !== x || sub.inputs[1] !== m1.outputs[0]) return undefined;
  const d = sub.outputs[0];
  const dReaders = c.readers.get(d) ?? [];
  if (dReaders.length !== 2 || c.keep.has(d)) return undefined;
  const sq = dReaders.find(
    (n) =>
      (n.opType === 'Pow' && n.inputs[0] === d && scalar(c, n.inputs[1]) === 2) ||
      (n.opType === 'Mul' && n.inputs[0] === d && n.inputs[1] === d),
  );
  if (!sq) return undefined;
  const m2 = soleReader(c, sq.outputs[0], 'ReduceMean');
  if (!m2 || m2.inputs[0] !== sq.outputs[0] || trailingAxis(c, m2, rank) !== axis) return undefined;
  const std = epsSqrt(c, m2);
  const norm = std && divideBy(c, d, std.std);
  // d's other reader must be the division itself.
  if (!std || !norm || !dReaders.includes(norm.nodes[norm.nodes.length - 1])) return undefined;
  const replaced = [m1, sub, sq, m2, ...std.nodes, ...norm.nodes];
  let out = norm.out;
  // Affine tail: Mul(gamma) (required: it is the Scale input), then an optional Add(beta).
  const mulG = soleReader(c, out, 'Mul');
  const gamma = affineParam(c, mulG, out, xs.dims);
  if (!mulG || !gamma) return undefined;
  replaced.push(mulG);
  out = mulG.outputs[0];
  const addB = soleReader(c, out, 'Add');
  const beta = affineParam(c, addB, out, xs.dims);
  if (addB && beta) {
    replaced.push(addB);
    out = addB.outputs[0];
  }
  const node: GraphNode = {
    name: `${m1.name}.fused_layernorm`,
    opType: 'LayerNormalization',
    domain: '',
    inputs: beta ? [x, gamma, beta] : [x, gamma],
    outputs: [out],
    attributes: { axis: { kind: 'int', value: axis }, epsilon: { kind: 'float', value: std.eps } },
  };
  return { node, replaced };
}

/**
 * The RMSNormalization node replacing x -> Pow(x, 2) | Mul(x, x) -> ReduceMean `m` -> Add(eps) ->
 * Sqrt -> Div(x, .) | Mul(x, Reciprocal(.)) -> Mul(gamma) (T5 / LLaMA exports); x itself may
 * have other readers (the residual).
 */
function matchRmsNorm(c: Ctx, m: GraphNode, producers: ReadonlyMap<string, GraphNode>): Match | undefined {
  const sq = producers.get(m.inputs[0]);
  if (!sq || soleReader(c, m.inputs[0], 'ReduceMean') !== m) return undefined;
  const x = sq.inputs[0];
  const isSquare =
    (sq.opType === 'Pow' && scalar(c, sq.inputs[1]) === 2) || (sq.opType === 'Mul' && sq.inputs[1] === x);
  if (sq.domain !== '' || !isSquare) return undefined;
  const xs = shapeOf(c.shapes, x);
  if (xs.dtype !== 'float32' || xs.dims.length === 0) return undefined;
  const axis = trailingAxis(c, m, xs.dims.length);
  const std = axis === undefined ? undefined : epsSqrt(c, m);
  const norm = std && divideBy(c, x, std.std);
  if (axis === undefined || !std || !norm) return undefined;
  const mulG = soleReader(c, norm.out, 'Mul');
  const gamma = affineParam(c, mulG, norm.out, xs.dims);
  if (!mulG || !gamma) return undefined;
  const node: GraphNode = {
    name: `${m.name}.fused_rmsnorm`,
    opType: 'RMSNormalization',
    domain: '',
    inputs: [x, gamma],
    outputs: [mulG.outputs[0]],
    attributes: { axis: { kind: 'int', value: axis }, epsilon: { kind: 'float', value: std.eps } },
  };
  return { node, replaced: [sq, m, ...std.nodes, ...norm.nodes, mulG] };
}

/**
 * The model with each decomposed LayerNorm / RMSNorm replaced by one node (placed where its last
 * node was, so the order stays topological), and how many patterns were fused.
 */
export function fuseDecomposedLayerNorms(
  model: Model,
  shapes: ShapeResult,
  keep: readonly string[],
): { model: Model; fused: number } {
  const readers = new Map<string, GraphNode[]>();
  for (const n of model.graph.nodes)
    for (const i of new Set(n.inputs)) if (i) readers.set(i, [...(readers.get(i) ?? []), n]);
  const c: Ctx = {
    readers,
    keep: new Set(keep),
    constants: shapes.constants,
    shapes,
    opset: opsetVersion(model, '') ?? 1,
  };
  const producers = new Map<string, GraphNode>();
  for (const n of model.graph.nodes) for (const o of n.outputs) if (o) producers.set(o, n);
  const replacedBy = new Map<GraphNode, GraphNode | null>();
  let fused = 0;
  for (const n of model.graph.nodes) {
    if (n.opType !== 'ReduceMean' || n.domain !== '' || replacedBy.has(n)) continue;
    const m = matchLayerNorm(c, n) ?? matchRmsNorm(c, n, producers);
    if (!m || m.replaced.some((r) => replacedBy.has(r))) continue;
    const last = m.replaced[m.replaced.length - 1];
    for (const r of m.replaced) replacedBy.set(r, r === last ? m.node : null);
    fused++;
  }
  if (fused === 0) return { model, fused };
  const nodes: GraphNode[] = [];
  for (const n of model.graph.nodes) {
    const r = replacedBy.get(n);
    if (r === undefined) nodes.push(n);
    else if (r) nodes.push(r);
  }
  return { model: { ...model, graph: { ...model.graph, nodes } }, fused };
}
