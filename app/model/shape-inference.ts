// Shape and dtype inference over a whole model: every value (graph inputs, initializers, node
// outputs) gets a dtype and concrete dims, symbolic dims bound to numbers first. Small constant
// values are computed along the way (Shape/Gather/Concat chains feeding Reshape), natively for
// int shape math or through an injected `evaluate` (app/model must not import app/exec; the CLI
// and executors pass the CPU reference ops).
import { sizeOf, type Tensor } from '../../kernels/tensor.js';
import { InputError, ModelError } from './errors.js';
import { type Dim, type Graph, type GraphNode, type Model, opsetVersion } from './ir.js';
import { attentionShapes } from './shapes/attention.js';
import { constantShapes } from './shapes/constants.js';
import { elementwiseShapes } from './shapes/elementwise.js';
import { foldBuiltin } from './shapes/fold.js';
import { miscShapes } from './shapes/misc.js';
import { nnShapes } from './shapes/nn.js';
import { normShapes } from './shapes/norm.js';
import { quantShapes } from './shapes/quant.js';
import { rnnShapes } from './shapes/rnn.js';
import { signalShapes } from './shapes/signal.js';
import { spectralShapes } from './shapes/spectral.js';
import { scatterShapes } from './shapes/scatter.js';
import { selectShapes } from './shapes/select.js';
import { spatialShapes } from './shapes/spatial.js';
import { resolveSlice, tensorShapes } from './shapes/tensor.js';
import type { OutputShape, ShapeContext, ShapeTable, ValueShape } from './shapes/types.js';
import { shapeKey } from './shapes/types.js';

export type { ValueShape } from './shapes/types.js';

export interface InferShapesOptions {
  /** Values for symbolic dims, by name (e.g. `{ batch: 4 }`). */
  readonly bindings?: Readonly<Record<string, number>>;
  /**
   * The value of a symbolic dim without a binding; default 1 (batch = 1), a guess fit for
   * describing a model. 'error' refuses unbound dims instead, naming the input and the dim: what
   * an executor plans with must come from real sizes.
   */
  readonly defaultDim?: number | 'error';
  /** Computes a node's outputs from constant inputs; `undefined` when it cannot. */
  readonly evaluate?: (node: GraphNode, inputs: readonly (Tensor | undefined)[]) => Tensor[] | undefined;
  /** Largest constant (in elements) that is folded and kept in `constants`; default 4096. */
  readonly maxConstantElements?: number;
  /**
   * Values of tensors computed at run time that the shapes depend on (Reshape's shape, Resize's
   * scales, reduction axes fed as inputs), taken from an actual run's inputs: shape inference
   * treats them as constants. An executor plans per set of such values.
   */
  readonly knownValues?: ReadonlyMap<string, Tensor>;
}

/**
 * A shape that depends on the values of a tensor computed at run time (`value`), which were not
 * given: an executor that has the run's inputs computes them and plans again.
 */
export class ValueNeededError extends ModelError {
  override name = 'ValueNeededError';
  constructor(
    message: string,
    readonly value: string,
  ) {
    super(message);
  }
}

export interface ShapeResult {
  /** dtype and concrete dims of every value: graph inputs, initializers and node outputs. */
  readonly values: ReadonlyMap<string, ValueShape>;
  /** Contents of the small values known before running: small initializers, Constant, folded values. */
  readonly constants: ReadonlyMap<string, Tensor>;
  /** The number each symbolic dim of the graph inputs was bound to. */
  readonly bindings: Readonly<Record<string, number>>;
  /** Declared value_info / output dims that disagree with the inferred ones (the inferred win). */
  readonly warnings: readonly string[];
}

const table: ShapeTable = {
  ...elementwiseShapes,
  ...nnShapes,
  ...tensorShapes,
  ...constantShapes,
  ...quantShapes,
  ...signalShapes,
  ...spectralShapes,
  ...attentionShapes,
  ...normShapes,
  ...miscShapes,
  ...scatterShapes,
  ...selectShapes,
  ...spatialShapes,
  ...rnnShapes,
};

/** Whether shape inference knows the op (the summary's fallback notion of "supported"). */
export function hasShapeFunction(domain: string, opType: string): boolean {
  return table[shapeKey(domain, opType)] !== undefined;
}

/** The dims of a value as inferred; throws naming the value when it has none. */
export function shapeOf(result: ShapeResult, name: string): ValueShape {
  const v = result.values.get(name);
  if (!v) throw new ModelError(`value '${name}' has no inferred shape`);
  return v;
}

/**
 * Binds symbolic dims: a name takes bindings[name] ?? defaultDim. With defaultDim 'error' an
 * unbound name is an InputError naming `where` (e.g. "input 'x'") and the dim.
 */
