// Quantization ops whose scales / zero points are known only at run time (graph inputs, or outputs
// of GPU nodes such as DynamicQuantizeLinear in onnxruntime's quantize_dynamic graphs:
// DynamicQuantizeLinear -> MatMulInteger / ConvInteger -> Cast -> Mul). The parameters stay in GPU
// buffers and the kernels read them each run (kernels/quantize-runtime/). Where the parameters are
// plan-time constants, the existing lowerings (lower-quant.ts, lower-int8-gemm.ts) run unchanged:
// each op here first delegates to them.
import { parseAutoPad, resolveConvGeometry } from '../../../kernels/conv2d/conv-geometry.js';
import { resolveDenseGeometry } from '../../../kernels/dense-int8/dense-geometry.js';
import { qRange } from '../../../kernels/quant-math/quant-math.js';
import {
  fitsOneBinding,
  recordDynamicQuantizeParams,
  recordIntConvRuntime,
  recordIntMatMulRuntime,
  recordQuantizeWithBuffers,
  recordWiden8,
} from '../../../kernels/quantize-runtime/quantize-runtime.js';
import { makeTensor, sizeOf } from '../../../kernels/tensor.js';
import { attrInt, attrInts, attrString } from '../../model/attributes.js';
import { nodeAccumulator } from '../accumulator-stats.js';
import { int8GemmLowerings } from './lower-int8-gemm.js';
import { quantLowerings } from './lower-quant.js';
import { inputName, type Lowering, type LowerContext } from './lowering.js';

const is8bit = (dtype: string | undefined): dtype is 'int8' | 'uint8' =>
  dtype === 'int8' || dtype === 'uint8';

/** The constant-parameter lowering first; this one when that declines. */
function orElse(constant: Lowering | undefined, runtime: Lowering): Lowering {
  return async (lc) => (constant ? await constant(lc) : undefined) ?? runtime(lc);
}

/** DynamicQuantizeLinear (float32 -> uint8): parameter pass, then quantize.wgsl on its outputs. */
const dynamicQuantize: Lowering = async (lc) => {
  const xs = lc.shape(inputName(lc, 0));
  if (xs.dtype !== 'float32' || lc.node.outputs.length !== 3) return undefined;
  const count = sizeOf(xs.dims);
  if (!fitsOneBinding(lc.gpu, count)) return undefined;
  const x = lc.input(0);
  const y = lc.output(0);
  const scale = lc.output(1);
  const zp = lc.output(2);
  return {
    record: async (encoder) => {
      await recordDynamicQuantizeParams(lc.gpu, encoder, x, count, scale, zp);
      if (count === 0) return;
      const layout = { count, inner: 1, channels: 1, qmin: 0, qmax: 255 };
      await recordQuantizeWithBuffers(lc.gpu, encoder, 'quantize', x, y, scale, zp, layout);
    },
  };
};

/** The axis layout of per-axis parameters: elements per step and channel count. */
function axisLayout(dims: readonly number[], axis: number, channels: number): number | undefined {
  if (channels === 1) return 1;
  const rank = dims.length;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank || dims[a] !== channels) return undefined;
  return sizeOf(dims.slice(a + 1));
}

/** QuantizeLinear / DequantizeLinear with a run-time scale or zero point (per tensor or axis). */
function quantizeRuntime(mode: 'quantize' | 'dequantize'): Lowering {
  return async (lc) => {
    const x = lc.shape(inputName(lc, 0));
    const yShape = lc.shape(lc.node.outputs[0]);
    const q = mode === 'quantize' ? yShape : x;
    const f = mode === 'quantize' ? x : yShape;
    if (!is8bit(q.dtype) || f.dtype !== 'float32' || attrInt(lc.node, 'block_size') !== 0) return undefined;
    const scaleShape = lc.shape(inputName(lc, 1));
    if (scaleShape.dtype !== 'float32' || scaleShape.dims.length > 1) return undefined;
    const channels = sizeOf(scaleShape.dims);
    const zpName = inputName(lc, 2);
    if (zpName) {
      const zs = lc.shape(zpName);
      if (zs.dtype !== q.dtype || sizeOf(zs.dims) !== channels) return undefined;
    }
    const inner = axisLayout(x.dims, attrInt(lc.node, 'axis'), channels);
    if (inner === undefined) return undefined;
    const count = sizeOf(x.dims);
    const src = lc.input(0);
    const scales = lc.input(1);
    const zpPacked = zpName ? lc.input(2) : undefined;
    const zps = lc.upload(`${lc.node.name}.zero-points`, makeTensor('int32', [channels]));
    const dst = lc.output(0);
    const layout = { count, inner, channels, ...qRange(q.dtype) };
    return {
      record: async (encoder) => {
        if (zpPacked) await recordWiden8(lc.gpu, encoder, zpPacked, zps, channels, q.dtype === 'int8');
        if (count === 0) return;
        await recordQuantizeWithBuffers(lc.gpu, encoder, mode, src, dst, scales, zps, layout);
      },
      destroy: () => zps.destroy(),
    };
  };
}

/** A zero point input's element count: 0 when omitted, undefined when it has another type. */
function zeroPointCount(lc: LowerContext, i: number, dtype: string): number | undefined {
  const name = inputName(lc, i);
  if (!name) return 0;
  const s = lc.shape(name);
  return s.dtype === dtype ? sizeOf(s.dims) : undefined;
}

