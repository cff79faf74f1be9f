// GPU lowerings of the misc ops that appear in quantized CNNs / transformers: DepthToSpace and
// SpaceToDepth (strided copies of a 6-D view, any 32-bit or 8-bit dtype), GlobalMaxPool (ReduceMax
// over the spatial axes, f32), Trilu (32-bit elements, constant or absent k) and CumSum (f32,
// constant axis). Everything else of app/exec/cpu/ops/misc.ts runs as a CPU fallback.
import {
  depthToSpaceCopy,
  prepareCumulative,
  prepareTrilu,
  spaceToDepthCopy,
} from '../../../kernels/misc/misc.js';
import { prepareReduce } from '../../../kernels/reduce/reduce.js';
import { normalizeAxis } from '../../../kernels/shape-ops/axes.js';
import { prepareCopy } from '../../../kernels/shape-ops/copy.js';
import { toNumbers } from '../../../kernels/tensor.js';
import { attrInt, attrString } from '../../model/attributes.js';
import { gpuElementBytes } from './gpu-storage.js';
import { inputName, isFloatInput, type LowerContext, type Lowering } from './lowering.js';

const dimsOf = (lc: LowerContext, i: number) => lc.shape(inputName(lc, i)).dims;
const bytesOf = (lc: LowerContext, i: number) => gpuElementBytes(lc.shape(inputName(lc, i)).dtype);

/** The block mode as the CPU adapter reads it (DepthToSpace from opset 11, SpaceToDepth from 28). */
function blockMode(lc: LowerContext, since: number): 'DCR' | 'CRD' | undefined {
  const mode = lc.opset >= since ? attrString(lc.node, 'mode', 'DCR') : 'DCR';
  return mode === 'DCR' || mode === 'CRD' ? mode : undefined;
}

function blockCopy(kind: 'DepthToSpace' | 'SpaceToDepth'): Lowering {
  return async (lc) => {
    const bytes = bytesOf(lc, 0);
    const mode = blockMode(lc, kind === 'DepthToSpace' ? 11 : 28);
    if (bytes === 0 || !mode) return undefined;
    const b = attrInt(lc.node, 'blocksize');
    const dims = dimsOf(lc, 0);
    const spec = kind === 'DepthToSpace' ? depthToSpaceCopy(dims, b, mode) : spaceToDepthCopy(dims, b, mode);
    return { dispatches: [await prepareCopy(lc.gpu, lc.input(0), lc.output(0), spec, bytes === 1)] };
  };
}

// ReduceMax keeps a leading NaN where GlobalMaxPool (reference and onnxruntime) skips it: the GPU
// result differs from the reference only for planes that start with NaN.
const globalMaxPool: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0)) return undefined;
  const dims = dimsOf(lc, 0);
  if (dims.length < 3 || dims.reduce((p, d) => p * d, 1) === 0) return undefined;
  const axes = dims.slice(2).map((_, i) => i + 2);
  const d = await prepareReduce(lc.gpu, lc.input(0), lc.output(0), 'ReduceMax', dims, {
    axes,
    keepdims: true,
  });
  return d ? { dispatches: [d] } : undefined;
};

const trilu: Lowering = async (lc) => {
  if (bytesOf(lc, 0) !== 4) return undefined;
  const kName = inputName(lc, 1);
  const kConst = kName ? lc.constant(kName) : undefined;
  if (kName && !kConst) return undefined;
  const k = kConst?.data.length ? toNumbers(kConst)[0] : 0;
  const dims = dimsOf(lc, 0);
  if (dims.reduce((p, d) => p * d, 1) === 0) return undefined;
  const upper = attrInt(lc.node, 'upper', 1) !== 0;
  return { dispatches: [await prepareTrilu(lc.gpu, lc.input(0), lc.output(0), dims, upper, k)] };
};

/**
 * CumSum (f32) or, `product`, CumProd (f32 / int32; lower-extra2.ts) with a constant axis:
 * cumulative.wgsl, one thread per line.
 */
export function cumulative(product: boolean): Lowering {
  return async (lc) => {
    const dtype = lc.shape(inputName(lc, 0)).dtype;
    if (dtype !== 'float32' && !(product && dtype === 'int32')) return undefined;
    const axisConst = lc.constant(inputName(lc, 1));
    if (!axisConst) return undefined;
    const dims = dimsOf(lc, 0);
    if (dims.length === 0 || dims.reduce((p, d) => p * d, 1) === 0) return undefined;
    const a = normalizeAxis(toNumbers(axisConst)[0], dims.length);
    const exclusive = attrInt(lc.node, 'exclusive', 0) !== 0;
    const reverse = attrInt(lc.node, 'reverse', 0) !== 0;
    const type = dtype === 'float32' ? 'f32' : 'i32';
    const o = { exclusive, reverse, product, type } as const;
    return { dispatches: [await prepareCumulative(lc.gpu, lc.input(0), lc.output(0), dims, a, o)] };
  };
}

export const miscLowerings: Readonly<Record<string, Lowering>> = {
  DepthToSpace: blockCopy('DepthToSpace'),
  SpaceToDepth: blockCopy('SpaceToDepth'),
  GlobalMaxPool: globalMaxPool,
  Trilu: trilu,
  CumSum: cumulative(false),
};
