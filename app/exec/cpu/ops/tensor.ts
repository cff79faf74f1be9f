// Tensor ops (data movement, Cast, constants): thin adapters over kernels/shape-ops/*.ref.ts that
// pick the opset's form of each op (attributes before, inputs after the versions noted).
import type { E8M0RoundMode } from '../../../../kernels/dtypes/e8m0.js';
import { castRef } from '../../../../kernels/shape-ops/cast.ref.js';
import { concatRef } from '../../../../kernels/shape-ops/concat.ref.js';
import { gatherElementsRef, gatherRef } from '../../../../kernels/shape-ops/gather.ref.js';
import {
  constantOfShapeRef,
  flattenDims,
  reshapeDims,
  shapeRef,
  sizeRef,
  squeezeDims,
  unsqueezeDims,
  withDims,
} from '../../../../kernels/shape-ops/reshape.ref.js';
import { expandRef, tileRef } from '../../../../kernels/shape-ops/expand-tile.ref.js';
import { sliceRef } from '../../../../kernels/shape-ops/slice.ref.js';
import { splitRef, splitSizes } from '../../../../kernels/shape-ops/split.ref.js';
import { transposeRef } from '../../../../kernels/shape-ops/transpose.ref.js';
import { allocData, type DType, makeTensor, type Tensor, toNumbers } from '../../../../kernels/tensor.js';
import {
  attrFloat,
  attrFloats,
  attrInt,
  attrInts,
  attrString,
  attrTensor,
  hasAttr,
} from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import { dtypeFromOnnx, onnxTypeName } from '../../../model/tensor-proto.js';
import type { CpuOp, OpContext, OpTable } from '../op-types.js';
import { opKey, required } from '../op-types.js';

/** Optional input i as numbers (int64 shape/axes tensors), or the attribute of the older opsets. */
function inputOrAttrInts(ctx: OpContext, i: number, attr: string): readonly number[] | undefined {
  const t = ctx.inputs[i];
  return t ? toNumbers(t) : attrInts(ctx.node, attr);
}

const reshape: CpuOp = (ctx) => {
  const x = required(ctx, 0);
  const shape = inputOrAttrInts(ctx, 1, 'shape');
  if (!shape) throw new ModelError(`node '${ctx.node.name}' (Reshape) has no target shape`);
  const allowZero = ctx.opset >= 14 && attrInt(ctx.node, 'allowzero') !== 0;
  return [withDims(x, reshapeDims(x.dims, shape, allowZero))];
};

const split: CpuOp = (ctx) => {
  const x = required(ctx, 0);
  const axis = attrInt(ctx.node, 'axis');
  const dim = x.dims[axis < 0 ? axis + x.dims.length : axis];
  const given = inputOrAttrInts(ctx, 1, 'split');
  const numOutputs = hasAttr(ctx.node, 'num_outputs') ? attrInt(ctx.node, 'num_outputs') : undefined;
  const parts = numOutputs ?? ctx.node.outputs.length;
  // Without num_outputs (all opsets before 18) the parts must be equal.
  return splitRef(x, axis, splitSizes(dim ?? 0, parts, given, numOutputs === undefined));
};

const slice: CpuOp = (ctx) => {
  const x = required(ctx, 0);
  if (ctx.opset >= 10) {
    const opt = (i: number) => (ctx.inputs[i] ? toNumbers(ctx.inputs[i]) : undefined);
    return [sliceRef(x, toNumbers(required(ctx, 1)), toNumbers(required(ctx, 2)), opt(3), opt(4))];
  }
  const starts = attrInts(ctx.node, 'starts');
  const ends = attrInts(ctx.node, 'ends');
  if (!starts || !ends) throw new ModelError(`node '${ctx.node.name}' (Slice) needs starts and ends`);
  return [sliceRef(x, starts, ends, attrInts(ctx.node, 'axes'))];
};

const cast: CpuOp = (ctx) => {
  const code = attrInt(ctx.node, 'to');
  const to = dtypeFromOnnx(code);
  if (!to) throw new ModelError(`node '${ctx.node.name}' (Cast) to ${onnxTypeName(code)} is not supported`);
  // saturate (opset 19+, float8 targets): out-of-range values clamp to the largest finite one.
  const saturate = ctx.opset < 19 || attrInt(ctx.node, 'saturate') !== 0;
  return [castRef(required(ctx, 0), to, saturate, e8m0RoundMode(ctx))];
};

/** round_mode of a cast to FLOAT8E8M0 (Cast 24, CastLike 25): 'up' before, and the default. */
function e8m0RoundMode(ctx: OpContext): E8M0RoundMode {
  const since = ctx.node.opType === 'CastLike' ? 25 : 24;
  const mode = ctx.opset >= since ? attrString(ctx.node, 'round_mode', 'up') : 'up';
  if (mode !== 'up' && mode !== 'down' && mode !== 'nearest')
    throw new ModelError(
      `node '${ctx.node.name}' (${ctx.node.opType}): round_mode '${mode}' is not supported`,
    );
  return mode;
}

