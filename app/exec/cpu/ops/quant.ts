// Quantization ops: thin adapters that read attributes and inputs and call the pure references in
// kernels/quantize, kernels/conv2d-int8, kernels/dense-int8 and kernels/requantize. The arithmetic
// (bit-exact with onnxruntime CPU) lives there. The com.microsoft QLinear* ops are in quant-ms.ts.
import { parseAutoPad, resolveConvGeometry } from '../../../../kernels/conv2d/conv-geometry.js';
import { conv2dInt8 } from '../../../../kernels/conv2d-int8/conv2d-int8.ref.js';
import { denseInt8 } from '../../../../kernels/dense-int8/dense-int8.ref.js';
import type { IntAccumulation } from '../../../../kernels/quant-math/accumulator.js';
import { isQuantDType, type QuantDType, qRange } from '../../../../kernels/quant-math/quant-math.js';
import {
  dequantizeLinear,
  dynamicQuantizeLinear,
  type QuantParams,
  quantizeLinear,
} from '../../../../kernels/quantize/quantize.ref.js';
import { requantizeTensor } from '../../../../kernels/requantize/requantize.ref.js';
import {
  type DType,
  makeTensor,
  numberToFloat16Bits,
  type Tensor,
  toFloat32,
  toNumbers,
} from '../../../../kernels/tensor.js';
import { attrInt, attrInts, attrString } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { GraphNode } from '../../../model/ir.js';
import { dtypeFromOnnx } from '../../../model/tensor-proto.js';
import type { OpContext, OpTable } from '../op-types.js';
import { opKey, required } from '../op-types.js';
import { int8Input, optionalInput as optional, quantMsOps, scalarOf } from './quant-ms.js';

function quantParams(node: GraphNode, scale: Tensor, zeroPoint: Tensor | undefined): QuantParams {
  return {
    scale: toFloat32(scale),
    scaleDims: scale.dims,
    zeroPoint: zeroPoint ? toNumbers(zeroPoint) : undefined,
    axis: attrInt(node, 'axis'),
    blockSize: attrInt(node, 'block_size'),
  };
}

function quantizeLinearOp(ctx: OpContext): Tensor[] {
  const x = required(ctx, 0);
  const scale = required(ctx, 1);
  const zp = optional(ctx, 2);
  let dtype: DType = 'uint8';
  if (zp) dtype = zp.dtype;
  else if (ctx.opset >= 21 && attrInt(ctx.node, 'output_dtype') !== 0) {
    const code = attrInt(ctx.node, 'output_dtype');
    dtype = dtypeFromOnnx(code) ?? ('unknown' as DType);
  }
  if (!isQuantDType(dtype) || dtype === 'int32' || dtype === 'uint32') {
    throw new ModelError(`QuantizeLinear to ${dtype} is not supported (int8, uint8, int16, uint16)`);
  }
  const xf = x.dtype === 'float32' ? x : makeTensor('float32', x.dims, toFloat32(x));
  return [quantizeLinear(xf, quantParams(ctx.node, scale, zp), dtype)];
}

function dequantizeLinearOp(ctx: OpContext): Tensor[] {
  const x = required(ctx, 0);
  const scale = required(ctx, 1);
  const y = dequantizeLinear(x, quantParams(ctx.node, scale, optional(ctx, 2)));
  if (scale.dtype !== 'float16') return [y];
  // a float16 scale makes a float16 output (opset 19+)
  const f = y.data as Float32Array;
  return [
    makeTensor(
      'float16',
      y.dims,
      Uint16Array.from(f, (v) => numberToFloat16Bits(v)),
    ),
  ];
}

function dynamicQuantizeLinearOp(ctx: OpContext): Tensor[] {
  const x = required(ctx, 0);
  const r = dynamicQuantizeLinear(x.dtype === 'float32' ? x : makeTensor('float32', x.dims, toFloat32(x)));
  return [r.y, makeTensor('float32', [], [r.scale]), makeTensor('uint8', [], [r.zeroPoint])];
}

interface IntConvArgs {
  x: Tensor;
  w: Tensor;
  xZeroPoint: number;
  wZeroPoint: number[] | undefined;
  bias?: ArrayLike<number>;
}

/** Runs the int8 conv reference for 1-D or 2-D convs (1-D as H = 1), resolving auto_pad. */
function intConv(node: GraphNode, a: IntConvArgs): IntAccumulation {
  const rank = a.x.dims.length;
  if (rank !== 3 && rank !== 4)
    throw new ModelError(`${node.opType}: only 1-D and 2-D convolutions are supported`);
  const spatial = a.x.dims.slice(2);
  const kernel = a.w.dims.slice(2);
  const nonEmpty = (v: readonly number[] | undefined) => (v && v.length > 0 ? v : undefined);
  const geo = resolveConvGeometry({
    inputSpatial: spatial,
    kernelSpatial: kernel,
    strides: nonEmpty(attrInts(node, 'strides')),
    dilations: nonEmpty(attrInts(node, 'dilations')),
    pads: nonEmpty(attrInts(node, 'pads')),
    autoPad: parseAutoPad(attrString(node, 'auto_pad')),
  });
  const is1d = rank === 3;
  const r = conv2dInt8({
    x: int8Input(a.x, 'conv input'),
    xDims: is1d ? [a.x.dims[0], a.x.dims[1], 1, a.x.dims[2]] : a.x.dims,
    w: int8Input(a.w, 'conv weight'),
    wDims: is1d ? [a.w.dims[0], a.w.dims[1], 1, a.w.dims[2]] : a.w.dims,
    xZeroPoint: a.xZeroPoint,
    wZeroPoint: a.wZeroPoint,
    bias: a.bias,
    group: attrInt(node, 'group'),
    strides: is1d ? [1, geo.strides[0]] : geo.strides,
    dilations: is1d ? [1, geo.dilations[0]] : geo.dilations,
    pads: is1d ? [0, geo.pads[0], 0, geo.pads[1]] : geo.pads,
  });
  return is1d ? { ...r, dims: [r.dims[0], r.dims[1], r.dims[3]] } : r;
}

