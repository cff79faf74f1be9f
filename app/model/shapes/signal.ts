// Shape functions of Einsum, the window functions, Det and DFT. A window's size and DFT's length /
// axis are values: known before the run (constants) or taken from the run's inputs by the
// executor (ValueNeededError).
import { einsumRef } from '../../../kernels/einsum/einsum.ref.js';
import { allocData, toNumbers } from '../../../kernels/tensor.js';
import { attrInt, attrString, hasAttr } from '../attributes.js';
import { dtypeFromOnnx } from '../tensor-proto.js';
import type { ShapeFn, ShapeTable } from './types.js';
import { normalizeAxis } from './types.js';

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

export const signalShapes: ShapeTable = {
  '::DFT': dft,
  '::HannWindow': window,
  '::HammingWindow': window,
  '::BlackmanWindow': window,
  '::Det': (ctx) => [{ dtype: ctx.dtype(0), dims: ctx.shape(0).slice(0, -2) }],
  '::Einsum': einsum,
};
