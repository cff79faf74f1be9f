// nn ops: thin adapters that read attributes (opset-dependent forms included) and call the
// pure references in kernels/. Each op's meaning lives in its .ref.ts, not here.
import {
  clip,
  erf,
  hardSigmoid,
  hardSwish,
  leakyRelu,
  relu,
  sigmoid,
  tanh,
} from '../../../../kernels/activation/activation.ref.js';
import {
  batchNormalization,
  batchNormalizationTraining,
} from '../../../../kernels/batchnorm/batchnorm.ref.js';
import {
  type ConvTransposeParams,
  convTranspose,
} from '../../../../kernels/conv-transpose/conv-transpose.ref.js';
import { parseAutoPad } from '../../../../kernels/conv2d/conv-geometry.js';
import { conv } from '../../../../kernels/conv2d/conv2d.ref.js';
import { gemm, matmul } from '../../../../kernels/matmul/matmul.ref.js';
import { pad, parsePadMode } from '../../../../kernels/pad/pad.ref.js';
import {
  averagePool,
  globalAveragePool,
  maxPool,
  type PoolParams,
} from '../../../../kernels/pool/pool.ref.js';
import { reduceMean } from '../../../../kernels/reduce/reduce-mean.ref.js';
import {
  type CoordinateTransformationMode,
  type NearestMode,
  type ResizeMode,
  type ResizeParams,
  resize,
} from '../../../../kernels/resize/resize.ref.js';
import { softmax } from '../../../../kernels/softmax/softmax.ref.js';
import {
  elementAsNumber,
  isBigIntDType,
  isSmallFloatDType,
  numberToFloat16Bits,
  type Tensor,
  toNumbers,
} from '../../../../kernels/tensor.js';
import { attrFloat, attrFloats, attrInt, attrInts, attrString, hasAttr } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { GraphNode } from '../../../model/ir.js';
import type { CpuOp, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

function ints(node: GraphNode, name: string): number[] | undefined {
  const v = attrInts(node, name);
  return v?.length ? [...v] : undefined;
}

function convSpatialAttrs(node: GraphNode) {
  return {
    strides: ints(node, 'strides'),
    dilations: ints(node, 'dilations'),
    pads: ints(node, 'pads'),
    autoPad: parseAutoPad(attrString(node, 'auto_pad')),
    kernelShape: ints(node, 'kernel_shape'),
  };
}

export function poolParams(node: GraphNode): PoolParams {
  const kernelShape = ints(node, 'kernel_shape');
  if (!kernelShape)
    throw new ModelError(`node '${node.name}' (${node.opType}) needs attribute 'kernel_shape'`);
  return { ...convSpatialAttrs(node), kernelShape, ceilMode: attrInt(node, 'ceil_mode') !== 0 };
}

/** A scalar input of Clip/Pad as a value of the data tensor's kind (bigint for int64 data). */
function scalarOf(t: Tensor): number | bigint {
  return isBigIntDType(t.dtype) ? (t.data as BigInt64Array)[0] : elementAsNumber(t, 0);
}

const convOp: CpuOp = (ctx) => [
  conv(required(ctx, 0), required(ctx, 1), optional(ctx, 2), {
    ...convSpatialAttrs(ctx.node),
    group: attrInt(ctx.node, 'group'),
  }),
];

/** ConvTranspose's attributes as the reference takes them (shared with the WebGPU lowering). */
export function convTransposeParams(node: GraphNode): ConvTransposeParams {
  return {
    ...convSpatialAttrs(node),
    group: attrInt(node, 'group'),
    outputPadding: ints(node, 'output_padding'),
    outputShape: ints(node, 'output_shape'),
  };
}

const convTransposeOp: CpuOp = (ctx) => [
  convTranspose(required(ctx, 0), required(ctx, 1), optional(ctx, 2), convTransposeParams(ctx.node), {
    constantW: ctx.constantInputs?.[1] === true,
  }),
];

const gemmOp: CpuOp = (ctx) => {
  const { node } = ctx;
  return [
    gemm(
      required(ctx, 0),
      required(ctx, 1),
      optional(ctx, 2),
      {
        alpha: attrFloat(node, 'alpha'),
        beta: attrFloat(node, 'beta'),
        transA: attrInt(node, 'transA') !== 0,
        transB: attrInt(node, 'transB') !== 0,
      },
      { constantB: ctx.constantInputs?.[1] === true },
    ),
  ];
};

const maxPoolOp: CpuOp = (ctx) => {
  const { y, indices } = maxPool(required(ctx, 0), poolParams(ctx.node), attrInt(ctx.node, 'storage_order'));
  return [y, indices];
};

const averagePoolOp: CpuOp = (ctx) => [
  averagePool(required(ctx, 0), poolParams(ctx.node), attrInt(ctx.node, 'count_include_pad') !== 0),
];

const batchNormOp: CpuOp = (ctx) => {
  const [x, scale, b, mean, variance] = [0, 1, 2, 3, 4].map((i) => required(ctx, i));
  const epsilon = attrFloat(ctx.node, 'epsilon');
  if (ctx.opset < 7 && attrInt(ctx.node, 'is_test') === 0)
    throw new ModelError(
      `node '${ctx.node.name}' (BatchNormalization): training mode (is_test = 0) is not supported`,
    );
  // training_mode (opset 14+): batch statistics, and the running mean/var as outputs 1 and 2.
  if (ctx.opset >= 14 && hasAttr(ctx.node, 'training_mode') && attrInt(ctx.node, 'training_mode') !== 0) {
    const r = batchNormalizationTraining(
      x,
      scale,
      b,
      mean,
      variance,
      epsilon,
      attrFloat(ctx.node, 'momentum'),
    );
    return [r.y, r.runningMean, r.runningVar];
  }
  return [batchNormalization(x, scale, b, mean, variance, epsilon)];
};

const padOp: CpuOp = (ctx) => {
  const { node, opset } = ctx;
  const x = required(ctx, 0);
  const mode = parsePadMode(attrString(node, 'mode'));
  if (mode === 'wrap' && opset < 19)
    throw new ModelError(`node '${node.name}' (Pad): mode 'wrap' needs opset 19`);
  if (opset < 11) {
    const pads = ints(node, 'pads') ?? ints(node, 'paddings');
    if (!pads) throw new ModelError(`node '${node.name}' (Pad) needs attribute 'pads'`);
    const value = attrFloat(node, 'value');
    // float16 data holds raw bits, so the fill must be encoded the same way.
    return [
      pad(x, { pads, mode, constantValue: x.dtype === 'float16' ? numberToFloat16Bits(value) : value }),
    ];
  }
  const value = optional(ctx, 2);
  const axes = optional(ctx, 3);
  return [
    pad(x, {
      pads: toNumbers(required(ctx, 1)),
      mode,
      // float16 and the narrow floats hold codes: the fill is the value's own code.
      constantValue: value
        ? x.dtype === 'float16' || isSmallFloatDType(x.dtype)
          ? (value.data[0] as number)
          : scalarOf(value)
        : 0,
      axes: axes ? toNumbers(axes) : undefined,
    }),
  ];
};

/** Resize's input and parameters at the node's opset (shared with the WebGPU lowering). */
export function resizeArguments(ctx: Parameters<CpuOp>[0]): { x: Tensor; params: ResizeParams } {
  const { node, opset } = ctx;
  const mode = attrString(node, 'mode') as ResizeMode;
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'cubic') {
    throw new ModelError(`node '${node.name}' (Resize): unknown mode '${mode}'`);
  }
  const params: ResizeParams = {
    mode,
    // Opset 10 Resize (like Upsample) is asymmetric, with the legacy floor/ceil nearest rule.
    coordinateTransformationMode:
      opset < 11
        ? 'asymmetric'
        : (attrString(node, 'coordinate_transformation_mode') as CoordinateTransformationMode),
    nearestMode: opset < 11 ? 'simple' : (attrString(node, 'nearest_mode') as NearestMode),
    cubicCoeffA: attrFloat(node, 'cubic_coeff_a'),
    excludeOutside: attrInt(node, 'exclude_outside') !== 0,
    extrapolationValue: attrFloat(node, 'extrapolation_value'),
    axes: ints(node, 'axes'),
    keepAspectRatioPolicy: attrString(
      node,
      'keep_aspect_ratio_policy',
    ) as ResizeParams['keepAspectRatioPolicy'],
    // Opset 18+; it changes only linear and cubic downscaling (nearest ignores it, as the spec
    // says, where onnxruntime and ONNX's reference refuse the pair).
    antialias: opset >= 18 && attrInt(node, 'antialias') !== 0,
  };
  const scales = optional(ctx, opset < 11 ? 1 : 2);
  const sizes = opset < 11 ? undefined : optional(ctx, 3);
  const roi = opset < 11 ? undefined : optional(ctx, 1);
  return {
    x: required(ctx, 0),
    params: {
      ...params,
      scales: scales && !sizes ? toNumbers(scales) : undefined,
      sizes: sizes ? toNumbers(sizes) : undefined,
      roi: roi ? toNumbers(roi) : undefined,
    },
  };
}