/** MatMulInteger with run-time zero points (int32 or x86 pairwise accumulation, no statistics). */
const matMulIntegerRuntime: Lowering = async (lc) => {
  const as = lc.shape(inputName(lc, 0));
  const bs = lc.shape(inputName(lc, 1));
  if (!is8bit(as.dtype) || !is8bit(bs.dtype) || lc.settings.onAccumulatorStats) return undefined;
  const mode = nodeAccumulator(lc.settings, { kind: 'matmul', xType: as.dtype, wType: bs.dtype });
  if (mode.kind !== 'int32' && mode.kind !== 'pairwise-int16-saturate') return undefined;
  let g: ReturnType<typeof resolveDenseGeometry>;
  try {
    g = resolveDenseGeometry(as.dims, bs.dims, false, 'MatMulInteger');
  } catch {
    return undefined; // the CPU reference reports the shape error
  }
  const zaCount = zeroPointCount(lc, 2, as.dtype);
  const zbCount = zeroPointCount(lc, 3, bs.dtype);
  if (zaCount === undefined || zbCount === undefined) return undefined;
  if (![0, 1, g.M].includes(zaCount) || ![0, 1, g.N].includes(zbCount)) return undefined;
  const batchWords: number[] = [];
  for (let i = 0; i < g.batches; i++) batchWords.push(g.aBatchMap[i], g.bBatchMap[i]);
  const batchMap = lc.upload(
    `${lc.node.name}.batch-map`,
    makeTensor('int32', [batchWords.length], batchWords),
  );
  const a = lc.input(0);
  const b = lc.input(1);
  const za = zaCount ? lc.input(2) : a;
  const zb = zbCount ? lc.input(3) : b;
  const y = lc.output(0);
  const spec = {
    m: g.M,
    k: g.K,
    n: g.N,
    batches: g.batches,
    aSigned: as.dtype === 'int8',
    bSigned: bs.dtype === 'int8',
    zaCount,
    zbCount,
    pairwise: mode.kind === 'pairwise-int16-saturate',
  };
  return {
    record: async (encoder) => {
      if (g.M * g.N * g.batches === 0) return;
      await recordIntMatMulRuntime(lc.gpu, encoder, spec, { a, b, za, zb, batchMap, y });
    },
    destroy: () => batchMap.destroy(),
  };
};

/** ConvInteger (1-D / 2-D) with run-time zero points, int32 accumulation, no statistics. */
const convIntegerRuntime: Lowering = async (lc) => {
  const xs = lc.shape(inputName(lc, 0));
  const ws = lc.shape(inputName(lc, 1));
  const ys = lc.shape(lc.node.outputs[0]);
  const rank = xs.dims.length;
  if (!is8bit(xs.dtype) || !is8bit(ws.dtype) || (rank !== 3 && rank !== 4) || ws.dims.length !== rank)
    return undefined;
  if (lc.settings.onAccumulatorStats || ys.dtype !== 'int32') return undefined;
  const group = attrInt(lc.node, 'group');
  const [M, Cg] = ws.dims;
  const depthwise = Cg === 1 && M === group;
  const mode = nodeAccumulator(lc.settings, {
    kind: 'conv-integer',
    xType: xs.dtype,
    wType: ws.dtype,
    depthwise,
  });
  if (mode.kind !== 'int32') return undefined;
  if (group < 1 || M % group !== 0 || xs.dims[1] !== Cg * group) return undefined;
  const zxCount = zeroPointCount(lc, 2, xs.dtype);
  const zwCount = zeroPointCount(lc, 3, ws.dtype);
  if (zxCount === undefined || zwCount === undefined || zxCount > 1 || ![0, 1, M].includes(zwCount))
    return undefined;
  const ints = (n: string) => {
    const v = attrInts(lc.node, n);
    return v?.length ? v : undefined;
  };
  let geo: ReturnType<typeof resolveConvGeometry>;
  try {
    geo = resolveConvGeometry({
      inputSpatial: xs.dims.slice(2),
      kernelSpatial: ws.dims.slice(2),
      strides: ints('strides'),
      dilations: ints('dilations'),
      pads: ints('pads'),
      autoPad: parseAutoPad(attrString(lc.node, 'auto_pad')),
    });
  } catch {
    return undefined; // the CPU reference reports it
  }
  const is1d = rank === 3;
  const lift = (d: readonly number[]) => (is1d ? [d[0], d[1], 1, d[2]] : [...d]);
  const spec = {
    xDims: lift(xs.dims),
    wDims: lift(ws.dims),
    yDims: lift(ys.dims),
    strides: is1d ? [1, geo.strides[0]] : geo.strides,
    dilations: is1d ? [1, geo.dilations[0]] : geo.dilations,
    pads: is1d ? [0, geo.pads[0], 0, geo.pads[1]] : geo.pads,
    group,
    xSigned: xs.dtype === 'int8',
    wSigned: ws.dtype === 'int8',
    zxCount,
    zwCount,
  };
  const x = lc.input(0);
  const w = lc.input(1);
  const zx = zxCount ? lc.input(2) : x;
  const zw = zwCount ? lc.input(3) : w;
  const y = lc.output(0);
  return {
    record: async (encoder) => {
      if (sizeOf(ys.dims) === 0) return;
      await recordIntConvRuntime(lc.gpu, encoder, spec, { x, w, zx, zw, y });
    },
  };
};

export const quantRuntimeLowerings: Readonly<Record<string, Lowering>> = {
  DynamicQuantizeLinear: dynamicQuantize,
  QuantizeLinear: orElse(quantLowerings.QuantizeLinear, quantizeRuntime('quantize')),
  DequantizeLinear: orElse(quantLowerings.DequantizeLinear, quantizeRuntime('dequantize')),
  MatMulInteger: orElse(int8GemmLowerings.MatMulInteger, matMulIntegerRuntime),
  ConvInteger: orElse(int8GemmLowerings.ConvInteger, convIntegerRuntime),
};
