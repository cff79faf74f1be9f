// Shape functions of Range, Trilu, CumSum / CumProd, OneHot, EyeLike, Hardmax, IsInf / IsNaN and
// TopK. Range's length, OneHot's depth and TopK's k are values: known before the run (constants)
// or taken from the run's inputs by the executor (ValueNeededError).
import { einsumRef } from '../../../kernels/einsum/einsum.ref.js';
import { rangeRef } from '../../../kernels/index-ops/index-ops.ref.js';
import { allocData, toNumbers } from '../../../kernels/tensor.js';
import { attrInt, attrString, hasAttr } from '../attributes.js';
import { dtypeFromOnnx } from '../tensor-proto.js';
import type { ShapeFn, ShapeTable } from './types.js';
import { normalizeAxis } from './types.js';

const same: ShapeFn = (ctx) => [{ dtype: ctx.dtype(0), dims: ctx.shape(0) }];

const range: ShapeFn = (ctx) => {
  const [s, l, d] = [0, 1, 2].map((i) => ctx.constValue(i, ['start', 'limit', 'delta'][i]));
  const out = rangeRef(s, l, d);
  return [{ dtype: ctx.dtype(0), dims: out.dims, value: out.data.length <= 4096 ? out : undefined }];
};

const oneHot: ShapeFn = (ctx) => {
  const depth = toNumbers(ctx.constValue(1, 'depth'))[0];
  const idx = ctx.shape(0);
  const axis = normalizeAxis(ctx, attrInt(ctx.node, 'axis', -1), idx.length + 1);
  return [{ dtype: ctx.dtype(2), dims: [...idx.slice(0, axis), depth, ...idx.slice(axis)] }];
};

const eyeLike: ShapeFn = (ctx) => {
  const code = hasAttr(ctx.node, 'dtype') ? attrInt(ctx.node, 'dtype') : undefined;
  const dtype = code === undefined ? ctx.dtype(0) : dtypeFromOnnx(code);
  if (!dtype) return ctx.fail(`dtype ${code} is not supported`);
  return [{ dtype, dims: ctx.shape(0) }];
};

const bool: ShapeFn = (ctx) => [{ dtype: 'bool', dims: ctx.shape(0) }];

const topK: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const k = ctx.opset >= 10 ? toNumbers(ctx.constValue(1, 'K'))[0] : attrInt(ctx.node, 'k');
  const axis = normalizeAxis(ctx, attrInt(ctx.node, 'axis', -1), x.length);
  const dims = [...x];
  dims[axis] = k;
  return [
    { dtype: ctx.dtype(0), dims },
    { dtype: 'int64', dims },
  ];
};

/** Einsum: the reference run on zero-filled operands of the input shapes gives the output dims. */
const einsum: ShapeFn = (ctx) => {
  const zeros = ctx.node.inputs.map((_, i) => ({
    dtype: ctx.dtype(i),
    dims: ctx.shape(i),
    data: allocData(
      ctx.dtype(i),
      ctx.shape(i).reduce((a, b) => a * b, 1),
    ),
  }));
  return [{ dtype: ctx.dtype(0), dims: einsumRef(attrString(ctx.node, 'equation'), zeros).dims }];
};

const window: ShapeFn = (ctx) => {
  const code = attrInt(ctx.node, 'output_datatype', 1);
  const dtype = dtypeFromOnnx(code);
  if (!dtype) return ctx.fail(`output_datatype ${code} is not supported`);
  return [{ dtype, dims: [toNumbers(ctx.constValue(0, 'size'))[0]] }];
};

/** DFT: the reference run on a zero input of the shape gives the output dims (length / axis values needed). */
const dft: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const axis =
    ctx.opset >= 20
      ? ctx.has(2)
        ? toNumbers(ctx.constValue(2, 'axis'))[0]
        : -2
      : attrInt(ctx.node, 'axis', 1);
  const length = ctx.has(1) ? toNumbers(ctx.constValue(1, 'dft_length'))[0] : undefined;
  const rank = x.length;
  const a = ((axis % rank) + rank) % rank;
  const irfft = attrInt(ctx.node, 'inverse', 0) !== 0 && attrInt(ctx.node, 'onesided', 0) !== 0;
  const n = length ?? (irfft ? 2 * (x[a] - 1) : x[a]);
  const dims = [...x];
  dims[a] = irfft ? n : attrInt(ctx.node, 'onesided', 0) ? Math.floor(n / 2) + 1 : n;
  dims[rank - 1] = irfft ? 1 : 2;
  return [{ dtype: ctx.dtype(0), dims }];
};

export const indexShapes: ShapeTable = {
  '::DFT': dft,
  '::HannWindow': window,
  '::HammingWindow': window,
  '::BlackmanWindow': window,
  '::Det': (ctx) => [{ dtype: ctx.dtype(0), dims: ctx.shape(0).slice(0, -2) }],
  '::Einsum': einsum,
  '::Range': range,
  '::Trilu': same,
  '::CumSum': same,
  '::CumProd': same,
  '::OneHot': oneHot,
  '::EyeLike': eyeLike,
  '::Hardmax': same,
  '::IsNaN': bool,
  '::IsInf': bool,
  '::TopK': topK,
};
