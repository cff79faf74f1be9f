// A tiny built-in constant folder for shape math (Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape chains), used when the caller gives no `evaluate` callback (app/model may not import the
// CPU ops). Output dims come from shape inference, so each fold only moves or converts elements.
import { broadcastIndexMap } from '../../../kernels/broadcast/broadcast.js';
import {
  allocData,
  type DType,
  isBigIntDType,
  isNarrowDType,
  makeTensor,
  type Tensor,
  toNumbers,
} from '../../../kernels/tensor.js';
import { attrInt } from '../attributes.js';
import type { GraphNode } from '../ir.js';
import type { SliceAxis } from './tensor.js';
import type { ValueShape } from './types.js';
import { product } from './types.js';

export interface FoldInput {
  readonly node: GraphNode;
  readonly inputs: readonly (Tensor | undefined)[];
  readonly outputs: readonly ValueShape[];
  /** Per-axis slice of input 0, for Slice (resolved by the shape function). */
  readonly slice?: readonly SliceAxis[];
}

/** Same elements, new dims: the reshaping ops. */
const RESHAPES = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Dropout']);

/** Folds a node whose inputs are all constant; `undefined` when this folder does not handle it. */
export function foldBuiltin(f: FoldInput): Tensor[] | undefined {
  const { node, inputs, outputs } = f;
  if (node.domain !== '') return undefined;
  const x = inputs[0];
  const out = outputs[0];
  if (!x || !out) return undefined;
  if (RESHAPES.has(node.opType)) {
    if (node.opType === 'Dropout' && node.outputs.length > 1) return undefined;
    return [{ dtype: x.dtype, dims: [...out.dims], data: x.data }];
  }
  switch (node.opType) {
    case 'Cast':
      return castTensor(x, out.dtype, out.dims);
    case 'Concat':
      return [
        concat(
          inputs.filter((t): t is Tensor => t !== undefined),
          out,
          attrInt(node, 'axis'),
        ),
      ];
    case 'Gather':
      return inputs[1] ? [gather(x, inputs[1], out, attrInt(node, 'axis', 0))] : undefined;
    case 'Slice':
      return f.slice ? [sliceTensor(x, f.slice, out)] : undefined;
    case 'ConstantOfShape':
      return [constantOfShape(node, out)];
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
      return inputs[1] ? integerArithmetic(node.opType, x, inputs[1], out) : undefined;
    default:
      return undefined;
  }
}

function castTensor(x: Tensor, to: DType, dims: readonly number[]): Tensor[] | undefined {
  // float16 needs rounding rules this folder does not need for shape math: leave it to `evaluate`.
  if (x.dtype === 'float16' || to === 'float16') return undefined;
  // The narrow types are raw codes with their own rounding rules (kernels/shape-ops/cast.ref.ts).
  if (isNarrowDType(x.dtype) || isNarrowDType(to)) return undefined;
  if (x.dtype === to) return [{ dtype: to, dims: [...dims], data: x.data }];
  const n = x.data.length;
  const data = allocData(to, n);
  if (isBigIntDType(to)) {
    const src = toNumbers(x);
    for (let i = 0; i < n; i++) (data as BigInt64Array)[i] = BigInt(Math.trunc(src[i]));
  } else if (to === 'bool') {
    const src = toNumbers(x);
    for (let i = 0; i < n; i++) data[i] = src[i] !== 0 ? 1 : 0;
  } else {
    // Float -> int truncates toward zero (as C casts do); typed arrays wrap out-of-range values.
    const src = toNumbers(x);
    for (let i = 0; i < n; i++) (data as Float32Array)[i] = isIntegerTarget(to) ? Math.trunc(src[i]) : src[i];
  }
  return [{ dtype: to, dims: [...dims], data }];
}

function isIntegerTarget(t: DType): boolean {
  return t !== 'float32' && t !== 'float64';
}

/** Copies element `from[j]` to `to[i]` for any TensorData pair of the same dtype. */
type Copier = (i: number, j: number) => void;
function copier(to: Tensor['data'], from: Tensor['data']): Copier {
  const t = to as unknown as Array<unknown>;
  const s = from as unknown as Array<unknown>;
  return (i, j) => {
    t[i] = s[j];
  };
}

function concat(parts: readonly Tensor[], out: ValueShape, axisAttr: number): Tensor {
  const rank = out.dims.length;
  const axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  const outer = product(out.dims.slice(0, axis));
  const inner = product(out.dims.slice(axis + 1));
  const data = allocData(out.dtype, product(out.dims));
  let o = 0;
  for (let b = 0; b < outer; b++) {
    for (const p of parts) {
      const block = p.dims[axis] * inner;
      const copy = copier(data, p.data);
      for (let k = 0; k < block; k++) copy(o++, b * block + k);
    }
  }
  return { dtype: out.dtype, dims: [...out.dims], data };
}

function gather(x: Tensor, indices: Tensor, out: ValueShape, axisAttr: number): Tensor {
  const axis = axisAttr < 0 ? axisAttr + x.dims.length : axisAttr;
  const outer = product(x.dims.slice(0, axis));
  const axisDim = x.dims[axis];
  const inner = product(x.dims.slice(axis + 1));
  const idx = toNumbers(indices).map((i) => (i < 0 ? i + axisDim : i));
  const data = allocData(out.dtype, product(out.dims));
  const copy = copier(data, x.data);
  let o = 0;
  for (let b = 0; b < outer; b++) {
    for (const i of idx) for (let k = 0; k < inner; k++) copy(o++, (b * axisDim + i) * inner + k);
  }
  return { dtype: out.dtype, dims: [...out.dims], data };
}

function sliceTensor(x: Tensor, axes: readonly SliceAxis[], out: ValueShape): Tensor {
  const rank = x.dims.length;
  const strides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= x.dims[i];
  }
  const n = product(out.dims);
  const data = allocData(out.dtype, n);
  const copy = copier(data, x.data);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (axes[d].start + idx[d] * axes[d].step) * strides[d];
    copy(o, src);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < axes[d].size) break;
      idx[d] = 0;
    }
  }
  return { dtype: out.dtype, dims: [...out.dims], data };
}

function constantOfShape(node: GraphNode, out: ValueShape): Tensor {
  const fill = node.attributes.value;
  const t = makeTensor(out.dtype, out.dims);
  if (fill?.kind === 'tensor') {
    const v = fill.value.data[0];
    (t.data as unknown as { fill(v: unknown): void }).fill(v);
  }
  return t;
}

/** int32/int64 arithmetic with broadcasting; Div truncates toward zero as onnxruntime's C++ does. */
function integerArithmetic(op: string, a: Tensor, b: Tensor, out: ValueShape): Tensor[] | undefined {
  if (a.dtype !== b.dtype || (a.dtype !== 'int64' && a.dtype !== 'int32')) return undefined;
  const ia = broadcastIndexMap(a.dims, out.dims);
  const ib = broadcastIndexMap(b.dims, out.dims);
  const x = toNumbers(a);
  const y = toNumbers(b);
  const values = new Array<number>(ia.length);
  for (let i = 0; i < ia.length; i++) {
    const p = x[ia[i]];
    const q = y[ib[i]];
    if (op === 'Div' && q === 0) return undefined;
    values[i] = op === 'Add' ? p + q : op === 'Sub' ? p - q : op === 'Mul' ? p * q : Math.trunc(p / q);
  }
  return [makeTensor(a.dtype, out.dims, values)];
}