export function bindDims(
  dims: readonly Dim[],
  bindings: Readonly<Record<string, number>>,
  defaultDim: number | 'error',
  used?: Record<string, number>,
  where = 'a value',
): number[] {
  return dims.map((d, axis) => {
    if (typeof d === 'number') return d;
    // hasOwn: a dim named like an Object.prototype member ('constructor') is still unbound.
    const v = Object.hasOwn(bindings, d) ? bindings[d] : defaultDim;
    if (v === 'error')
      throw new InputError(
        `${where} has symbolic dim '${d}' (axis ${axis}) with no size given; the real input sizes are needed to plan the run`,
      );
    if (!Number.isInteger(v) || v < 0)
      throw new ModelError(`symbolic dim '${d}' is bound to ${v}, not a size`);
    if (used) used[d] = v;
    return v;
  });
}

/** The symbolic dim names of the graph inputs, in order of first appearance. */
export function symbolicInputDims(graph: Graph): string[] {
  const names = new Set<string>();
  for (const input of graph.inputs) {
    if (graph.initializers.has(input.name)) continue;
    for (const d of input.dims ?? []) if (typeof d === 'string') names.add(d);
  }
  return [...names];
}

/**
 * The sizes the symbolic dims of the graph inputs take in `dimsOf` (the actual input tensors'
 * dims, by input name). A name bound to two sizes (by two inputs, or two axes) is an InputError:
 * one plan cannot serve both.
 */
export function bindingsFromInputs(
  graph: Graph,
  dimsOf: (input: string) => readonly number[] | undefined,
): Record<string, number> {
  const bindings: Record<string, number> = {};
  const from: Record<string, string> = {};
  for (const input of graph.inputs) {
    if (graph.initializers.has(input.name)) continue;
    const dims = dimsOf(input.name);
    if (!dims) continue;
    input.dims?.forEach((d, axis) => {
      if (typeof d !== 'string' || axis >= dims.length) return;
      const here = `input '${input.name}' axis ${axis}`;
      if (Object.hasOwn(bindings, d) && bindings[d] !== dims[axis])
        throw new InputError(
          `symbolic dim '${d}' is ${bindings[d]} in ${from[d]} but ${dims[axis]} in ${here}`,
        );
      bindings[d] = dims[axis];
      from[d] = here;
    });
  }
  return bindings;
}

function describeNode(node: GraphNode): string {
  return `node '${node.name}' (${node.domain ? `${node.domain}.` : ''}${node.opType})`;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function inferShapes(model: Model, options: InferShapesOptions = {}): ShapeResult {
  const graph = model.graph;
  const bindings = options.bindings ?? {};
  const defaultDim = options.defaultDim ?? 1;
  const maxConst = options.maxConstantElements ?? 4096;
  const values = new Map<string, ValueShape>();
  const known = new Map<string, Tensor>(); // every constant value, any size (for folding)
  const used: Record<string, number> = {};
  const warnings: string[] = [];

  for (const [name, t] of graph.initializers) {
    values.set(name, { dtype: t.dtype, dims: t.dims });
    known.set(name, t);
  }
  for (const [name, t] of options.knownValues ?? []) known.set(name, t);
  for (const input of graph.inputs) {
    if (values.has(input.name)) continue;
    if (!input.dtype) throw new ModelError(`graph input '${input.name}' has no declared tensor element type`);
    if (!input.dims) throw new ModelError(`graph input '${input.name}' has no declared shape (rank unknown)`);
    const dims = bindDims(input.dims, bindings, defaultDim, used, `input '${input.name}'`);
    values.set(input.name, { dtype: input.dtype, dims });
  }

  for (const node of topologicalOrder(graph.nodes, values)) {
    const opset = opsetVersion(model, node.domain) ?? 1;
    const ctx = makeContext(node, opset, values, known);
    const fn = table[shapeKey(node.domain, node.opType)];
    if (!fn) ctx.fail('no shape inference for this op');
    const outputs = runShapeFn(ctx, () => fn(ctx));
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const o = outputs[i];
      if (!o) ctx.fail(`gives no output ${i} ('${name}')`);
      if (o.dims.some((d) => !Number.isInteger(d) || d < 0))
        ctx.fail(`inferred invalid dims [${o.dims}] for '${name}'`);
      values.set(name, { dtype: o.dtype, dims: [...o.dims] });
      if (o.value) known.set(name, o.value);
    });
    if (outputs.some((o) => o.value)) continue;
    const folded = fold(ctx, outputs, known, maxConst, options.evaluate);
    if (folded) {
      node.outputs.forEach((name, i) => {
        if (name && folded[i]) known.set(name, folded[i]);
      });
    }
  }

  for (const out of graph.outputs) {
    if (!values.has(out.name)) throw new ModelError(`graph output '${out.name}' is not produced by any node`);
  }
  for (const info of [...graph.valueInfo.values(), ...graph.outputs]) {
    const v = values.get(info.name);
    if (!v || !info.dims) continue;
    const declared = info.dims;
    const clash =
      declared.length !== v.dims.length || declared.some((d, i) => typeof d === 'number' && d !== v.dims[i]);
    if (clash) warnings.push(`'${info.name}' is declared [${declared}] but inferred [${v.dims}]`);
    if (info.dtype && info.dtype !== v.dtype)
      warnings.push(`'${info.name}' is declared ${info.dtype} but inferred ${v.dtype}`);
  }

  const constants = new Map<string, Tensor>();
  for (const [name, t] of known) if (t.data.length <= maxConst) constants.set(name, t);
  return { values, constants, bindings: used, warnings };
}

