// ConvTranspose on the GPU: float32 X and W, any strides, dilations, pads / auto_pad /
// output_padding / output_shape (the CPU adapter's attribute reading and the reference's geometry,
// so both paths agree), groups, an optional bias and a following Relu / Clip fused in. W and B are
// read as they are stored, so they may be constants or values computed in the run. Two kernels:
// - kernels/conv-transpose/conv-transpose-exact.wgsl, bit-exact with the CPU reference, i.e. with
//   onnxruntime's CPU order (MLAS GEMM, col2im, bias): for a requantized ConvTranspose (read only by
//   QuantizeLinear, directly or through one Relu/Clip; onnxruntime keeps a QDQ ConvTranspose in
//   float, so its output's integers only equal onnxruntime's when the float sums follow its order)
//   and for 3-D, which the gather kernel does not take;
// - kernels/conv-transpose/conv-transpose.wgsl, an output-stationary gather in another f32 order
//   (within 1e-5 of the reference), for the rest: it shares each load between 4 pixels x 4
//   channels and needs no FMA emulation, so it is many times faster where fma() is not fused
//   (SwiftShader).
// Other dtypes, attributes the reference refuses, and a device whose arithmetic cannot replay
// onnxruntime's order (conv-transpose-exact.ts's probe) stay on the CPU reference.
import { convTransposeLayout, prepareConvTranspose } from '../../../kernels/conv-transpose/conv-transpose.js';
import {
  convTransposeExactLayout,
  prepareConvTransposeExact,
  probeF32Arithmetic,
} from '../../../kernels/conv-transpose/conv-transpose-exact.js';
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
  const hasBias = inputName(lc, 2) !== '';
  if (hasBias && !isFloatInput(lc, 2)) return undefined;
  const xDims = lc.shape(inputName(lc, 0)).dims;
  const params = {
    ...convTransposeParams(lc.node),
    xDims,
    wDims: lc.shape(inputName(lc, 1)).dims,
    constantW: lc.isInitializer(inputName(lc, 1)),
  };
  const exact = requantized(lc) || xDims.length === 5;
  try {
    // Rank, channels, geometry, grid size (and for the exact kernel the device's arithmetic),
    // checked before any output storage is asked for.
    if (exact) convTransposeExactLayout(lc.gpu, params, await probeF32Arithmetic(lc.gpu));
    else convTransposeLayout(lc.gpu, params);
  } catch {
    return undefined; // the CPU reference runs it (or refuses it in one line)
  }
  const activation = fuseActivation(lc);
  const args = [lc.gpu, lc.input(0), lc.input(1), hasBias ? lc.input(2) : undefined, lc.output(0)] as const;
  const dispatch = exact
    ? await prepareConvTransposeExact(...args, { ...params, activation })
    : await prepareConvTranspose(...args, { ...params, activation });
  return { dispatches: [dispatch] };
};

export const convTransposeLowerings = { ConvTranspose: convTranspose } as const;
