// Lowerings of the float ops onto the float WGSL kernels (kernels/{conv2d,matmul,elementwise,pool,
// softmax,shape-ops}). Attribute reading mirrors the CPU adapters in app/exec/cpu/ops/.
import { batchNormScaleShift } from '../../../kernels/batchnorm/batchnorm.ref.js';
import { parseAutoPad } from '../../../kernels/conv2d/conv-geometry.js';
import { prepareConv2d } from '../../../kernels/conv2d/conv2d.js';
import {
  type BinaryOp,
  prepareBinary,
  prepareUnary,
  type UnaryOp,
} from '../../../kernels/elementwise/elementwise.js';
import { powTakesShortcut } from '../../../kernels/elementwise/elementwise.ref.js';
import { prepareMatMul } from '../../../kernels/matmul/matmul.js';
import { preparePool } from '../../../kernels/pool/pool.js';
import { gpuCastSupported, prepareCast } from '../../../kernels/shape-ops/cast-gpu.js';
import { prepareSoftmax } from '../../../kernels/softmax/softmax.js';
import { makeTensor, sizeOf, type Tensor, toNumbers } from '../../../kernels/tensor.js';
import { attrFloat, attrInt, attrInts, attrString, hasAttr } from '../../model/attributes.js';
import { legacyB } from '../../model/shapes/elementwise.js';
import {
  clipBounds,
  clipBoundsConstant,
  fuseActivation,
  type GpuWork,
  inputName,
  isFloatInput,
  type LowerContext,
  type Lowering,
} from './lowering.js';

export function ints(lc: LowerContext, name: string): number[] | undefined {
  const v = attrInts(lc.node, name);
  return v?.length ? [...v] : undefined;
}

export function spatialAttrs(lc: LowerContext) {
  return {
    strides: ints(lc, 'strides'),
    dilations: ints(lc, 'dilations'),
    pads: ints(lc, 'pads'),
    autoPad: parseAutoPad(attrString(lc.node, 'auto_pad')),
  };
}

const rankIs1or2d = (dims: readonly number[]) => dims.length === 3 || dims.length === 4;

/** BatchNormalization folded into a preceding conv's weights and bias (f64, then f32). */
function foldBatchNorm(w: Tensor, bias: Tensor | undefined, bn: Tensor[], eps: number) {
  const [scale, b, mean, variance] = bn.map((t) => t.data as Float32Array);
  const m = w.dims[0];
  const per = sizeOf(w.dims) / m;
  const wd = w.data as Float32Array;
  const nw = new Float32Array(wd.length);
  const nb = new Float32Array(m);
  for (let c = 0; c < m; c++) {
    const s = scale[c] / Math.sqrt(variance[c] + Math.fround(eps));
    for (let k = 0; k < per; k++) nw[c * per + k] = wd[c * per + k] * s;
    nb[c] = ((bias?.data[c] as number | undefined) ?? 0) * s + b[c] - mean[c] * s;
  }
  return { w: makeTensor('float32', w.dims, nw), bias: makeTensor('float32', [m], nb) };
}

const conv: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0) || !isFloatInput(lc, 1)) return undefined;
  const xDims = lc.shape(inputName(lc, 0)).dims;
  const wDims = lc.shape(inputName(lc, 1)).dims;
  if (!rankIs1or2d(xDims)) return undefined;
  const hasBias = inputName(lc, 2) !== '';
  const params = { xDims, wDims, group: attrInt(lc.node, 'group'), ...spatialAttrs(lc) };
  let w: GPUBuffer | undefined;
  let bias: GPUBuffer | undefined;
  // Conv -> BatchNormalization with constant weights and BN parameters: fold at plan time.
  const wConst = lc.constant(inputName(lc, 1));
  const biasConst = hasBias ? lc.constant(inputName(lc, 2)) : undefined;
  if (wConst && wConst.dtype === 'float32' && (!hasBias || biasConst)) {
    let bnParams: Tensor[] | undefined;
    const bn = lc.fuseFollowing((n) => {
      if (
        n.opType !== 'BatchNormalization' ||
        (hasAttr(n, 'training_mode') && attrInt(n, 'training_mode') !== 0)
      )
        return false;
      const ts = [1, 2, 3, 4].map((i) => (n.inputs[i] ? lc.constant(n.inputs[i]) : undefined));
      if (!ts.every((t) => t?.dtype === 'float32' && t.data.length === wDims[0])) return false;
      bnParams = ts as Tensor[];
      return true;
    });
    if (bn && bnParams) {
      const folded = foldBatchNorm(wConst, biasConst, bnParams, attrFloat(bn, 'epsilon'));
      w = lc.upload(`${lc.node.name}.folded-w`, folded.w);
      bias = lc.upload(`${lc.node.name}.folded-bias`, folded.bias);
    }
  }
  const activation = fuseActivation(lc);
  const r = await prepareConv2d(
    lc.gpu,
    lc.input(0),
    w ?? lc.input(1),
    bias ?? (hasBias ? lc.input(2) : undefined),
    lc.output(0),
    // A non-constant w is repacked by the conv in every run (the kernel reads a blocked copy).
    { ...params, activation, weightsVary: !wConst },
  );
  return { dispatches: r.dispatches };
};

