// Shape functions of the data-movement ops (Reshape, Transpose, Concat, Split, Slice, Squeeze,
// Unsqueeze, Gather, Flatten, Pad) and of ReduceMean and Resize. Where an output shape depends on
// an input's contents (Reshape's shape, Slice's starts), that input must be a constant; opset
// versions that moved an attribute to an input (Squeeze 13, Slice 10, Pad 11...) are handled here.

import { sliceRange } from '../../../kernels/shape-ops/slice.ref.js';
import { toNumbers } from '../../../kernels/tensor.js';
import { attrFloats, attrInt, attrString } from '../attributes.js';
import { REDUCE_OPS, REDUCE_TABLE } from '../../../kernels/reduce/reduce.ref.js';
import { expandDomain, tileDomain } from '../../../kernels/shape-ops/expand-tile.ref.js';
import type { ShapeContext, ShapeFn, ShapeTable } from './types.js';
import { normalizeAxis, optionalInts, product } from './types.js';

/** An int list taken from an attribute before `inputSince`, from input `index` from then on. */
function intsFromAttrOrInput(
  ctx: ShapeContext,
  attr: string,
  index: number,
  inputSince: number,
): number[] | undefined {
  if (ctx.opset < inputSince) {
    const a = optionalInts(ctx.node, attr);
    return a ? [...a] : undefined;
  }
  if (!ctx.has(index)) return undefined;
  return toNumbers(ctx.constValue(index, attr));
}

function uniqueAxes(ctx: ShapeContext, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => normalizeAxis(ctx, a, rank));
  if (new Set(out).size !== out.length) ctx.fail(`axes [${axes}] repeat an axis`);
  return out;
}

const reshape: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const target = toNumbers(ctx.constValue(1, 'shape'));
  const allowZero = ctx.opset >= 14 && attrInt(ctx.node, 'allowzero', 0) !== 0;
  let inferAt = -1;
  const dims = target.map((d, i) => {
    if (d === -1) {
      if (inferAt >= 0) ctx.fail(`shape [${target}] has more than one -1`);
      inferAt = i;
      return 1;
    }
    if (d === 0 && !allowZero) {
      if (i >= x.length) ctx.fail(`shape [${target}] copies dim ${i} (0) but the input has rank ${x.length}`);
      return x[i];
    }
    if (d < 0) ctx.fail(`shape [${target}] has a negative dim`);
    return d;
  });
  const total = product(x);
  if (inferAt >= 0) {
    const known = product(dims);
    if (known === 0 || total % known !== 0) ctx.fail(`cannot reshape [${x}] to [${target}]`);
    dims[inferAt] = total / known;
  }
  if (product(dims) !== total) ctx.fail(`cannot reshape [${x}] (${total} elements) to [${target}]`);
  return [{ dtype: ctx.dtype(0), dims }];
};

const flatten: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  let axis = attrInt(ctx.node, 'axis', 1);
  if (axis < -x.length || axis > x.length) ctx.fail(`axis ${axis} is out of range for rank ${x.length}`);
  if (axis < 0) axis += x.length;
  return [{ dtype: ctx.dtype(0), dims: [product(x.slice(0, axis)), product(x.slice(axis))] }];
};

const transpose: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const perm = optionalInts(ctx.node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    ctx.fail(`perm [${perm}] is not a permutation of ${x.length} axes`);
  }
  return [{ dtype: ctx.dtype(0), dims: perm.map((p) => x[p]) }];
};

/** Output dims of concatenating inputs `indices` along `axis` (Concat, QLinearConcat). */
export function concatDims(ctx: ShapeContext, indices: readonly number[], axisAttr: number): number[] {
  if (indices.length === 0) ctx.fail('needs at least one input');
  const first = ctx.shape(indices[0]);
  const axis = normalizeAxis(ctx, axisAttr, first.length);
  const out = [...first];
  out[axis] = 0;
  for (const i of indices) {
    const s = ctx.shape(i);
    if (s.length !== first.length || s.some((d, k) => k !== axis && d !== first[k])) {
      ctx.fail(`input shapes [${first}] and [${s}] differ outside axis ${axisAttr}`);
    }
    out[axis] += s[axis];
  }
  return out;
}

const concat: ShapeFn = (ctx) => {
  const present = ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i));
  for (const i of present)
    if (ctx.dtype(i) !== ctx.dtype(present[0])) ctx.fail('inputs have different dtypes');
  return [{ dtype: ctx.dtype(present[0]), dims: concatDims(ctx, present, attrInt(ctx.node, 'axis')) }];
};