/** Upsample (opsets 7-9) as Resize-10: asymmetric coordinates, the legacy nearest rule. */
export function upsampleArguments(ctx: Parameters<CpuOp>[0]): { x: Tensor; params: ResizeParams } {
  const { node, opset } = ctx;
  const mode = attrString(node, 'mode') as ResizeMode;
  if (mode !== 'nearest' && mode !== 'linear')
    throw new ModelError(`node '${node.name}' (Upsample): unknown mode '${mode}'`);
  const scales = opset >= 9 ? optional(ctx, 1) : undefined;
  const values = scales ? toNumbers(scales) : attrFloats(node, 'scales');
  if (!values) throw new ModelError(`node '${node.name}' (Upsample) has no scales`);
  const x = required(ctx, 0);
  return {
    x,
    params: { mode, coordinateTransformationMode: 'asymmetric', nearestMode: 'simple', scales: values },
  };
}

const resizeOp: CpuOp = (ctx) => {
  const { x, params } = resizeArguments(ctx);
  return [resize(x, params)];
};

const softmaxOp: CpuOp = (ctx) => {
  const legacy = ctx.opset < 13;
  const axis = hasAttr(ctx.node, 'axis') ? attrInt(ctx.node, 'axis') : legacy ? 1 : -1;
  return [softmax(required(ctx, 0), axis, legacy)];
};