const gemm: Lowering = async (lc) => {
  if (![0, 1].every((i) => isFloatInput(lc, i))) return undefined;
  const cName = inputName(lc, 2);
  if (cName && lc.shape(cName).dtype !== 'float32') return undefined;
  const activation = fuseActivation(lc);
  const r = await prepareMatMul(
    lc.gpu,
    lc.input(0),
    lc.input(1),
    cName ? lc.input(2) : undefined,
    lc.output(0),
    {
      aDims: lc.shape(inputName(lc, 0)).dims,
      bDims: lc.shape(inputName(lc, 1)).dims,
      cDims: cName ? lc.shape(cName).dims : undefined,
      transA: attrInt(lc.node, 'transA') !== 0,
      transB: attrInt(lc.node, 'transB') !== 0,
      alpha: attrFloat(lc.node, 'alpha'),
      beta: attrFloat(lc.node, 'beta'),
      activation,
    },
  );
  return { dispatches: [r.dispatch] };
};

const matmul: Lowering = async (lc) => {
  if (![0, 1].every((i) => isFloatInput(lc, i))) return undefined;
  const activation = fuseActivation(lc);
  const r = await prepareMatMul(lc.gpu, lc.input(0), lc.input(1), undefined, lc.output(0), {
    aDims: lc.shape(inputName(lc, 0)).dims,
    bDims: lc.shape(inputName(lc, 1)).dims,
    activation,
  });
  return { dispatches: [r.dispatch] };
};

function pool(kind: 'max' | 'average' | 'global-average'): Lowering {
  return async (lc) => {
    if (!isFloatInput(lc, 0)) return undefined;
    const xDims = lc.shape(inputName(lc, 0)).dims;
    if (!rankIs1or2d(xDims)) return undefined;
    if (kind === 'max' && (lc.node.outputs[1] || attrInt(lc.node, 'storage_order') !== 0)) return undefined;
    const kernelShape = ints(lc, 'kernel_shape');
    if (kind !== 'global-average' && !kernelShape) return undefined;
    const r = await preparePool(lc.gpu, lc.input(0), lc.output(0), {
      kind,
      xDims,
      kernelShape,
      ...(kind === 'global-average' ? {} : spatialAttrs(lc)),
      ceilMode: kind !== 'global-average' && attrInt(lc.node, 'ceil_mode') !== 0,
      countIncludePad: kind === 'average' && attrInt(lc.node, 'count_include_pad') !== 0,
    });
    return { dispatches: [r.dispatch] };
  };
}

const softmax: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0)) return undefined;
  const dims = lc.shape(inputName(lc, 0)).dims;
  if (dims.length === 0) return undefined;
  const legacy = lc.opset < 13;
  const axis = hasAttr(lc.node, 'axis') ? attrInt(lc.node, 'axis') : legacy ? 1 : -1;
  const log = lc.node.opType === 'LogSoftmax';
  return {
    dispatches: [
      await prepareSoftmax(lc.gpu, lc.input(0), lc.output(0), { dims, axis, coerceTo2d: legacy, log }),
    ],
  };
};

function unary(
  op: UnaryOp,
  params?: (lc: LowerContext) => { alpha?: number; beta?: number },
  inputDtype = 'float32',
): Lowering {
  return async (lc) => {
    if (lc.shape(inputName(lc, 0)).dtype !== inputDtype) return undefined;
    const count = sizeOf(lc.shape(inputName(lc, 0)).dims);
    return {
      dispatches: [await prepareUnary(lc.gpu, lc.input(0), lc.output(0), { op, count, ...params?.(lc) })],
    };
  };
}

const clip: Lowering = async (lc) => {
  if (!clipBoundsConstant(lc, lc.node)) return undefined;
  const { min, max } = clipBounds(lc, lc.node);
  return unary('Clip', () => ({ alpha: min, beta: max }))(lc);
};