/** Nodes in an order where every input is produced first (ONNX requires it; some exporters don't). */
function topologicalOrder(nodes: readonly GraphNode[], available: ReadonlyMap<string, unknown>): GraphNode[] {
  const ready = new Set<string>(available.keys());
  const order: GraphNode[] = [];
  let pending = [...nodes];
  while (pending.length > 0) {
    const next: GraphNode[] = [];
    for (const n of pending) {
      if (n.inputs.every((i) => !i || ready.has(i))) {
        order.push(n);
        for (const o of n.outputs) if (o) ready.add(o);
      } else next.push(n);
    }
    if (next.length === pending.length) {
      const n = next[0];
      const missing = n.inputs.find((i) => i && !ready.has(i));
      throw new ModelError(
        `${describeNode(n)}: input '${missing}' is not a graph input, initializer or node output`,
      );
    }
    pending = next;
  }
  return order;
}

function makeContext(
  node: GraphNode,
  opset: number,
  values: ReadonlyMap<string, ValueShape>,
  known: ReadonlyMap<string, Tensor>,
): ShapeContext {
  const fail = (message: string): never => {
    throw new ModelError(`${describeNode(node)}: ${message}`);
  };
  const present = (i: number) => i >= 0 && i < node.inputs.length && node.inputs[i] !== '';
  const get = (i: number): ValueShape => {
    if (!present(i)) return fail(`missing required input ${i}`);
    return values.get(node.inputs[i])!;
  };
  return {
    node,
    opset,
    has: present,
    shape: (i) => get(i).dims,
    dtype: (i) => get(i).dtype,
    value: (i) => (present(i) ? known.get(node.inputs[i]) : undefined),
    constValue: (i, what) => {
      if (!present(i)) return fail(`missing input ${i} (${what})`);
      const v = known.get(node.inputs[i]);
      if (!v) {
        throw new ValueNeededError(
          `${describeNode(node)}: input '${node.inputs[i]}' (${what}) is computed at run time; its values are needed to infer the shape`,
          node.inputs[i],
        );
      }
      return v;
    },
    fail,
  };
}

function runShapeFn<T>(ctx: ShapeContext, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ModelError) throw e;
    return ctx.fail((e as Error).message);
  }
}

/** Computes a node's outputs when all its inputs are constant and its outputs small. */
function fold(
  ctx: ShapeContext,
  outputs: readonly OutputShape[],
  known: ReadonlyMap<string, Tensor>,
  maxConst: number,
  evaluate: InferShapesOptions['evaluate'],
): Tensor[] | undefined {
  const node = ctx.node;
  if (node.inputs.length === 0 || !node.inputs.some((i) => i)) return undefined;
  if (node.inputs.some((i) => i && !known.has(i))) return undefined;
  if (outputs.some((o) => sizeOf(o.dims) > maxConst)) return undefined;
  const inputs = node.inputs.map((i) => (i ? known.get(i) : undefined));
  const result = runShapeFn(ctx, () => {
    const viaCallback = evaluate?.(node, inputs);
    if (viaCallback) return viaCallback;
    const slice = node.opType === 'Slice' && node.domain === '' ? resolveSlice(ctx, ctx.shape(0)) : undefined;
    return foldBuiltin({ node, inputs, outputs, slice });
  });
  if (!result) return undefined;
  result.forEach((t, i) => {
    const o = outputs[i];
    if (t && o && (t.dtype !== o.dtype || !sameDims(t.dims, o.dims))) {
      ctx.fail(
        `evaluating constant inputs gave ${t.dtype} [${t.dims}] but shape inference gave ${o.dtype} [${o.dims}]`,
      );
    }
  });
  return result;
}
