// ConvTranspose on the GPU (kernels/conv-transpose/conv-transpose.wgsl): float32 X and W, 1-D and
// 2-D, any strides, dilations, pads / auto_pad / output_padding / output_shape (the CPU adapter's
// attribute reading and the reference's geometry, so both paths agree), groups, an optional bias and
// a following Relu / Clip fused in. W and B are read as they are stored, so they may be constants
// or values computed in the run. 3-D ConvTranspose, other dtypes, and attributes the reference
// refuses stay on the CPU reference (a CPU fallback).
import { convTransposeLayout, prepareConvTranspose } from '../../../kernels/conv-transpose/conv-transpose.js';
import { convTransposeParams } from '../cpu/ops/nn.js';
import { fuseActivation, inputName, isFloatInput, type Lowering } from './lowering.js';

const convTranspose: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0) || !isFloatInput(lc, 1)) return undefined;
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