function binary(op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow'): Lowering {
  return async (lc) => {
    if (!isFloatInput(lc, 0) || !isFloatInput(lc, 1)) return undefined;
    const aDims = lc.shape(inputName(lc, 0)).dims;
    const raw = lc.shape(inputName(lc, 1)).dims;
    // Opset < 7: B placed by the legacy broadcast/axis attributes (same buffer, padded dims).
    const bDims = lc.opset < 7 ? legacyB(lc.node, aDims, raw) : raw;
    let kernelOp: BinaryOp = op;
    if (op === 'Pow' && powTakesShortcut(aDims, bDims)) {
      // onnxruntime's x*x / x*x*x shortcut applies per element where the exponent is 2 or 3.
      const e = lc.constant(inputName(lc, 1));
      if (!e) return undefined;
      const values = new Set(toNumbers(e));
      if (values.size === 1 && values.has(2)) kernelOp = 'PowSquare';
      else if (values.size === 1 && values.has(3)) kernelOp = 'PowCube';
      else if (values.has(2) || values.has(3)) return undefined;
    }
    const r = await prepareBinary(lc.gpu, lc.input(0), lc.input(1), lc.output(0), {
      op: kernelOp,
      aDims,
      bDims,
    });
    return { dispatches: [r.dispatch] };
  };
}

/** Standalone BatchNormalization: y = x * s + b with per-channel constants, bit-exact with the reference. */
const batchNorm: Lowering = async (lc) => {
  if (!isFloatInput(lc, 0)) return undefined;
  if (hasAttr(lc.node, 'training_mode') && attrInt(lc.node, 'training_mode') !== 0) return undefined;
  const xDims = lc.shape(inputName(lc, 0)).dims;
  const params = [1, 2, 3, 4].map((i) => lc.constant(inputName(lc, i)));
  if (xDims.length < 2 || !params.every((t) => t?.dtype === 'float32' && t.data.length === xDims[1]))
    return undefined;
  const [scale, b, mean, variance] = params.map((t) => t!.data as Float32Array);
  const c = xDims[1];
  // The reference's float32 constants; the two dispatches below round x * s and + b as it does.
  const ss = batchNormScaleShift(scale, b, mean, variance, attrFloat(lc.node, 'epsilon'));
  const s = Float32Array.from(ss.s);
  const sb = Float32Array.from(ss.b);
  const paramDims = [c, ...xDims.slice(2).map(() => 1)];
  const sBuf = lc.upload(`${lc.node.name}.scale`, makeTensor('float32', paramDims, s));
  const bBuf = lc.upload(`${lc.node.name}.shift`, makeTensor('float32', paramDims, sb));
  // x * s lands in the output buffer, then + b in place is not allowed (read + write aliasing):
  // the product goes to a scratch value owned by this node.
  const scratch = lc.upload(`${lc.node.name}.scratch`, makeTensor('float32', xDims));
  const out = lc.output(0);
  const mul = await prepareBinary(lc.gpu, lc.input(0), sBuf, scratch, {
    op: 'Mul',
    aDims: xDims,
    bDims: paramDims,
  });
  const add = await prepareBinary(lc.gpu, scratch, bBuf, out, { op: 'Add', aDims: xDims, bDims: paramDims });
  return { dispatches: [mul.dispatch, add.dispatch] };
};

const cast: Lowering = async (lc) => {
  const from = lc.shape(inputName(lc, 0)).dtype;
  const to = lc.shape(lc.node.outputs[0]).dtype;
  if (from === to && from !== undefined) return 'view';
  // Every pair among the dtypes the GPU stores, bit-exact with castRef (cast-gpu.wgsl).
  if (from === undefined || to === undefined || !gpuCastSupported(from, to)) return undefined;
  const x = gpuInput(lc, 0);
  if (!x) return undefined;
  const count = sizeOf(lc.shape(lc.node.outputs[0]).dims);
  return { dispatches: [await prepareCast(lc.gpu, x, lc.output(0), from, to, count)] };
};

/** Input i's GPU buffer; undefined for int64 a CPU node made (host-only, gpu-storage.ts). */
function gpuInput(lc: LowerContext, i: number): GPUBuffer | undefined {
  try {
    return lc.input(i);
  } catch {
    return undefined;
  }
}

export const floatLowerings: Readonly<Record<string, Lowering>> = {
  Conv: conv,
  Gemm: gemm,
  MatMul: matmul,
  MaxPool: pool('max'),
  AveragePool: pool('average'),
  GlobalAveragePool: pool('global-average'),
  Softmax: softmax,
  LogSoftmax: softmax,
  BatchNormalization: batchNorm,
  Relu: unary('Relu'),
  Clip: clip,
  LeakyRelu: unary('LeakyRelu', (lc) => ({ alpha: attrFloat(lc.node, 'alpha') })),
  Sigmoid: unary('Sigmoid'),
  HardSigmoid: unary('HardSigmoid', (lc) => ({
    alpha: attrFloat(lc.node, 'alpha'),
    beta: attrFloat(lc.node, 'beta'),
  })),
  HardSwish: unary('HardSwish'),
  Tanh: unary('Tanh'),
  Erf: unary('Erf'),
  Sqrt: unary('Sqrt'),
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Div: binary('Div'),
  Pow: binary('Pow'),
  Cast: cast,
  CastLike: cast,
};

export type { GpuWork };
