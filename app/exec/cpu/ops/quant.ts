// Quantization ops: thin adapters that read attributes and inputs and call the pure references in
// kernels/quantize. The arithmetic (bit-exact with onnxruntime CPU) lives there. The integer
// conv/matmul ops are in quant-int8.ts, the com.microsoft QLinear* ops in quant-ms.ts.
import { isQuantDType, type QuantDType } from '../../../../kernels/quant-math/quant-math.js';
import {
  isNarrowQuantType,
  narrowDequantize,
  narrowQuantize,
} from '../../../../kernels/quantize/narrow-quantize.ref.js';
import {
  dequantizeLinear,
  dynamicQuantizeLinear,
  type QuantParams,
  quantizeLinear,
} from '../../../../kernels/quantize/quantize.ref.js';
import {
  type DType,
  makeTensor,
  numberToFloat16Bits,
  type Tensor,
  toFloat32,
  toNumbers,
} from '../../../../kernels/tensor.js';
import { attrInt } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { GraphNode } from '../../../model/ir.js';
import { dtypeFromOnnx } from '../../../model/tensor-proto.js';
import type { OpContext, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';
import { quantInt8Ops } from './quant-int8.js';
import { quantMsOps } from './quant-ms.js';

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
  const narrow = isNarrowQuantType(dtype);
  if (!narrow && (!isQuantDType(dtype) || dtype === 'int32' || dtype === 'uint32')) {
    throw new ModelError(`QuantizeLinear to ${dtype} is not supported`);
  }
  // Opset 23's `precision`: the type x / y_scale is computed in (0: the scale's). We divide in
  // float32, the scale's type when it is float32.
  const precision = ctx.opset >= 23 ? attrInt(ctx.node, 'precision') : 0;
  if (precision !== 0 && !(precision === 1 && scale.dtype === 'float32'))
    throw new ModelError(
      `QuantizeLinear precision ${dtypeFromOnnx(precision) ?? precision} is not supported (the division runs in float32)`,
    );
  const xf = x.dtype === 'float32' ? x : makeTensor('float32', x.dims, toFloat32(x));
  if (narrow) {
    const saturate = ctx.opset < 19 || attrInt(ctx.node, 'saturate') !== 0;
    return [narrowQuantize(xf, quantParams(ctx.node, scale, zp), dtype, saturate)];
  }
  return [quantizeLinear(xf, quantParams(ctx.node, scale, zp), dtype as QuantDType)];
}

function dequantizeLinearOp(ctx: OpContext): Tensor[] {
  const x = required(ctx, 0);
  const scale = required(ctx, 1);
  const params = quantParams(ctx.node, scale, optional(ctx, 2));
  const y = isNarrowQuantType(x.dtype)
    ? makeTensor('float32', x.dims, narrowDequantize(x, params))
    : dequantizeLinear(x, params);
  // Opset 23's output_dtype (0: the scale's type): float32 or float16.
  const out = ctx.opset >= 23 ? attrInt(ctx.node, 'output_dtype') : 0;
  if (out !== 0 && out !== 1 && out !== 10)
    throw new ModelError(
      `DequantizeLinear output_dtype ${dtypeFromOnnx(out) ?? out} is not supported (float32, float16)`,
    );
  if (out === 1 || (out === 0 && scale.dtype !== 'float16')) return [y];
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

export const quantOps: OpTable = {
  [opKey('', 'QuantizeLinear')]: quantizeLinearOp,
  [opKey('', 'DequantizeLinear')]: dequantizeLinearOp,
  [opKey('', 'DynamicQuantizeLinear')]: dynamicQuantizeLinearOp,
  ...quantInt8Ops,
  ...quantMsOps,
};