const split: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const axis = normalizeAxis(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  const n = ctx.node.outputs.length;
  let sizes = intsFromAttrOrInput(ctx, 'split', 1, 13);
  if (!sizes || sizes.length === 0) {
    const d = x[axis];
    if (ctx.opset >= 18 && ctx.node.attributes.num_outputs !== undefined) {
      // num_outputs (opset 18): chunks of ceil(d / n), the last one smaller.
      const chunk = Math.ceil(d / n);
      sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
    } else {
      if (d % n !== 0) ctx.fail(`axis of size ${d} does not split evenly into ${n} outputs`);
      sizes = new Array<number>(n).fill(d / n);
    }
  }
  if (sizes.length !== n) ctx.fail(`split has ${sizes.length} sizes for ${n} outputs`);
  if (sizes.reduce((a, b) => a + b, 0) !== x[axis] || sizes.some((s) => s < 0)) {
    ctx.fail(`split sizes [${sizes}] do not add up to ${x[axis]}`);
  }
  return sizes.map((s) => {
    const dims = [...x];
    dims[axis] = s;
    return { dtype: ctx.dtype(0), dims };
  });
};

/** One sliced axis: the first index taken, the step, and how many elements. */
export interface SliceAxis {
  readonly start: number;
  readonly step: number;
  readonly size: number;
}

/** ONNX Slice semantics for every axis of `x` (untouched axes: start 0, step 1, full size). */
export function resolveSlice(ctx: ShapeContext, x: readonly number[]): SliceAxis[] {
  const starts = intsFromAttrOrInput(ctx, 'starts', 1, 10);
  const ends = intsFromAttrOrInput(ctx, 'ends', 2, 10);
  if (!starts || !ends) ctx.fail('needs starts and ends');
  if (starts.length !== ends.length) ctx.fail(`starts [${starts}] and ends [${ends}] differ in length`);
  const axes = intsFromAttrOrInput(ctx, 'axes', 3, 10) ?? starts.map((_, i) => i);
  const steps =
    (ctx.opset >= 10 && ctx.has(4) ? toNumbers(ctx.constValue(4, 'steps')) : undefined) ??
    starts.map(() => 1);
  if (axes.length !== starts.length || steps.length !== starts.length)
    ctx.fail('starts, ends, axes and steps differ in length');
  const out: SliceAxis[] = x.map((d) => ({ start: 0, step: 1, size: d }));
  uniqueAxes(ctx, axes, x.length).forEach((axis, i) => {
    const dim = x[axis];
    const step = steps[i];
    if (step === 0) ctx.fail('a slice step is 0');
    // The op's own clamping (incl. onnxruntime's INT_MAX 'no end'), so shapes match the values.
    const { start, count: size } = sliceRange(dim, starts[i], ends[i], step);
    out[axis] = { start, step, size };
  });
  return out;
}

const slice: ShapeFn = (ctx) => [
  { dtype: ctx.dtype(0), dims: resolveSlice(ctx, ctx.shape(0)).map((a) => a.size) },
];

