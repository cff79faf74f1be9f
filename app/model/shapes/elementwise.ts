// Shape functions of element-wise ops: unary activations keep their input's shape and dtype;
// binary arithmetic and Sum broadcast numpy-style (ONNX multidirectional broadcasting).
import { broadcastShapes, legacyBroadcastDims } from '../../../kernels/broadcast/broadcast.js';
import { UNARY_OPS } from '../../../kernels/unary/unary.ref.js';
import { attrInt, hasAttr } from '../attributes.js';
import type { GraphNode } from '../ir.js';
import type { ShapeContext, ShapeFn, ShapeTable } from './types.js';

/** The arithmetic ops whose opset < 7 forms broadcast the legacy way (broadcast/axis attributes). */
export const LEGACY_BROADCAST: ReadonlySet<string> = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow']);

/** B's dims for numpy broadcasting under an opset < 7 node's broadcast/axis attributes. */
export function legacyB(node: GraphNode, aDims: readonly number[], bDims: readonly number[]): number[] {
  const axis = hasAttr(node, 'axis') ? attrInt(node, 'axis') : undefined;
  return legacyBroadcastDims(aDims, bDims, attrInt(node, 'broadcast', 0) !== 0, axis);
}

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
  if (ctx.opset < 7 && LEGACY_BROADCAST.has(ctx.node.opType)) {
    try {
      return [
        {
          dtype: ctx.dtype(0),
          dims: broadcastShapes(ctx.shape(0), legacyB(ctx.node, ctx.shape(0), ctx.shape(1))),
        },
      ];
    } catch (e) {
      return ctx.fail((e as Error).message);
    }
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

/** PRelu: the slope broadcasts to X (per channel before opset 7); the output is X's. */
const prelu: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const s = ctx.shape(1);
  if (ctx.opset < 7 && s.length === 1 && x.length >= 2 && s[0] === x[1])
    return [{ dtype: ctx.dtype(0), dims: x }];
  const dims = broadcastInputs(ctx, [0, 1]);
  if (dims.join(',') !== ctx.shape(0).join(','))
    ctx.fail(`slope [${ctx.shape(1)}] does not broadcast to X [${ctx.shape(0)}]`);
  return [{ dtype: ctx.dtype(0), dims }];
};

/** Comparisons: numeric inputs of one dtype (bool too for Equal), a bool output. */
const comparison: ShapeFn = (ctx) => {
  if (ctx.dtype(0) !== ctx.dtype(1)) ctx.fail(`input dtypes differ: ${ctx.dtype(0)} and ${ctx.dtype(1)}`);
  return [{ dtype: 'bool', dims: broadcastInputs(ctx, [0, 1]) }];
};

const logic: ShapeFn = (ctx) => {
  if (ctx.dtype(0) !== 'bool' || ctx.dtype(1) !== 'bool')
    ctx.fail(`needs bool inputs, got ${ctx.dtype(0)} and ${ctx.dtype(1)}`);
  return [{ dtype: 'bool', dims: broadcastInputs(ctx, [0, 1]) }];
};

const where: ShapeFn = (ctx) => {
  if (ctx.dtype(0) !== 'bool') ctx.fail(`condition must be bool, got ${ctx.dtype(0)}`);
  if (ctx.dtype(1) !== ctx.dtype(2)) ctx.fail(`X and Y dtypes differ: ${ctx.dtype(1)} and ${ctx.dtype(2)}`);
  return [{ dtype: ctx.dtype(1), dims: broadcastInputs(ctx, [0, 1, 2]) }];
};

export const elementwiseShapes: ShapeTable = {
  '::PRelu': prelu,
  '::Max': variadicBroadcast,
  '::Min': variadicBroadcast,
  '::Mean': variadicBroadcast,
  '::Mod': binary,
  '::BitShift': binary,
  '::BitwiseAnd': binary,
  '::BitwiseOr': binary,
  '::BitwiseXor': binary,
  '::BitwiseNot': sameAsInput,
  ...Object.fromEntries(
    ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual'].map((op) => [`::${op}`, comparison]),
  ),
  ...Object.fromEntries(['And', 'Or', 'Xor'].map((op) => [`::${op}`, logic])),
  '::Not': sameAsInput,
  '::Where': where,
  ...Object.fromEntries(unaryOps.map((op) => [`::${op}`, sameAsInput])),
  '::Add': binary,
  '::Sub': binary,
  '::Mul': binary,
  '::Div': binary,
  '::Pow': binary,
  '::Sum': variadicBroadcast,
};
