// Shape functions of element-wise ops: unary activations keep their input's shape and dtype;
// binary arithmetic and Sum broadcast numpy-style (ONNX multidirectional broadcasting).
import { broadcastShapes } from '../../../kernels/broadcast/broadcast.js';
import { UNARY_OPS } from '../../../kernels/unary/unary.ref.js';
import type { ShapeContext, ShapeFn, ShapeTable } from './types.js';

const sameAsInput: ShapeFn = (ctx) => [{ dtype: ctx.dtype(0), dims: ctx.shape(0) }];

export function broadcastInputs(ctx: ShapeContext, indices: readonly number[]): number[] {
  const shapes = indices.map((i) => ctx.shape(i));
  try {
    return broadcastShapes(...shapes);
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
}

const binary: ShapeFn = (ctx) => {
  if (!ctx.has(0) || !ctx.has(1)) ctx.fail('needs two inputs');
  // Pow may mix dtypes (float base, int exponent); the result has the base's dtype.
  if (ctx.node.opType !== 'Pow' && ctx.dtype(0) !== ctx.dtype(1)) {
    ctx.fail(`input dtypes differ: ${ctx.dtype(0)} and ${ctx.dtype(1)}`);
  }
  return [{ dtype: ctx.dtype(0), dims: broadcastInputs(ctx, [0, 1]) }];
};

const variadicBroadcast: ShapeFn = (ctx) => {
  const present = ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i));
  if (present.length === 0) ctx.fail('needs at least one input');
  return [{ dtype: ctx.dtype(present[0]), dims: broadcastInputs(ctx, present) }];
};

const unaryOps = [
  'Sqrt',
  'Relu',
  'Clip',
  'LeakyRelu',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Erf',
  'Identity',
  ...UNARY_OPS,
];

export const elementwiseShapes: ShapeTable = {
  ...Object.fromEntries(unaryOps.map((op) => [`::${op}`, sameAsInput])),
  '::Add': binary,
  '::Sub': binary,
  '::Mul': binary,
  '::Div': binary,
  '::Pow': binary,
  '::Sum': variadicBroadcast,
};