const squeeze: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const axesIn = intsFromAttrOrInput(ctx, 'axes', 1, 13);
  const axes = axesIn ? uniqueAxes(ctx, axesIn, x.length) : x.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of axes) if (x[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${x[a]}`);
  return [{ dtype: ctx.dtype(0), dims: x.filter((_, i) => !axes.includes(i)) }];
};

const unsqueeze: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const axesIn = intsFromAttrOrInput(ctx, 'axes', 1, 13);
  if (!axesIn) return ctx.fail('needs axes');
  const rank = x.length + axesIn.length;
  const axes = uniqueAxes(ctx, axesIn, rank);
  const dims: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : x[k++]);
  return [{ dtype: ctx.dtype(0), dims }];
};

const gather: ShapeFn = (ctx) => {
  const data = ctx.shape(0);
  const indices = ctx.shape(1);
  if (data.length === 0) ctx.fail('data must have rank >= 1');
  const axis = normalizeAxis(ctx, attrInt(ctx.node, 'axis', 0), data.length);
  const idx = ctx.value(1);
  if (idx) {
    for (const i of toNumbers(idx)) {
      if (i < -data[axis] || i >= data[axis])
        ctx.fail(`index ${i} is out of range for axis of size ${data[axis]}`);
    }
  }
  return [{ dtype: ctx.dtype(0), dims: [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)] }];
};

const pad: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const pads = intsFromAttrOrInput(ctx, 'pads', 1, 11);
  if (!pads) return ctx.fail('needs pads');
  const axes =
    ctx.opset >= 18 && ctx.has(3)
      ? uniqueAxes(ctx, toNumbers(ctx.constValue(3, 'axes')), x.length)
      : x.map((_, i) => i);
  if (pads.length !== 2 * axes.length)
    ctx.fail(`pads has ${pads.length} values, expected ${2 * axes.length}`);
  const dims = [...x];
  axes.forEach((a, i) => {
    dims[a] += pads[i] + pads[i + axes.length];
  });
  if (dims.some((d) => d < 0)) ctx.fail(`pads [${pads}] remove more than the input [${x}] has`);
  return [{ dtype: ctx.dtype(0), dims }];
};

/** A reduction whose axes become an input at opset `axesInputSince` (ReduceMean and the table's). */
const reduction =
  (axesInputSince: number): ShapeFn =>
  (ctx) => {
    const x = ctx.shape(0);
    const keep = attrInt(ctx.node, 'keepdims', 1) !== 0;
    const given = intsFromAttrOrInput(ctx, 'axes', 1, axesInputSince) ?? [];
    if (
      given.length === 0 &&
      ctx.opset >= axesInputSince &&
      attrInt(ctx.node, 'noop_with_empty_axes', 0) !== 0
    ) {
      return [{ dtype: ctx.dtype(0), dims: x }];
    }
    const axes = given.length === 0 ? x.map((_, i) => i) : uniqueAxes(ctx, given, x.length);
    const dims = keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
    return [{ dtype: ctx.dtype(0), dims }];
  };

/** An optional float/int input given as an empty tensor counts as absent (Resize's roi/scales/sizes). */
function nonEmpty(ctx: ShapeContext, i: number, what: string): number[] | undefined {
  if (!ctx.has(i) || product(ctx.shape(i)) === 0) return undefined;
  return toNumbers(ctx.constValue(i, what));
}

/** Upsample (opsets 7-9): floor(dim * scale) per axis, scales from the attribute or input 1. */
const upsample: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const scales = ctx.opset >= 9 ? nonEmpty(ctx, 1, 'scales') : attrFloats(ctx.node, 'scales');
  if (!scales || scales.length !== x.length) ctx.fail(`needs ${x.length} scales`);
  return [{ dtype: ctx.dtype(0), dims: x.map((d, i) => Math.floor(Math.fround(d * scales![i]))) }];
};

const resize: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const node = ctx.node;
  const scalesAt = ctx.opset >= 11 ? 2 : 1;
  const scales = nonEmpty(ctx, scalesAt, 'scales');
  const sizes = ctx.opset >= 11 ? nonEmpty(ctx, 3, 'sizes') : undefined;
  const axes = ctx.opset >= 18 ? optionalInts(node, 'axes') : undefined;
  const targetAxes = axes ? uniqueAxes(ctx, axes, x.length) : x.map((_, i) => i);
  const dims = [...x];
  if (sizes) {
    if (scales) ctx.fail('gives both scales and sizes');
    if (sizes.length !== targetAxes.length)
      ctx.fail(`sizes has ${sizes.length} values for ${targetAxes.length} axes`);
    const policy = ctx.opset >= 18 ? attrString(node, 'keep_aspect_ratio_policy', 'stretch') : 'stretch';
    if (policy === 'stretch') {
      targetAxes.forEach((a, i) => {
        dims[a] = sizes[i];
      });
    } else {
      // One scale for all axes, the smallest (not_larger) or largest (not_smaller) of the ratios.
      const ratios = targetAxes.map((a, i) => sizes[i] / x[a]);
      const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      for (const a of targetAxes) dims[a] = Math.round(s * x[a]);
    }
  } else if (scales) {
    if (scales.length !== targetAxes.length)
      ctx.fail(`scales has ${scales.length} values for ${targetAxes.length} axes`);
    const crop =
      ctx.opset >= 11 &&
      attrString(node, 'coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize';
    const roi = crop ? nonEmpty(ctx, 1, 'roi') : undefined;
    targetAxes.forEach((a, i) => {
      const extent = roi ? roi[i + targetAxes.length] - roi[i] : 1;
      // onnxruntime multiplies the int size by the float32 scale in float32, then truncates.
      dims[a] = Math.floor(Math.fround(Math.fround(x[a] * extent) * scales[i]));
    });
  } else {
    ctx.fail('needs scales or sizes');
  }
  return [{ dtype: ctx.dtype(0), dims }];
};

/** Expand / Tile: the output dims come from the constant shape / repeats (expand-tile.ref.ts). */
function strided(what: 'shape' | 'repeats'): ShapeFn {
  return (ctx) => {
    const v = toNumbers(ctx.constValue(1, what));
    try {
      const d = what === 'shape' ? expandDomain(ctx.shape(0), v) : tileDomain(ctx.shape(0), v);
      return [{ dtype: ctx.dtype(0), dims: d.dims }];
    } catch (e) {
      return ctx.fail((e as Error).message);
    }
  };
}

/** GatherElements: the indices' dims (same rank as data), data's dtype. */
const gatherElements: ShapeFn = (ctx) => {
  const x = ctx.shape(0);
  const idx = ctx.shape(1);
  if (idx.length !== x.length) ctx.fail(`indices have rank ${idx.length}, data has ${x.length}`);
  normalizeAxis(ctx, attrInt(ctx.node, 'axis', 0), x.length);
  return [{ dtype: ctx.dtype(0), dims: idx }];
};

export const tensorShapes: ShapeTable = {
  '::GatherElements': gatherElements,
  '::Expand': strided('shape'),
  '::Tile': strided('repeats'),
  '::Reshape': reshape,
  '::Flatten': flatten,
  '::Transpose': transpose,
  '::Concat': concat,
  '::Split': split,
  '::Slice': slice,
  '::Squeeze': squeeze,
  '::Unsqueeze': unsqueeze,
  '::Gather': gather,
  '::Pad': pad,
  '::ReduceMean': reduction(18),
  ...Object.fromEntries(REDUCE_OPS.map((op) => [`::${op}`, reduction(REDUCE_TABLE[op].axesInputSince)])),
  '::Resize': resize,
  '::Upsample': upsample,
};
