// Lowerings of the quantization ops onto the int8 kernels of kernels/quantize, kernels/conv2d-int8
// and kernels/dense-int8. Quantize/Dequantize record on the executor's buffers. The int8 conv and
// dense hosts take typed arrays (they upload, dispatch and read back themselves), so those nodes
// run as host steps around the GPU kernel: bit-exact, but with a readback of their inputs.
// onnxruntime's x86 pairwise-u8s8 accumulation (settings.integerAccumulation) has no GPU kernel
// (the GPU conv has no channels-last K order): those nodes stay on the CPU reference.
import { parseAutoPad, resolveConvGeometry } from '../../../kernels/conv2d/conv-geometry.js';
import { conv2dInt8Gpu } from '../../../kernels/conv2d-int8/conv2d-int8.js';
import { denseInt8Gpu } from '../../../kernels/dense-int8/dense-int8.js';
import type { RequantizeSpec } from '../../../kernels/gpu/int8-gemm.js';
import type { Int8Data } from '../../../kernels/quant-math/accumulator.js';
import { qRange } from '../../../kernels/quant-math/quant-math.js';
import { recordQuantize } from '../../../kernels/quantize/quantize.js';
import { makeTensor, type Tensor, toFloat32, toNumbers } from '../../../kernels/tensor.js';
import { attrInt, attrInts, attrString } from '../../model/attributes.js';
import { inputName, type LowerContext, type Lowering } from './lowering.js';

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

function scalar(t: Tensor | undefined): number {
  return t ? toNumbers(t)[0] : 0;
}

function usesPairwise(lc: LowerContext, xDtype: string | undefined, wDtype: string | undefined): boolean {
  return lc.settings.integerAccumulation === 'x86-u8s8-pairwise' && xDtype === 'uint8' && wDtype === 'int8';
}

/** QLinearConv (qlinear) or ConvInteger on conv2dInt8Gpu; 1-D convs as H = 1. */
function intConv(qlinear: boolean): Lowering {
  return async (lc) => {
    const wIndex = qlinear ? 3 : 1;
    const xs = lc.shape(inputName(lc, 0));
    const ws = lc.shape(inputName(lc, wIndex));
    if (!is8bit(xs.dtype) || !is8bit(ws.dtype) || (xs.dims.length !== 3 && xs.dims.length !== 4))
      return undefined;
    const group = attrInt(lc.node, 'group');
    const depthwise = ws.dims[1] === 1 && ws.dims[0] === group;
    if (qlinear && usesPairwise(lc, xs.dtype, ws.dtype) && !depthwise) return undefined;
    const nonEmpty = (v: readonly number[] | undefined) => (v?.length ? v : undefined);
    const geo = resolveConvGeometry({
      inputSpatial: xs.dims.slice(2),
      kernelSpatial: ws.dims.slice(2),
      strides: nonEmpty(attrInts(lc.node, 'strides')),
      dilations: nonEmpty(attrInts(lc.node, 'dilations')),
      pads: nonEmpty(attrInts(lc.node, 'pads')),
      autoPad: parseAutoPad(attrString(lc.node, 'auto_pad')),
    });
    const is1d = xs.dims.length === 3;
    const lift = (d: readonly number[]) => (is1d ? [d[0], d[1], 1, d[2]] : [...d]);
    const outName = lc.node.outputs[0];
    return {
      host: async (inputs) => {
        const x = inputs[0]!;
        const w = inputs[wIndex]!;
        const wZp = inputs[qlinear ? 5 : 3];
        const bias = qlinear ? inputs[8] : undefined;
        let requantize: RequantizeSpec | undefined;
        let outDtype: 'int8' | 'uint8' | 'int32' = 'int32';
        if (qlinear) {
          const yZp = inputs[7]!;
          if (!is8bit(yZp.dtype))
            throw new Error(`QLinearConv output zero point must be 8-bit, got ${yZp.dtype}`);
          const range = qRange(yZp.dtype);
          outDtype = yZp.dtype;
          requantize = {
            inputScale: scalar(inputs[1]),
            weightScale: toFloat32(inputs[4]!),
            outputScale: scalar(inputs[6]),
            outputZeroPoint: scalar(yZp),
            qmin: range.qmin,
            qmax: range.qmax,
          };
        }
        const r = await conv2dInt8Gpu(lc.gpu, {
          x: x.data as Int8Data,
          xDims: lift(x.dims),
          w: w.data as Int8Data,
          wDims: lift(w.dims),
          xZeroPoint: scalar(inputs[2]),
          wZeroPoint: wZp?.data.length ? toNumbers(wZp) : undefined,
          bias: bias?.data.length ? (bias.data as Int32Array) : undefined,
          group,
          strides: is1d ? [1, geo.strides[0]] : geo.strides,
          dilations: is1d ? [1, geo.dilations[0]] : geo.dilations,
          pads: is1d ? [0, geo.pads[0], 0, geo.pads[1]] : geo.pads,
          requantize,
        });
        const dims = lc.shape(outName).dims;
        return [makeTensor(outDtype, dims, (requantize ? r.q : r.acc)!)];
      },
    };
  };
}

/** QLinearMatMul (qlinear) or MatMulInteger on denseInt8Gpu. */
function intMatMul(qlinear: boolean): Lowering {
  return async (lc) => {
    const bIndex = qlinear ? 3 : 1;
    const as = lc.shape(inputName(lc, 0));
    const bs = lc.shape(inputName(lc, bIndex));
    if (!is8bit(as.dtype) || !is8bit(bs.dtype)) return undefined;
    if (usesPairwise(lc, as.dtype, bs.dtype)) return undefined;
    const outName = lc.node.outputs[0];
    return {
      host: async (inputs) => {
        const a = inputs[0]!;
        const b = inputs[bIndex]!;
        const za = inputs[qlinear ? 2 : 2];
        const zb = inputs[qlinear ? 5 : 3];
        let requantize: RequantizeSpec | undefined;
        let outDtype: 'int8' | 'uint8' | 'int32' = 'int32';
        if (qlinear) {
          const yZp = inputs[7]!;
          if (!is8bit(yZp.dtype))
            throw new Error(`QLinearMatMul output zero point must be 8-bit, got ${yZp.dtype}`);
          const range = qRange(yZp.dtype);
          outDtype = yZp.dtype;
          requantize = {
            inputScale: scalar(inputs[1]),
            weightScale: toFloat32(inputs[4]!),
            outputScale: scalar(inputs[6]),
            outputZeroPoint: scalar(yZp),
            qmin: range.qmin,
            qmax: range.qmax,
          };
        }
        const r = await denseInt8Gpu(lc.gpu, {
          a: a.data as Int8Data,
          aDims: a.dims,
          b: b.data as Int8Data,
          bDims: b.dims,
          aZeroPoint: za?.data.length ? toNumbers(za) : undefined,
          bZeroPoint: zb?.data.length ? toNumbers(zb) : undefined,
          requantize,
        });
        return [makeTensor(outDtype, lc.shape(outName).dims, (requantize ? r.q : r.acc)!)];
      },
    };
  };
}

export const quantLowerings: Readonly<Record<string, Lowering>> = {
  QuantizeLinear: quantizeOrDequantize('quantize'),
  DequantizeLinear: quantizeOrDequantize('dequantize'),
  QLinearConv: intConv(true),
  ConvInteger: intConv(false),
  QLinearMatMul: intMatMul(true),
  MatMulInteger: intMatMul(false),
};
