// Lowerings of QuantizeLinear / DequantizeLinear (per tensor and per axis) onto kernels/quantize,
// recorded on the executor's buffers. The integer conv / matmul ops are in lower-int8-gemm.ts.
import { qRange } from '../../../kernels/quant-math/quant-math.js';
import { recordQuantize } from '../../../kernels/quantize/quantize.js';
import { toFloat32, toNumbers } from '../../../kernels/tensor.js';
import { attrInt } from '../../model/attributes.js';
import { inputName, type Lowering } from './lowering.js';

const is8bit = (dtype: string | undefined): dtype is 'int8' | 'uint8' =>
  dtype === 'int8' || dtype === 'uint8';

function quantizeOrDequantize(mode: 'quantize' | 'dequantize'): Lowering {
  return async (lc) => {
    const x = lc.shape(inputName(lc, 0));
    const y = lc.shape(lc.node.outputs[0]);
    const q = mode === 'quantize' ? y : x;
    const f = mode === 'quantize' ? x : y;
    if (!is8bit(q.dtype) || f.dtype !== 'float32' || attrInt(lc.node, 'block_size') !== 0) return undefined;
    const scale = lc.constant(inputName(lc, 1));
    const zpName = inputName(lc, 2);
    const zp = zpName ? lc.constant(zpName) : undefined;
    if (scale?.dtype !== 'float32' || (zpName && !zp) || scale.dims.length > 1) return undefined;
    const { qmin, qmax } = qRange(q.dtype);
    const params = {
      dims: x.dims,
      scale: toFloat32(scale),
      zeroPoint: zp ? toNumbers(zp) : new Array<number>(scale.data.length).fill(0),
      axis: attrInt(lc.node, 'axis'),
      qmin,
      qmax,
    };
    const src = lc.input(0);
    const dst = lc.output(0);
    return { record: (encoder) => recordQuantize(lc.gpu, encoder, mode, src, dst, params) };
  };
}

export const quantLowerings: Readonly<Record<string, Lowering>> = {
  QuantizeLinear: quantizeOrDequantize('quantize'),
  DequantizeLinear: quantizeOrDequantize('dequantize'),
};
