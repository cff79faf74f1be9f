// Lowerings of 8-bit pooling onto kernels/qlinear-pool/qpool8.wgsl: MaxPool on int8/uint8 (the
// float MaxPool keeps lower-float.ts), com.microsoft QLinearGlobalAveragePool and
// QLinearAveragePool (NCHW, 1-D/2-D), all bit-exact with their CPU references
// (tests/gpu/qpool8.test.ts). Declined (CPU reference): channels_last QLinearAveragePool, 3-D
// pooling, windows wholly in padding, x_scale < 2^-100.
import { globalPoolScale } from '../../../kernels/qlinear-pool/qlinear-pool.ref.js';
import {
  averagePool8Geometry,
  prepareMaxPool8,
  prepareQLinearAveragePool8,
  prepareQLinearGlobalAveragePool8,
} from '../../../kernels/qlinear-pool/qpool8.js';
import { attrInt } from '../../model/attributes.js';
import { scalarOf } from '../cpu/ops/quant-inputs.js';
import { ints, spatialAttrs } from './lower-float.js';
import { inputName, type LowerContext, type Lowering } from './lowering.js';

function dtype8(lc: LowerContext, i: number): 'int8' | 'uint8' | undefined {
  const name = inputName(lc, i);
  if (!name) return undefined;
  const d = lc.shape(name).dtype;
  return d === 'int8' || d === 'uint8' ? d : undefined;
}

/** A scalar input known at plan time (an omitted zero point is 0); undefined when not constant. */
function constScalar(lc: LowerContext, i: number, what: string): number | undefined {
  const name = inputName(lc, i);
  if (!name) return 0;
  const t = lc.constant(name);
  return t && t.data.length === 1 ? scalarOf(t, what) : undefined;
}

const maxPool: Lowering = async (lc) => {
  const dtype = dtype8(lc, 0);
  if (!dtype) return undefined; // float MaxPool: lower-float.ts
  const xDims = lc.shape(inputName(lc, 0)).dims;
  if (xDims.length !== 3 && xDims.length !== 4) return undefined;
  if (lc.node.outputs[1] || attrInt(lc.node, 'storage_order') !== 0) return undefined;
  const kernelShape = ints(lc, 'kernel_shape');
  if (!kernelShape) return undefined;
  const r = await prepareMaxPool8(lc.gpu, lc.input(0), lc.output(0), {
    dtype,
    xDims,
    kernelShape,
    ...spatialAttrs(lc),
    ceilMode: attrInt(lc.node, 'ceil_mode') !== 0,
  });
  return { dispatches: [r.dispatch] };
};

const qlinearGlobalAveragePool: Lowering = async (lc) => {
  const dtype = dtype8(lc, 0);
  if (!dtype) return undefined;
  const xDims = lc.shape(inputName(lc, 0)).dims;
  if (xDims.length < 3) return undefined;
  const [xScale, xZeroPoint, yScale, yZeroPoint] = [1, 2, 3, 4].map((i) =>
    i === 1 || i === 3
      ? inputName(lc, i)
        ? constScalar(lc, i, 'scale')
        : undefined
      : constScalar(lc, i, 'zero_point'),
  );
  if (xScale === undefined || xZeroPoint === undefined || yScale === undefined || yZeroPoint === undefined)
    return undefined;
  const channelsLast = attrInt(lc.node, 'channels_last') !== 0;
  const spatial = channelsLast ? xDims.slice(1, -1) : xDims.slice(2);
  try {
    globalPoolScale(
      xScale,
      yScale,
      spatial.reduce((a, b) => a * b, 1),
    );
  } catch {
    return undefined; // the CPU reference reports the out-of-range scale with its own message
  }
  const r = await prepareQLinearGlobalAveragePool8(lc.gpu, lc.input(0), lc.output(0), {
    dtype,
    xDims,
    channelsLast,
    xScale,
    xZeroPoint,
    yScale,
    yZeroPoint,
  });
  return { dispatches: [r.dispatch] };
};

const qlinearAveragePool: Lowering = async (lc) => {
  const dtype = dtype8(lc, 0);
  if (!dtype) return undefined;
  const xDims = lc.shape(inputName(lc, 0)).dims;
  const [xScale, xZeroPoint, yScale, yZeroPoint] = [1, 2, 3, 4].map((i) =>
    i === 1 || i === 3
      ? inputName(lc, i)
        ? constScalar(lc, i, 'scale')
        : undefined
      : constScalar(lc, i, 'zero_point'),
  );
  if (xScale === undefined || xZeroPoint === undefined || yScale === undefined || yZeroPoint === undefined)
    return undefined;
  const kernelShape = ints(lc, 'kernel_shape');
  if (!kernelShape) return undefined;
  const { strides, pads, autoPad } = spatialAttrs(lc);
  const p = {
    xDims,
    channelsLast: attrInt(lc.node, 'channels_last') !== 0,
    kernelShape,
    strides,
    pads,
    autoPad,
    ceilMode: attrInt(lc.node, 'ceil_mode') !== 0,
    countIncludePad: attrInt(lc.node, 'count_include_pad') !== 0,
    xScale,
    xZeroPoint,
    yScale,
    yZeroPoint,
  };
  const g = averagePool8Geometry(p);
  if (!g) return undefined;
  if (g.global) {
    try {
      globalPoolScale(
        xScale,
        yScale,
        xDims.slice(2).reduce((a, b) => a * b, 1),
      );
    } catch {
      return undefined; // the CPU reference reports the out-of-range scale
    }
  }
  const r = await prepareQLinearAveragePool8(lc.gpu, lc.input(0), lc.output(0), { ...p, dtype });
  return { dispatches: [r.dispatch] };
};

export const qpoolLowerings: Readonly<Record<string, Lowering>> = { MaxPool: maxPool };

export const qpoolMsLowerings: Readonly<Record<string, Lowering>> = {
  QLinearGlobalAveragePool: qlinearGlobalAveragePool,
  QLinearAveragePool: qlinearAveragePool,
};
