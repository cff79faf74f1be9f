// STFT and MelWeightMatrix on the CPU: adapters over kernels/signal/stft.ref.
import { castRef } from '../../../../kernels/shape-ops/cast.ref.js';
import { melWeightMatrixRef, stftRef } from '../../../../kernels/signal/stft.ref.js';
import { type Tensor, toNumbers } from '../../../../kernels/tensor.js';
import { attrInt } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import { dtypeFromOnnx } from '../../../model/tensor-proto.js';
import type { CpuOp, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

const scalar = (ctx: Parameters<CpuOp>[0], i: number, what: string): number => {
  const t = required(ctx, i);
  if (t.data.length !== 1)
    throw new ModelError(`node '${ctx.node.name}' (${ctx.node.opType}): ${what} must have one element`);
  return toNumbers(t)[0];
};

/** bfloat16 is computed in float32 and rounded back (ONNX's reference goes through float32 too). */
const widen = (t: Tensor | undefined): Tensor | undefined =>
  t && t.dtype === 'bfloat16' ? castRef(t, 'float32') : t;

export const spectralOps: OpTable = {
  [opKey('', 'STFT')]: (ctx) => {
    const signal = required(ctx, 0);
    const frameLength = optional(ctx, 3) ? scalar(ctx, 3, 'frame_length') : undefined;
    const y = stftRef(
      widen(signal)!,
      scalar(ctx, 1, 'frame_step'),
      widen(optional(ctx, 2)),
      frameLength,
      attrInt(ctx.node, 'onesided', 1) !== 0,
    );
    return [signal.dtype === 'bfloat16' ? castRef(y, 'bfloat16') : y];
  },
  [opKey('', 'MelWeightMatrix')]: (ctx) => {
    const code = attrInt(ctx.node, 'output_datatype', 1);
    const dtype = dtypeFromOnnx(code);
    if (!dtype)
      throw new ModelError(
        `node '${ctx.node.name}' (MelWeightMatrix): output_datatype ${code} is not supported`,
      );
    return [
      melWeightMatrixRef(
        scalar(ctx, 0, 'num_mel_bins'),
        scalar(ctx, 1, 'dft_length'),
        scalar(ctx, 2, 'sample_rate'),
        scalar(ctx, 3, 'lower_edge_hertz'),
        scalar(ctx, 4, 'upper_edge_hertz'),
        required(ctx, 3).dtype === 'float32',
        dtype,
      ),
    ];
  },
};
