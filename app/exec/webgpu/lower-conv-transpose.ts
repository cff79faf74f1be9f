// ConvTranspose on the GPU (kernels/conv-transpose/conv-transpose.wgsl): float32 X and W, 1-D and
// 2-D, any strides, dilations, pads / auto_pad / output_padding / output_shape (the CPU adapter's
// attribute reading and the reference's geometry, so both paths agree), groups, an optional bias and
// a following Relu / Clip fused in. W and B are read as they are stored, so they may be constants
// or values computed in the run. 3-D ConvTranspose, other dtypes, and attributes the reference
// refuses stay on the CPU reference (a CPU fallback). So does a ConvTranspose whose result is
// requantized (read only by QuantizeLinear, directly or through one Relu/Clip): onnxruntime keeps
// a QDQ ConvTranspose in float, and its output's integers only match onnxruntime's when the float
// sums follow onnxruntime's order, which the CPU reference replays and this kernel does not.
import { convTransposeLayout, prepareConvTranspose } from '../../../kernels/conv-transpose/conv-transpose.js';
import { convTransposeParams } from '../cpu/ops/nn.js';
import type { GraphNode } from '../../model/ir.js';
import { fuseActivation, inputName, isFloatInput, type Lowering, type LowerContext } from './lowering.js';

/** Every reader of output 0 quantizes it (directly, or after a single Relu/Clip). */
function requantized(lc: LowerContext): boolean {
  const isQ = (n: GraphNode) => n.opType === 'QuantizeLinear';
  const readers = lc.readers(lc.node.outputs[0]);
  if (readers.length === 0) return false;
  if (readers.every(isQ)) return true;
  const next = readers[0];
  if (readers.length !== 1 || (next.opType !== 'Relu' && next.opType !== 'Clip')) return false;
  const after = lc.readers(next.outputs[0]);
  return after.length > 0 && after.every(isQ);
}

const convTranspose: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0) || !isFloatInput(lc, 1)) return undefined;
  if (requantized(lc)) return undefined;
  const hasBias = inputName(lc, 2) !== '';
  if (hasBias && !isFloatInput(lc, 2)) return undefined;
  const params = {
    ...convTransposeParams(lc.node),
    xDims: lc.shape(inputName(lc, 0)).dims,
    wDims: lc.shape(inputName(lc, 1)).dims,
  };
  try {
    // Rank, channels, geometry and grid size, checked before any output storage is asked for.
    convTransposeLayout(lc.gpu, params);
  } catch {
    return undefined; // the CPU reference runs it (or refuses it in one line)
  }
  const activation = fuseActivation(lc);
  const dispatch = await prepareConvTranspose(
    lc.gpu,
    lc.input(0),
    lc.input(1),
    hasBias ? lc.input(2) : undefined,
    lc.output(0),
    { ...params, activation },
  );
  return { dispatches: [dispatch] };
};

export const convTransposeLowerings = { ConvTranspose: convTranspose } as const;