const reduceMeanOp: CpuOp = (ctx) => {
  const { node, opset } = ctx;
  const axesInput = opset >= 18 ? optional(ctx, 1) : undefined;
  return [
    reduceMean(required(ctx, 0), {
      axes: opset >= 18 ? (axesInput ? toNumbers(axesInput) : undefined) : ints(node, 'axes'),
      keepdims: attrInt(node, 'keepdims') !== 0,
      noopWithEmptyAxes: opset >= 18 && attrInt(node, 'noop_with_empty_axes') !== 0,
    }),
  ];
};

const clipOp: CpuOp = (ctx) => {
  const { node, opset } = ctx;
  const x = required(ctx, 0);
  if (opset < 11) {
    const min = hasAttr(node, 'min') ? attrFloat(node, 'min') : undefined;
    const max = hasAttr(node, 'max') ? attrFloat(node, 'max') : undefined;
    return [clip(x, min, max)];
  }
  const min = optional(ctx, 1);
  const max = optional(ctx, 2);
  return [clip(x, min && scalarOf(min), max && scalarOf(max))];
};

const unary =
  (f: (x: Tensor) => Tensor): CpuOp =>
  (ctx) => [f(required(ctx, 0))];

export const nnOps: OpTable = {
  [opKey('', 'Conv')]: convOp,
  [opKey('', 'ConvTranspose')]: convTransposeOp,
  [opKey('', 'MatMul')]: (ctx) => [
    matmul(required(ctx, 0), required(ctx, 1), { constantB: ctx.constantInputs?.[1] === true }),
  ],
  [opKey('', 'Gemm')]: gemmOp,
  [opKey('', 'MaxPool')]: maxPoolOp,
  [opKey('', 'AveragePool')]: averagePoolOp,
  [opKey('', 'GlobalAveragePool')]: unary(globalAveragePool),
  [opKey('', 'BatchNormalization')]: batchNormOp,
  [opKey('', 'Upsample')]: (ctx) => {
    const { x, params } = upsampleArguments(ctx);
    return [resize(x, params)];
  },
  [opKey('', 'Pad')]: padOp,
  [opKey('', 'Resize')]: resizeOp,
  [opKey('', 'Softmax')]: softmaxOp,
  [opKey('', 'ReduceMean')]: reduceMeanOp,
  [opKey('', 'Relu')]: unary(relu),
  [opKey('', 'Clip')]: clipOp,
  [opKey('', 'LeakyRelu')]: (ctx) => [leakyRelu(required(ctx, 0), attrFloat(ctx.node, 'alpha'))],
  [opKey('', 'Sigmoid')]: unary(sigmoid),
  [opKey('', 'HardSigmoid')]: (ctx) => [
    hardSigmoid(required(ctx, 0), attrFloat(ctx.node, 'alpha'), attrFloat(ctx.node, 'beta')),
  ],
  [opKey('', 'HardSwish')]: unary(hardSwish),
  [opKey('', 'Tanh')]: unary(tanh),
  [opKey('', 'Erf')]: unary(erf),
};
