// GPU lowerings of ops that otherwise run as CPU fallbacks inside a WebGPU run: Einsum (f32 /
// int32 / uint32, any equation the reference takes within the kernel's limits), TopK (f32 /
// int32 / uint32, K known at plan time; its int64 indices as i32 words the executor widens on
// readback), CumProd (f32 / int32, constant axis, lower-misc.ts's CumSum lowering), BitShift and
// BitwiseAnd / Or / Xor / Not (int32, uint32, int8, uint8; 16- and 64-bit integers live on the
// host only), LpPool (f32, p >= 1, any rank, the reference's windows). A node these decline
// (other dtypes, a kernel limit) runs on the CPU reference.
import {
  BITWISE_GPU_DTYPES,
  type BitwiseDType,
  type BitwiseOp,
  prepareBitwise,
} from '../../../kernels/bitwise/bitwise.js';
import { einsumGpuRefusal, prepareEinsum } from '../../../kernels/einsum/einsum.js';
import { createStorageBuffer } from '../../../kernels/gpu/buffers.js';
import { prepareLpPool } from '../../../kernels/pool/lp-pool.js';
import { type PoolParams, poolWindows } from '../../../kernels/pool/pool.ref.js';
import { normalizeAxis } from '../../../kernels/shape-ops/axes.js';
import { toNumbers } from '../../../kernels/tensor.js';
import { prepareTopK, topKGpuRefusal } from '../../../kernels/topk/topk.js';
import { attrInt, attrString } from '../../model/attributes.js';
import { lpPoolParams } from '../cpu/ops/misc.js';
import { cumulative } from './lower-misc.js';
import { inputName, isFloatInput, type Lowering } from './lowering.js';

const einsum: Lowering = async (lc) => {
  const names = lc.node.inputs;
  if (names.length === 0 || names.some((n) => !n)) return undefined;
  const dtype = lc.shape(names[0]).dtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'uint32') return undefined;
  if (names.some((n) => lc.shape(n).dtype !== dtype)) return undefined;
  const dims = names.map((n) => lc.shape(n).dims);
  const equation = attrString(lc.node, 'equation');
  if (einsumGpuRefusal(lc.gpu, equation, dims)) return undefined;
  const inputs = names.map((_, i) => lc.input(i));
  const dispatch = await prepareEinsum(lc.gpu, equation, inputs, dims, lc.output(0), dtype);
  return { dispatches: [dispatch] };
};

// K is an attribute before opset 10 and an input after (a constant here: the executor plans with
// a computed K's value); largest from opset 11; sorted=0 allows any order, the sorted one is kept.
const topK: Lowering = async (lc) => {
  const dtype = lc.shape(inputName(lc, 0)).dtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'uint32') return undefined;
  let k: number;
  if (lc.opset >= 10) {
    const kConst = lc.constant(inputName(lc, 1));
    if (kConst?.data.length !== 1) return undefined;
    k = toNumbers(kConst)[0];
  } else k = attrInt(lc.node, 'k');
  const dims = lc.shape(inputName(lc, 0)).dims;
  if (dims.length === 0) return undefined;
  const a = normalizeAxis(attrInt(lc.node, 'axis', -1), dims.length);
  if (!(Number.isInteger(k) && k >= 0 && k <= dims[a]) || topKGpuRefusal(dims, a, k)) return undefined;
  const largest = lc.opset < 11 || attrInt(lc.node, 'largest', 1) !== 0;
  const outCount = (dims.reduce((p, d) => p * d, 1) / dims[a]) * k;
  // The indices output is int64: two words per element in the arena (gpuStorageBytes); an omitted
  // output still needs somewhere to be written.
  const indicesName = lc.node.outputs[1] ?? '';
  const scratch = indicesName
    ? undefined
    : createStorageBuffer(lc.gpu, `webgpu.${lc.node.name}.indices`, Math.max(4, 8 * outCount));
  try {
    const dispatch = await prepareTopK(
      lc.gpu,
      lc.input(0),
      lc.output(0),
      scratch ?? lc.output(1),
      dims,
      a,
      k,
      largest,
      dtype,
    );
    return { dispatches: [dispatch], destroy: () => scratch?.destroy() };
  } catch (e) {
    scratch?.destroy();
    throw e;
  }
};

/** BitShift (direction LEFT / RIGHT; signed types from opset 28, as the CPU op takes them) and the Bitwise ops. */
function bitwise(kind: 'BitShift' | 'BitwiseAnd' | 'BitwiseOr' | 'BitwiseXor' | 'BitwiseNot'): Lowering {
  return async (lc) => {
    const arity = kind === 'BitwiseNot' ? 1 : 2;
    const names = lc.node.inputs.slice(0, arity);
    if (names.length !== arity || names.some((n) => !n)) return undefined;
    const dtype = lc.shape(names[0]).dtype;
    if (!BITWISE_GPU_DTYPES.includes(dtype) || names.some((n) => lc.shape(n).dtype !== dtype))
      return undefined;
    let op: BitwiseOp = kind as BitwiseOp;
    if (kind === 'BitShift') {
      const dir = attrString(lc.node, 'direction', '');
      if (dir !== 'LEFT' && dir !== 'RIGHT') return undefined;
      if (lc.opset < 28 && !dtype.startsWith('u')) return undefined;
      op = dir === 'LEFT' ? 'BitShiftLeft' : 'BitShiftRight';
    }
    const dims = names.map((n) => lc.shape(n).dims);
    const inputs = names.map((_, i) => lc.input(i));
    const dispatch = await prepareBitwise(lc.gpu, inputs, lc.output(0), op, dtype as BitwiseDType, dims);
    return { dispatches: [dispatch] };
  };
}

// Attributes read by the CPU adapter's lpPoolParams (app/exec/cpu/ops/misc.ts). What it refuses
// (no kernel_shape, a bad rank) it refuses in one line.
const lpPool: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0)) return undefined;
  const dims = lc.shape(inputName(lc, 0)).dims;
  let p: number;
  let params: PoolParams | undefined;
  try {
    params = lpPoolParams(lc.node, lc.opset);
    if (!params || dims.length !== params.kernelShape.length + 2) return undefined;
    p = attrInt(lc.node, 'p', 2);
    poolWindows(dims.slice(2), params);
  } catch {
    return undefined;
  }
  // p < 1 (|0|^0 = 1, a 1/0 root) is left to the reference.
  if (!(p >= 1) || dims.reduce((a, d) => a * d, 1) === 0) return undefined;
  return { dispatches: [await prepareLpPool(lc.gpu, lc.input(0), lc.output(0), dims, params, p)] };
};

export const extra2Lowerings: Readonly<Record<string, Lowering>> = {
  Einsum: einsum,
  TopK: topK,
  CumProd: cumulative(true),
  BitShift: bitwise('BitShift'),
  BitwiseAnd: bitwise('BitwiseAnd'),
  BitwiseOr: bitwise('BitwiseOr'),
  BitwiseXor: bitwise('BitwiseXor'),
  BitwiseNot: bitwise('BitwiseNot'),
  LpPool: lpPool,
};
