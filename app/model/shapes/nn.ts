// Shape functions of the neural-network ops: convolutions, pools, normalization, Gemm/MatMul.
// The spatial geometry (auto_pad, ceil_mode, dilations) comes from kernels/conv2d/conv-geometry.ts
// and the ConvTranspose reference, the code the kernels use, so the shapes here cannot drift from theirs.
import { broadcastShapes } from '../../../kernels/broadcast/broadcast.js';
import { parseAutoPad, resolveConvGeometry } from '../../../kernels/conv2d/conv-geometry.js';
import { resolveConvTransposeGeometry } from '../../../kernels/conv-transpose/conv-transpose.ref.js';
import { attrInt, attrInts, attrString } from '../attributes.js';
import type { ShapeContext, ShapeFn, ShapeTable } from './types.js';
import { normalizeAxis, optionalInts } from './types.js';

function spatialOf(ctx: ShapeContext, x: readonly number[], what: string): number[] {
  if (x.length < 3) ctx.fail(`${what} has rank ${x.length}; expected [N, C, spatial...] with rank >= 3`);
  return x.slice(2);
}

function geometry(
  ctx: ShapeContext,
  inputSpatial: number[],
  kernelSpatial: readonly number[],
  ceilMode: boolean,
) {
  const node = ctx.node;
  try {
    return resolveConvGeometry({
      inputSpatial,
      kernelSpatial,
      strides: attrInts(node, 'strides'),
      dilations: attrInts(node, 'dilations'),
      pads: attrInts(node, 'pads'),
      autoPad: parseAutoPad(attrString(node, 'auto_pad', 'NOTSET')),
      ceilMode,
    });
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
}

/** Output dims of a convolution with data input `xi` and weight input `wi` (Conv, ConvInteger, QLinearConv). */
export function convDims(ctx: ShapeContext, xi: number, wi: number): number[] {
  const x = ctx.shape(xi);
  const w = ctx.shape(wi);
  const inputSpatial = spatialOf(ctx, x, 'input');
  if (w.length !== x.length) ctx.fail(`weight has rank ${w.length}, input has rank ${x.length}`);
  const group = attrInt(ctx.node, 'group', 1);
  if (x[1] !== w[1] * group) {
    ctx.fail(`input has ${x[1]} channels but weight [${w}] with group ${group} expects ${w[1] * group}`);
  }
  const kernel = optionalInts(ctx.node, 'kernel_shape') ?? w.slice(2);
  if (kernel.some((k, i) => k !== w[2 + i]))
    ctx.fail(`kernel_shape [${kernel}] disagrees with weight [${w}]`);
  const g = geometry(ctx, inputSpatial, kernel, false);
  return [x[0], w[0], ...g.outputSpatial];
}

/** Output dims of a pool over input `xi` (MaxPool, AveragePool, QLinearAveragePool). */
export function poolDims(ctx: ShapeContext, x: readonly number[]): number[] {
  const kernel = optionalInts(ctx.node, 'kernel_shape');
  if (!kernel) ctx.fail(`needs attribute 'kernel_shape'`);
  const spatial = spatialOf(ctx, x, 'input');
  if (kernel.length !== spatial.length)
    ctx.fail(`kernel_shape [${kernel}] does not match input rank ${x.length}`);
  const g = geometry(ctx, spatial, kernel, attrInt(ctx.node, 'ceil_mode', 0) !== 0);
  return [x[0], x[1], ...g.outputSpatial];
}

/** numpy matmul: 1-D operands are promoted then their unit axis removed; batch axes broadcast. */
export function matmulDims(ctx: ShapeContext, ai: number, bi: number): number[] {
  const a = ctx.shape(ai);
  const b = ctx.shape(bi);
  if (a.length === 0 || b.length === 0) ctx.fail('MatMul operands must have rank >= 1');
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const k = a2[a2.length - 1];
  if (b2[b2.length - 2] !== k) ctx.fail(`inner dimensions differ: [${a}] x [${b}]`);
  let batch: number[];
  try {
    batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
  const out = [...batch];
  if (a.length !== 1) out.push(a2[a2.length - 2]);
  if (b.length !== 1) out.push(b2[b2.length - 1]);
  return out;
}

/** Gemm's [M, N] from A (input ai) and B (input bi) with transA/transB. */
export function gemmDims(ctx: ShapeContext, ai: number, bi: number): [number, number] {
  const a = ctx.shape(ai);
  const b = ctx.shape(bi);
  if (a.length !== 2 || b.length !== 2) ctx.fail(`A and B must be 2-D, got [${a}] and [${b}]`);
  const transA = attrInt(ctx.node, 'transA', 0) !== 0;
  const transB = attrInt(ctx.node, 'transB', 0) !== 0;
  const [m, ka] = transA ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = transB ? [b[1], b[0]] : [b[0], b[1]];
  if (ka !== kb)
    ctx.fail(`inner dimensions differ: A [${a}]${transA ? 'ᵀ' : ''} x B [${b}]${transB ? 'ᵀ' : ''}`);
  return [m, n];
}

/** C must broadcast to [M, N] without growing it (unidirectional broadcasting). */
export function checkGemmBias(ctx: ShapeContext, ci: number, mn: readonly number[]): void {
  if (!ctx.has(ci)) return;
  const c = ctx.shape(ci);
  let ok = c.length <= 2;
  try {
    const b = broadcastShapes(mn, c);
    ok &&= b[0] === mn[0] && b[1] === mn[1];
  } catch {
    ok = false;
  }
  if (!ok) ctx.fail(`bias C [${c}] does not broadcast to [${mn}]`);
}

const conv: ShapeFn = (ctx) => {
  const dims = convDims(ctx, 0, 1);
  if (ctx.has(2) && (ctx.shape(2).length !== 1 || ctx.shape(2)[0] !== dims[1])) {
    ctx.fail(`bias [${ctx.shape(2)}] must be [${dims[1]}]`);
  }
  return [{ dtype: ctx.dtype(0), dims }];
};

const convTranspose: ShapeFn = (ctx) => {
  const node = ctx.node;
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  const spatial = spatialOf(ctx, x, 'input');
  if (w.length !== x.length) ctx.fail(`weight has rank ${w.length}, input has rank ${x.length}`);
  if (w[0] !== x[1]) ctx.fail(`input has ${x[1]} channels, weight [${w}] expects ${w[0]}`);
  const group = attrInt(node, 'group', 1);
  // The reference kernel's geometry, which follows onnxruntime on output_shape and SAME_* clamping.
  let g: { outputSpatial: number[] };
  try {
    g = resolveConvTransposeGeometry(spatial, optionalInts(node, 'kernel_shape') ?? w.slice(2), {
      strides: attrInts(node, 'strides'),
      dilations: attrInts(node, 'dilations'),
      pads: attrInts(node, 'pads'),
      autoPad: parseAutoPad(attrString(node, 'auto_pad', 'NOTSET')),
      outputPadding: attrInts(node, 'output_padding'),
      outputShape: attrInts(node, 'output_shape'),
    });
  } catch (e) {
    return ctx.fail((e as Error).message);
  }
  return [{ dtype: ctx.dtype(0), dims: [x[0], w[1] * group, ...g.outputSpatial] }];
};

const maxPool: ShapeFn = (ctx) => {
  const dims = poolDims(ctx, ctx.shape(0));
  return [
    { dtype: ctx.dtype(0), dims },
    { dtype: 'int64', dims },
  ];
};

const averagePool: ShapeFn = (ctx) => [{ dtype: ctx.dtype(0), dims: poolDims(ctx, ctx.shape(0)) }];

export function globalPoolDims(ctx: ShapeContext, x: readonly number[]): number[] {
  spatialOf(ctx, x, 'input');
  return [x[0], x[1], ...x.slice(2).map(() => 1)];
}

const globalAveragePool: ShapeFn = (ctx) => [
  { dtype: ctx.dtype(0), dims: globalPoolDims(ctx, ctx.shape(0)) },
];

const batchNormalization: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  if (x.length < 2) ctx.fail(`input has rank ${x.length}; expected [N, C, ...]`);
  // Before opset 9, spatial=0 gave per-element parameters of shape [C, D1, ...]: not checked here.
  const perChannel = ctx.opset >= 9 || attrInt(ctx.node, 'spatial', 1) !== 0;
  for (let i = 1; i <= 4 && perChannel; i++) {
    const p = ctx.shape(i);
    if (p.length !== 1 || p[0] !== x[1]) ctx.fail(`input ${i} has shape [${p}], expected [${x[1]}]`);
  }
  // Extra outputs (running/saved mean and variance) exist only in training mode: [C] each.
  return ctx.node.outputs.map((_, i) =>
    i === 0 ? { dtype: ctx.dtype(0), dims: x } : { dtype: ctx.dtype(3), dims: [x[1]] },
  );
};

const gemm: ShapeFn = (ctx) => {
  const mn = gemmDims(ctx, 0, 1);
  checkGemmBias(ctx, 2, mn);
  return [{ dtype: ctx.dtype(0), dims: mn }];
};

const matMul: ShapeFn = (ctx) => [{ dtype: ctx.dtype(0), dims: matmulDims(ctx, 0, 1) }];

const softmax: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  // Before opset 13 Softmax flattens to 2-D around `axis` (default 1); from 13 it works along `axis` (default -1).
  const axis = attrInt(ctx.node, 'axis', ctx.opset >= 13 ? -1 : 1);
  if (x.length > 0 || axis !== -1) normalizeAxis(ctx, axis, Math.max(x.length, 1));
  return [{ dtype: ctx.dtype(0), dims: x }];
};

