// LayerNormalization, RMSNormalization, InstanceNormalization and GroupNormalization onto
// kernels/normalization/normalize.wgsl (f32, one workgroup per normalized row). Each lowering
// checks what the kernel needs and returns undefined (CPU fallback) otherwise: non-f32 tensors,
// stash_type other than 1, or a scale/bias that varies
// along the rows (broadcast over leading dims) without being a constant the planner can expand.
import { expandTo, rowsCols } from '../../../kernels/normalization/layer-norm.ref.js';
import {
  groupNormGeometry,
  layerNormGeometry,
  prepareNormalize,
} from '../../../kernels/normalization/normalize.js';
import { makeTensor, sizeOf } from '../../../kernels/tensor.js';
import { attrFloat, attrInt } from '../../model/attributes.js';
import { inputName, isFloatInput, type LowerContext, type Lowering } from './lowering.js';

/**
 * A GPU buffer holding input i's values per column of X[axis:] (`cols` values), or undefined when
 * the parameter differs between rows. A parameter whose dims equal X[axis:] (leading 1s allowed)
 * is bound as is; a smaller constant one is expanded at plan time.
 */
function perColumn(
  lc: LowerContext,
  i: number,
  xDims: readonly number[],
  axis: number,
): GPUBuffer | undefined {
  const name = inputName(lc, i);
  const dims = lc.shape(name).dims;
  const tail = xDims.slice(axis);
  const offset = xDims.length - dims.length;
  // Dims over the row axes (before `axis`) must be 1: the value may not change from row to row.
  if (dims.some((d, k) => k + offset < axis && d !== 1)) return undefined;
  if (sizeOf(dims) === sizeOf(tail)) return lc.input(i);
  const c = lc.constant(name);
  if (c?.dtype !== 'float32') return undefined;
  try {
    const values = Float32Array.from(expandTo(c, tail, 'parameter'));
    return lc.upload(`${lc.node.name}.param${i}`, makeTensor('float32', tail, values));
  } catch {
    return undefined;
  }
}

function stashIsFloat32(lc: LowerContext): boolean {
  return attrInt(lc.node, 'stash_type') === 1;
}

function axisOf(lc: LowerContext, rank: number): number | undefined {
  const axis = attrInt(lc.node, 'axis');
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

const layerNorm: Lowering = async (lc) => {
  const rms = lc.node.opType === 'RMSNormalization';
  const hasBias = !rms && inputName(lc, 2) !== '';
  if (!isFloatInput(lc, 0) || !isFloatInput(lc, 1) || (hasBias && !isFloatInput(lc, 2))) return undefined;
  if (!stashIsFloat32(lc)) return undefined;
  const xDims = lc.shape(inputName(lc, 0)).dims;
  const axis = axisOf(lc, xDims.length);
  if (axis === undefined) return undefined;
  const scale = perColumn(lc, 1, xDims, axis);
  const bias = hasBias ? perColumn(lc, 2, xDims, axis) : undefined;
  if (!scale || (hasBias && !bias)) return undefined;
  const { rows, cols } = rowsCols(xDims, axis);
  const geometry = layerNormGeometry(rows, cols, attrFloat(lc.node, 'epsilon'), rms);
  // LayerNorm's optional Mean / InvStdDev: written by the same dispatch when either is read.
  const used = (i: number) => !rms && (lc.node.outputs[i] ?? '') !== '' && lc.isUsed(lc.node.outputs[i]);
  const y = lc.output(0);
  const statOut = (i: number) =>
    used(i) ? lc.output(i) : lc.upload(`${lc.node.name}.stat${i}`, makeTensor('float32', [rows]));
  const stats = used(1) || used(2) ? { mean: statOut(1), invStdDev: statOut(2) } : undefined;
  return {
    dispatches: [await prepareNormalize(lc.gpu, lc.input(0), scale, bias, y, geometry, stats)],
  };
};

/** InstanceNormalization (groups = C) and GroupNormalization (per group at opset 18, per channel from 21). */
const groupNorm: Lowering = async (lc) => {
  if (![0, 1, 2].every((i) => isFloatInput(lc, i))) return undefined;
  const xDims = lc.shape(inputName(lc, 0)).dims;
  const instance = lc.node.opType === 'InstanceNormalization';
  if (xDims.length < (instance ? 3 : 2)) return undefined;
  const c = xDims[1];
  const groups = instance ? c : attrInt(lc.node, 'num_groups');
  if (groups <= 0 || c % groups !== 0) return undefined;
  if (!instance && lc.opset >= 21 && !stashIsFloat32(lc)) return undefined;
  const perGroup = !instance && lc.opset < 21;
  const want = perGroup ? groups : c;
  if ([1, 2].some((i) => sizeOf(lc.shape(inputName(lc, i)).dims) !== want)) return undefined;
  const geometry = groupNormGeometry(xDims, groups, attrFloat(lc.node, 'epsilon'), perGroup);
  return {
    dispatches: [
      await prepareNormalize(lc.gpu, lc.input(0), lc.input(1), lc.input(2), lc.output(0), geometry),
    ],
  };
};

export const normLowerings: Readonly<Record<string, Lowering>> = {
  LayerNormalization: layerNorm,
  RMSNormalization: layerNorm,
  InstanceNormalization: groupNorm,
  GroupNormalization: groupNorm,
};