function convIntegerOp(ctx: OpContext): Tensor[] {
  const zw = optional(ctx, 3);
  const r = intConv(ctx.node, {
    x: required(ctx, 0),
    w: required(ctx, 1),
    xZeroPoint: scalarOf(optional(ctx, 2), 'x_zero_point'),
    wZeroPoint: zw ? toNumbers(zw) : undefined,
  });
  return [makeTensor('int32', r.dims, r.acc)];
}

function outputRange(zp: Tensor): { dtype: QuantDType; qmin: number; qmax: number } {
  if (zp.dtype !== 'int8' && zp.dtype !== 'uint8')
    throw new ModelError(`output zero point must be int8 or uint8, got ${zp.dtype}`);
  return { dtype: zp.dtype, ...qRange(zp.dtype) };
}

function qlinearConvOp(ctx: OpContext): Tensor[] {
  const xScale = scalarOf(required(ctx, 1), 'x_scale');
  const wScale = toFloat32(required(ctx, 4));
  const yScale = scalarOf(required(ctx, 6), 'y_scale');
  const yZp = required(ctx, 7);
  const bias = optional(ctx, 8);
  const r = intConv(ctx.node, {
    x: required(ctx, 0),
    w: required(ctx, 3),
    xZeroPoint: scalarOf(required(ctx, 2), 'x_zero_point'),
    wZeroPoint: toNumbers(required(ctx, 5)),
    bias: bias ? (bias.data as Int32Array) : undefined,
  });
  const out = outputRange(yZp);
  const y = requantizeTensor({
    acc: r.acc,
    dims: r.dims,
    channelAxis: 1,
    inputScale: xScale,
    weightScale: wScale,
    outputScale: yScale,
    outputZeroPoint: scalarOf(yZp, 'y_zero_point'),
    qmin: out.qmin,
    qmax: out.qmax,
  });
  return [makeTensor(out.dtype, r.dims, y)];
}

function matMulIntegerOp(ctx: OpContext): Tensor[] {
  const a = required(ctx, 0);
  const b = required(ctx, 1);
  const za = optional(ctx, 2);
  const zb = optional(ctx, 3);
  const r = denseInt8({
    a: int8Input(a, 'A'),
    aDims: a.dims,
    b: int8Input(b, 'B'),
    bDims: b.dims,
    aZeroPoint: za ? toNumbers(za) : undefined,
    bZeroPoint: zb ? toNumbers(zb) : undefined,
  });
  return [makeTensor('int32', r.dims, r.acc)];
}

function qlinearMatMulOp(ctx: OpContext): Tensor[] {
  const a = required(ctx, 0);
  const b = required(ctx, 3);
  const yZp = required(ctx, 7);
  const r = denseInt8({
    a: int8Input(a, 'a'),
    aDims: a.dims,
    b: int8Input(b, 'b'),
    bDims: b.dims,
    aZeroPoint: scalarOf(required(ctx, 2), 'a_zero_point'),
    bZeroPoint: toNumbers(required(ctx, 5)),
  });
  const out = outputRange(yZp);
  const y = requantizeTensor({
    acc: r.acc,
    dims: r.dims,
    channelAxis: r.dims.length - 1,
    inputScale: scalarOf(required(ctx, 1), 'a_scale'),
    weightScale: toFloat32(required(ctx, 4)),
    outputScale: scalarOf(required(ctx, 6), 'y_scale'),
    outputZeroPoint: scalarOf(yZp, 'y_zero_point'),
    qmin: out.qmin,
    qmax: out.qmax,
  });
  return [makeTensor(out.dtype, r.dims, y)];
}

export const quantOps: OpTable = {
  [opKey('', 'QuantizeLinear')]: quantizeLinearOp,
  [opKey('', 'DequantizeLinear')]: dequantizeLinearOp,
  [opKey('', 'DynamicQuantizeLinear')]: dynamicQuantizeLinearOp,
  [opKey('', 'ConvInteger')]: convIntegerOp,
  [opKey('', 'QLinearConv')]: qlinearConvOp,
  [opKey('', 'MatMulInteger')]: matMulIntegerOp,
  [opKey('', 'QLinearMatMul')]: qlinearMatMulOp,
  ...quantMsOps,
};