/** ArgMax / ArgMin: int64 indices along `axis`, kept as 1 or dropped. */
const argReduce: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const a = normalizeAxis(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  const keep = attrInt(ctx.node, 'keepdims', 1) !== 0;
  return [{ dtype: 'int64', dims: keep ? x.map((d, i) => (i === a ? 1 : d)) : x.filter((_, i) => i !== a) }];
};

const dropout: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  // The mask is bool from opset 10; before it had the data's dtype.
  const maskType = ctx.opset >= 10 ? 'bool' : ctx.dtype(0);
  const outs = [{ dtype: ctx.dtype(0), dims: x }];
  if (ctx.node.outputs.length > 1) outs.push({ dtype: maskType, dims: x });
  return outs;
};

export const nnShapes: ShapeTable = {
  '::Conv': conv,
  '::ConvTranspose': convTranspose,
  '::MaxPool': maxPool,
  '::AveragePool': averagePool,
  '::GlobalAveragePool': globalAveragePool,
  '::BatchNormalization': batchNormalization,
  '::Gemm': gemm,
  '::MatMul': matMul,
  '::Softmax': softmax,
  '::LogSoftmax': softmax,
  '::ArgMax': argReduce,
  '::ArgMin': argReduce,
  '::Dropout': dropout,
};
