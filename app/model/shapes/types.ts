// What a per-op shape function sees and returns. Shape functions are pure: they read input
// shapes, dtypes, attributes and (when known) constant input values, and give each output's
// dtype and concrete dims. A function may also give an output's value when it is known without
// running the op (Shape, Constant), which feeds later Reshape/Slice/ConstantOfShape nodes.
import type { DType, Tensor } from '../../../kernels/tensor.js';
import { attrInts } from '../attributes.js';
import type { GraphNode } from '../ir.js';

export interface ValueShape {
  readonly dtype: DType;
  readonly dims: readonly number[];
}

export interface OutputShape extends ValueShape {
  /** The output's contents, when the shape function knows them (Shape, Constant). */
  readonly value?: Tensor;
}

export interface ShapeContext {
  readonly node: GraphNode;
  /** The opset version of the node's domain in this model. */
  readonly opset: number;
  /** Whether input i is present (not omitted with '' and not past the end). */
  has(i: number): boolean;
  /** Dims of input i; fails naming the node when the input is absent. */
  shape(i: number): readonly number[];
  dtype(i: number): DType;
  /** Contents of input i when it is a constant (initializer, Constant, folded), else undefined. */
  value(i: number): Tensor | undefined;
  /** Contents of input i, which must be a constant because the output shape depends on them. */
  constValue(i: number, what: string): Tensor;
  /** Throws a ModelError `node 'X' (Op): <message>`. */
  fail(message: string): never;
}

export type ShapeFn = (ctx: ShapeContext) => OutputShape[];

/** Shape functions keyed `<domain>::<opType>` ('' domain for ai.onnx). */
export type ShapeTable = Readonly<Record<string, ShapeFn>>;

export function shapeKey(domain: string, opType: string): string {
  return `${domain === 'ai.onnx' ? '' : domain}::${opType}`;
}

/** Normalizes a possibly negative axis against a rank, failing when out of range. */
export function normalizeAxis(ctx: ShapeContext, axis: number, rank: number, what = 'axis'): number {
  if (axis < -rank || axis >= rank) ctx.fail(`${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

export function product(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** An ints attribute, `undefined` when absent or empty (an empty list never means "no axes" here). */
export function optionalInts(node: GraphNode, name: string): readonly number[] | undefined {
  const v = attrInts(node, name);
  return v && v.length > 0 ? v : undefined;
}