/** BitCast (opset 26): the same bytes read as another type of the same width (little endian). */
const bitCast: CpuOp = (ctx) => {
  const x = required(ctx, 0);
  const code = attrInt(ctx.node, 'to');
  const to = dtypeFromOnnx(code);
  const bits = (d: DType) => NARROW_BITS[d] ?? allocData(d, 0).BYTES_PER_ELEMENT * 8;
  if (!to || bits(to) !== bits(x.dtype) || bits(to) < 8)
    throw new ModelError(
      `node '${ctx.node.name}' (BitCast) from ${x.dtype} to ${to ?? onnxTypeName(code)} is not supported`,
    );
  const out = allocData(to, x.data.length);
  new Uint8Array(out.buffer).set(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
  return [{ dtype: to, dims: [...x.dims], data: out }];
};

/** Bits per element of the types whose arrays hold them wider (4- and 2-bit, bool as 8). */
const NARROW_BITS: Partial<Record<DType, number>> = { int4: 4, uint4: 4, float4e2m1: 4, int2: 2, uint2: 2 };

/** CastLike (opset 15): Cast to the element type of the second input (its values are unused). */
const castLike: CpuOp = (ctx) => {
  const to = required(ctx, 1).dtype;
  return [castRef(required(ctx, 0), to, attrInt(ctx.node, 'saturate') !== 0, e8m0RoundMode(ctx))];
};

const constant: CpuOp = (ctx) => {
  const n = ctx.node;
  const value = attrTensor(n, 'value');
  if (value) return [value];
  if (hasAttr(n, 'value_float')) return [makeTensor('float32', [], [attrFloat(n, 'value_float')])];
  const floats = attrFloats(n, 'value_floats');
  if (floats) return [makeTensor('float32', [floats.length], floats)];
  if (hasAttr(n, 'value_int')) return [makeTensor('int64', [], [attrInt(n, 'value_int')])];
  const ints = attrInts(n, 'value_ints');
  if (ints) return [makeTensor('int64', [ints.length], ints)];
  const kinds = Object.keys(n.attributes).join(', ') || 'none';
  throw new ModelError(`node '${n.name}' (Constant): unsupported value attribute (${kinds})`);
};

// onnxruntime in inference: the output is the input; the mask is all true from opset 12 (its
// Dropout kernel), and zeros of the input's type (opset 7-9) or bool false (10-11) before, where
// it runs an identity kernel that clears the mask.
const dropout: CpuOp = (ctx) => {
  const x = required(ctx, 0);
  if (ctx.opset < 7 && attrInt(ctx.node, 'is_test') === 0)
    throw new ModelError(`node '${ctx.node.name}' (Dropout) in training mode (is_test = 0) is not supported`);
  if (ctx.inputs[2]?.data[0]) {
    const ratio = ctx.inputs[1] ? Number(ctx.inputs[1].data[0]) : 0.5;
    if (ratio !== 0)
      throw new ModelError(`node '${ctx.node.name}' (Dropout) in training mode is not supported`);
  }
  if (!ctx.node.outputs[1]) return [x];
  const mask =
    ctx.opset >= 12
      ? makeTensor('bool', x.dims, new Uint8Array(x.data.length).fill(1))
      : makeTensor(ctx.opset >= 10 ? 'bool' : x.dtype, x.dims);
  return [x, mask];
};

export const tensorOps: OpTable = {
  [opKey('', 'Flatten')]: (ctx) => {
    const x = required(ctx, 0);
    return [withDims(x, flattenDims(x.dims, attrInt(ctx.node, 'axis')))];
  },
  [opKey('', 'Reshape')]: reshape,
  [opKey('', 'Transpose')]: (ctx) => [transposeRef(required(ctx, 0), attrInts(ctx.node, 'perm'))],
  [opKey('', 'Concat')]: (ctx) => [
    concatRef(
      ctx.inputs.filter((t): t is Tensor => t !== undefined),
      attrInt(ctx.node, 'axis'),
    ),
  ],
  [opKey('', 'Split')]: split,
  [opKey('', 'Slice')]: slice,
  [opKey('', 'Squeeze')]: (ctx) => {
    const x = required(ctx, 0);
    return [withDims(x, squeezeDims(x.dims, inputOrAttrInts(ctx, 1, 'axes')))];
  },
  [opKey('', 'Unsqueeze')]: (ctx) => {
    const x = required(ctx, 0);
    const axes = inputOrAttrInts(ctx, 1, 'axes');
    if (!axes) throw new ModelError(`node '${ctx.node.name}' (Unsqueeze) needs axes`);
    return [withDims(x, unsqueezeDims(x.dims, axes))];
  },
  [opKey('', 'Shape')]: (ctx) => {
    const end = hasAttr(ctx.node, 'end') ? attrInt(ctx.node, 'end') : undefined;
    return [shapeRef(required(ctx, 0), attrInt(ctx.node, 'start'), end)];
  },
  [opKey('', 'Gather')]: (ctx) => [gatherRef(required(ctx, 0), required(ctx, 1), attrInt(ctx.node, 'axis'))],
  [opKey('', 'Cast')]: cast,
  [opKey('', 'CastLike')]: castLike,
  [opKey('', 'BitCast')]: bitCast,
  [opKey('', 'Constant')]: constant,
  [opKey('', 'ConstantOfShape')]: (ctx) => [
    constantOfShapeRef(toNumbers(required(ctx, 0)), attrTensor(ctx.node, 'value')),
  ],
  [opKey('', 'Identity')]: (ctx) => [required(ctx, 0)],
  [opKey('', 'Dropout')]: dropout,
  [opKey('', 'GatherElements')]: (ctx) => [
    gatherElementsRef(required(ctx, 0), required(ctx, 1), attrInt(ctx.node, 'axis')),
  ],
  [opKey('', 'Size')]: (ctx) => [sizeRef(required(ctx, 0))],
  [opKey('', 'Expand')]: (ctx) => [expandRef(required(ctx, 0), toNumbers(required(ctx, 1)))],
  [opKey('', 'Tile')]: (ctx) => [tileRef(required(ctx, 0), toNumbers(required(ctx, 1)))],
};
