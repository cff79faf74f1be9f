// com.microsoft QLinearSoftmax onto kernels/qlinear-softmax/qlinear-softmax8.wgsl, bit-exact with
// the CPU reference (onnxruntime's exp table, f32 sum, exactly rounded f32 quotient). Declined (CPU
// reference) when scales are not constants or y_scale < 2^-24 (see qlinear-softmax8.ts).
import {
  prepareQLinearSoftmax8,
  qlinearSoftmax8Applies,
} from '../../../kernels/qlinear-softmax/qlinear-softmax8.js';
import { normalizeAxis } from '../../../kernels/shape-ops/axes.js';
import { recordDispatches } from '../../../kernels/gpu-float/float-dispatch.js';
import { attrInt } from '../../model/attributes.js';
import { scalarOf } from '../cpu/ops/quant-inputs.js';
import { gpuByteLength } from './gpu-storage.js';
import { inputName, type LowerContext, type Lowering } from './lowering.js';

/** A scalar input known at plan time (`fallback` when omitted); undefined when not constant. */
function constScalar(lc: LowerContext, i: number, fallback: number | undefined): number | undefined {
  const name = inputName(lc, i);
  if (!name) return fallback;
  const t = lc.constant(name);
  return t && t.data.length === 1 ? scalarOf(t, name) : undefined;
}

const qlinearSoftmax: Lowering = async (lc) => {
  const xShape = lc.shape(inputName(lc, 0));
  const dtype = xShape.dtype;
  if (dtype !== 'int8' && dtype !== 'uint8') return undefined;
  const xScale = constScalar(lc, 1, undefined);
  const yScale = constScalar(lc, 3, undefined);
  const yZeroPoint = constScalar(lc, 4, 0);
  if (xScale === undefined || yScale === undefined || yZeroPoint === undefined) return undefined;
  const dims = xShape.dims;
  if (dims.length === 0) return undefined;
  const axis = normalizeAxis(attrInt(lc.node, 'axis'), dims.length, 'QLinearSoftmax axis');
  const params = { dtype, dims, axis, opset: attrInt(lc.node, 'opset'), xScale, yScale, yZeroPoint } as const;
  if (!qlinearSoftmax8Applies(params)) return undefined;
  const y = lc.output(0);
  const dispatch = await prepareQLinearSoftmax8(lc.gpu, lc.input(0), y, params);
  const bytes = gpuByteLength(dtype, dims);
  return {
    record: async (encoder) => {
      encoder.clearBuffer(y, 0, bytes);
      recordDispatches(encoder, [dispatch], `QLinearSoftmax.${lc.node.name}`);
    },
    destroy: () => {
      for (const b of dispatch.owned) b.destroy();
    },
  };
};

export const qsoftmaxMsLowerings: Readonly<Record<string, Lowering>> = { QLinearSoftmax: qlinearSoftmax };
