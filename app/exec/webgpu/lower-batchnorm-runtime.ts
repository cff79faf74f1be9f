// Inference BatchNormalization whose scale / B / mean / var are not plan-time constants (graph
// inputs, as in ONNX's test_batchnorm_*, or computed tensors): kernels/batchnorm/batchnorm-runtime,
// within float tolerance of the reference. Constant parameters keep the exact lowering of
// lower-float.ts (its s' and b' made on the host), which gpu-plan.ts tries first.
import { recordBatchNormRuntime } from '../../../kernels/batchnorm/batchnorm-runtime.js';
import { sizeOf } from '../../../kernels/tensor.js';
import { attrFloat, attrInt, hasAttr } from '../../model/attributes.js';
import { inputName, type Lowering } from './lowering.js';

const batchNormRuntime: Lowering = async (lc) => {
  const xs = lc.shape(inputName(lc, 0));
  if (xs.dtype !== 'float32' || xs.dims.length < 2) return undefined;
  if (lc.opset < 7 && attrInt(lc.node, 'is_test') === 0) return undefined; // the CPU refuses it
  if (lc.opset >= 14 && hasAttr(lc.node, 'training_mode') && attrInt(lc.node, 'training_mode') !== 0)
    return undefined;
  if (lc.node.outputs.slice(1).some((o) => o !== '' && lc.isUsed(o))) return undefined;
  const count = sizeOf(xs.dims);
  const perBatch = sizeOf(xs.dims.slice(1));
  const names = [1, 2, 3, 4].map((i) => inputName(lc, i));
  if (names.some((n) => !n)) return undefined;
  const sizes = names.map((n) => {
    const s = lc.shape(n);
    return s.dtype === 'float32' ? sizeOf(s.dims) : -1;
  });
  const n = sizes[0];
  if (sizes.some((k) => k !== n)) return undefined;
  // One value per channel, or (opset 6-8 spatial = 0) one per element of a sample.
  const spread = n === xs.dims[1] ? perBatch / n : n === perBatch ? 1 : 0;
  if (!spread) return undefined;
  const bufs = [0, 1, 2, 3, 4].map((i) => lc.input(i));
  const y = lc.output(0);
  const spec = { count, perBatch, spread, epsilon: Math.fround(attrFloat(lc.node, 'epsilon')) };
  return {
    record: async (encoder) => {
      if (count > 0) await recordBatchNormRuntime(lc.gpu, encoder, spec, [...bufs, y]);
    },
  };
};

export const batchNormRuntimeLowerings: Readonly<Record<string, Lowering>> = {
  BatchNormalization: batchNormRuntime,
};
