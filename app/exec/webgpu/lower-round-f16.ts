// The lowering of the private RoundToFloat16 node that widen-float16.ts puts after each node
// computing in float16: f32 words rounded to float16 values (kernels/dtypes/round-f16.wgsl).
import { prepareRoundToFloat16 } from '../../../kernels/dtypes/round-f16.js';
import { sizeOf } from '../../../kernels/tensor.js';
import { inputName, isFloatInput, type Lowering } from './lowering.js';
import { ROUND_F16_OP } from './widen-float16.js';

const roundToFloat16: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0)) return undefined;
  const count = sizeOf(lc.shape(inputName(lc, 0)).dims);
  return { dispatches: [await prepareRoundToFloat16(lc.gpu, lc.input(0), lc.output(0), count)] };
};

/** Lowerings of the ROUND_F16_DOMAIN ops. */
export const roundF16Lowerings: Readonly<Record<string, Lowering>> = { [ROUND_F16_OP]: roundToFloat16 };
