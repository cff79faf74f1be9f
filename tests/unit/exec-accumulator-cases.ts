// Shared by tests/unit/exec-accumulator-modes.test.ts (CPU) and tests/gpu/exec-accumulator-modes.test.ts
// (WebGPU): small QDQ models fused for integer execution, the accumulator / requantize settings to
// try, and an oracle that recomputes one integer node with a direct call of the kernel references
// (conv2d-int8.ref, dense-int8.ref, requantize.ref) from the values the interpreter computed.
import type { AccumulatorStats, ExecSettings } from '../../app/exec/cpu/op-types.js';
import { attrFloat, attrInt, attrInts, attrString } from '../../app/model/attributes.js';
import { decodeModel } from '../../app/model/decode.js';
import type { GraphNode, Model } from '../../app/model/ir.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { parseAutoPad, resolveConvGeometry } from '../../kernels/conv2d/conv-geometry.js';
import { conv2dInt8 } from '../../kernels/conv2d-int8/conv2d-int8.ref.js';
import { denseInt8 } from '../../kernels/dense-int8/dense-int8.ref.js';
import type { AccumulatorMode, Int8Data, IntAccumulation } from '../../kernels/quant-math/accumulator.js';
import { qRange } from '../../kernels/quant-math/quant-math.js';
import { type RequantScheme, requantizeTensor } from '../../kernels/requantize/requantize.ref.js';
import { type Tensor, toFloat32, toNumbers } from '../../kernels/tensor.js';
import { type Act, QdqBuilder, randomInput, rng, weightScales } from './fuse-qdq-cases.js';

export const INTEGER_OPS = new Set(['QLinearConv', 'QLinearMatMul', 'QGemm', 'MatMulInteger', 'ConvInteger']);

export interface ModeCase {
  readonly name: string;
  readonly accumulator?: AccumulatorMode;
  readonly requantize?: RequantScheme;
}

/** The curated settings: each accumulator with onnxruntime rounding, and the other roundings. */
export const MODE_CASES: readonly ModeCase[] = [
  { name: 'int32', accumulator: { kind: 'int32' } },
  { name: 'wrap16', accumulator: { kind: 'wrap', bits: 16 } },
  { name: 'sat16', accumulator: { kind: 'saturate', bits: 16 } },
  { name: 'pairwise', accumulator: { kind: 'pairwise-int16-saturate' } },
  { name: 'gemmlowp', accumulator: { kind: 'int32' }, requantize: { kind: 'gemmlowp' } },
  { name: 'tvm-upward', requantize: { kind: 'tvm', rounding: 'UPWARD' } },
  {
    name: 'tvm-tonearest + sat20',
    accumulator: { kind: 'saturate', bits: 20 },
    requantize: { kind: 'tvm', rounding: 'TONEAREST' },
  },
];

/** Random narrow accumulators (wrap / saturate, minBits..maxBits) with a random rounding. */
export function randomModeCases(seed: number, count: number, minBits = 9, maxBits = 24): ModeCase[] {
  const r = rng(seed);
  const schemes: RequantScheme[] = [
    { kind: 'ort' },
    { kind: 'gemmlowp' },
    { kind: 'tvm', rounding: 'UPWARD' },
    { kind: 'tvm', rounding: 'TONEAREST' },
  ];
  return Array.from({ length: count }, () => {
    const bits = minBits + Math.floor(r() * (maxBits - minBits + 1));
    const kind = r() < 0.5 ? 'wrap' : 'saturate';
    const requantize = schemes[Math.floor(r() * schemes.length)];
    return {
      name: `${kind === 'wrap' ? 'wrap' : 'sat'}${bits} ${requantize.kind}${requantize.kind === 'tvm' ? `-${requantize.rounding}` : ''}`,
      accumulator: { kind, bits },
      requantize,
    };
  });
}

/**
 * Random 8..12-bit accumulators: on the blocks below most accumulators overflow (the wrap or the
 * clamps change the value), so backends that differ in any overflow detail disagree.
 */
export function overflowingModeCases(seed: number, count: number): ModeCase[] {
  return randomModeCases(seed, count, 8, 12);
}

/** Accumulators that overflowed over all nodes, and accumulators computed. */
export function overflowShare(stats: ReadonlyMap<string, AccumulatorStats>): {
  overflows: number;
  count: number;
} {
  let overflows = 0;
  let count = 0;
  for (const s of stats.values()) {
    overflows += s.overflowCount;
    count += s.count;
  }
  return { overflows, count };
}

/** Settings for a case that record every node's statistics into `stats`. */
export function settingsFor(c: ModeCase, stats: Map<string, AccumulatorStats>): ExecSettings {
  return {
    integerAccumulation: 'exact',
    accumulator: c.accumulator,
    requantize: c.requantize,
    onAccumulatorStats: (node, s) => stats.set(node, s),
  };
}

export interface Block {
  readonly name: string;
  readonly model: Model;
  readonly bytes: Uint8Array;
  readonly feeds: Map<string, Tensor>;
}

/**
 * A QDQ block in quantize_static's layout: 3x3 conv (16 -> 16, K = 144: 16-bit sums overflow
 * often), depthwise 3x3, pointwise 1x1, QGemm with and without requantize, QLinearMatMul and
 * MatMulInteger (a MatMul without a Q after it). Inputs span the whole activation range.
 */
export function accumulatorBlock(act: Act, perChannel: boolean, seed: number): Block {
  const r = rng(seed);
  const b = new QdqBuilder(act, r);
  const conv = (
    x: { dq: string; scale: number },
    wDims: number[],
    attrs: Record<string, number | number[]>,
    out: { scale: number; zp: number },
  ) => {
    const w = b.weight(wDims, perChannel);
    const bias = b.bias(
      wDims[0],
      weightScales(b, w).map((s) => Math.fround(x.scale * s)),
    );
    return { ...b.qdq(b.op('Conv', [x.dq, w, bias], attrs), out.scale, out.zp), scale: out.scale };
  };
  const sx = 4 / 255;
  const x = { ...b.qdq('x', sx, b.zp()), scale: sx };
  const c1 = conv(x, [16, 16, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }, { scale: 0.3, zp: b.zp(true) });
  const dw = conv(c1, [16, 1, 3, 3], { pads: [1, 1, 1, 1], group: 16 }, { scale: 0.2, zp: b.zp() });
  const pw = conv(dw, [8, 16, 1, 1], {}, { scale: 0.1, zp: b.zp() });
  const flat = { ...b.qdq(b.op('Flatten', [pw.dq], { axis: 1 }), 0.1, b.zp()), scale: 0.1 };
  const fcW = b.weight([12, 128], perChannel, 0);
  const fcBias = b.bias(
    12,
    weightScales(b, fcW).map((s) => Math.fround(flat.scale * s)),
  );
  // alpha stays 1: onnxruntime 1.30 (and fuse-qdq.ts after it) leaves a QDQ Gemm with a bias and
  // alpha != 1 in float, and this block is here to exercise the integer kernels.
  const fc = b.qdq(b.op('Gemm', [flat.dq, fcW, fcBias], { transB: 1 }), 0.1, b.zp());
  const mm = b.qdq(b.op('MatMul', [fc.dq, b.weight([12, 6], false)]), 0.2, b.zp());
  b.nodes.push({ op: 'MatMul', inputs: [mm.dq, b.weight([6, 5], false)], outputs: ['y'] });
  b.nodes.push({ op: 'Gemm', inputs: [fc.dq, b.weight([12, 4], perChannel, 1)], outputs: ['z'] });
  const bytes = b.model(
    [{ name: 'x', dtype: 'float32', dims: [1, 16, 8, 8] }],
    [
      { name: 'y', dtype: 'float32' },
      { name: 'z', dtype: 'float32' },
    ],
  );
  const model = fuseQdqForIntegerExecution(decodeModel(bytes));
  const feeds = new Map([['x', randomInput(rng(seed * 7 + 1), [1, 16, 8, 8], 2.5)]]);
  return {
    name: `act=${act} ${perChannel ? 'per-channel' : 'per-tensor'} seed ${seed}`,
    model,
    bytes,
    feeds,
  };
}

/** Every value a node of the model computes (so each integer node's inputs and output are known). */
export function producedValues(model: Model): string[] {
  return model.graph.nodes.flatMap((n) => n.outputs).filter(Boolean);
}

export interface NodeOracle {
  readonly mode: AccumulatorMode;
  /** The node's output data (int32 accumulators, 8-bit values or QGemm's float output). */
  readonly output: ArrayLike<number>;
  readonly stats: AccumulatorStats;
}

/**
 * The mode a node should run with, written out independently of app/exec/accumulator-stats.ts:
 * a chosen int32 / wrap / saturate applies everywhere; pairwise only to uint8 x int8 QLinearConv
 * (not depthwise), QLinearMatMul, MatMulInteger and QGemm, as onnxruntime's MLAS on AVX2.
 */
export function expectedMode(c: ModeCase, node: GraphNode, x: Tensor, w: Tensor): AccumulatorMode {
  const m = c.accumulator ?? { kind: 'int32' };
  if (m.kind !== 'pairwise-int16-saturate') return m;
  const depthwise = node.opType.includes('Conv') && w.dims[1] === 1 && w.dims[0] === attrInt(node, 'group');
  const pairs = x.dtype === 'uint8' && w.dtype === 'int8' && node.opType !== 'ConvInteger' && !depthwise;
  return pairs ? m : { kind: 'int32' };
}

/** The largest |acc| of a mode, spelled out (the pairwise limit is per pair of products). */
function limitOf(mode: AccumulatorMode): number {
  if (mode.kind === 'int32') return 2147483647;
  if (mode.kind === 'pairwise-int16-saturate') return 32767;
  return 2 ** (mode.bits - 1) - 1;
}

function statsOf(mode: AccumulatorMode, r: IntAccumulation): AccumulatorStats {
  return {
    overflowCount: r.overflowCount.reduce((a, b) => a + b, 0),
    maxAbs: Math.min(2 ** 32 - 1, Math.max(0, ...r.maxAbs)),
    limit: limitOf(mode),
    count: r.acc.length,
  };
}

const nonEmpty = (v: readonly number[] | undefined) => (v?.length ? v : undefined);
const scalar = (t: Tensor | undefined) => (t?.data.length ? toNumbers(t)[0] : 0);

/** Recomputes one integer node with the kernel references. `v` looks values up by name. */
export function nodeOracle(
  c: ModeCase,
  node: GraphNode,
  v: (name: string) => Tensor | undefined,
): NodeOracle {
  const inp = (i: number) => (node.inputs[i] ? v(node.inputs[i]) : undefined);
  const op = node.opType;
  const [xi, wi] = op === 'ConvInteger' || op === 'MatMulInteger' ? [0, 1] : [0, 3];
  const x = inp(xi)!;
  const w = inp(wi)!;
  const mode = expectedMode(c, node, x, w);
  const rqOut = (acc: IntAccumulation, axis: number, sx: number, sw: Tensor, sy: number, zy: Tensor) =>
    requantizeTensor({
      scheme: c.requantize,
      acc: acc.acc,
      dims: acc.dims,
      channelAxis: axis,
      inputScale: sx,
      weightScale: toFloat32(sw),
      outputScale: sy,
      outputZeroPoint: scalar(zy),
      ...qRange(zy.dtype as 'int8' | 'uint8'),
    });
  if (op === 'QLinearConv' || op === 'ConvInteger') {
    const qlinear = op === 'QLinearConv';
    const bias = qlinear ? inp(8) : undefined;
    const wzp = qlinear ? inp(5) : inp(3);
    const acc = conv2dInt8({
      x: x.data as Int8Data,
      xDims: x.dims,
      w: w.data as Int8Data,
      wDims: w.dims,
      xZeroPoint: scalar(inp(2)),
      wZeroPoint: wzp?.data.length ? toNumbers(wzp) : undefined,
      bias: bias?.data as Int32Array | undefined,
      group: attrInt(node, 'group'),
      ...resolveConvGeometry({
        inputSpatial: x.dims.slice(2),
        kernelSpatial: w.dims.slice(2),
        strides: nonEmpty(attrInts(node, 'strides')),
        dilations: nonEmpty(attrInts(node, 'dilations')),
        pads: nonEmpty(attrInts(node, 'pads')),
        autoPad: parseAutoPad(attrString(node, 'auto_pad')),
      }),
      accumulator: mode,
      kOrder: mode.kind === 'pairwise-int16-saturate' ? 'hwc' : 'chw',
    });
    const output = qlinear ? rqOut(acc, 1, scalar(inp(1)), inp(4)!, scalar(inp(6)), inp(7)!) : acc.acc;
    return { mode, output, stats: statsOf(mode, acc) };
  }
  if (op === 'QLinearMatMul' || op === 'MatMulInteger') {
    const qlinear = op === 'QLinearMatMul';
    const [za, zb] = qlinear ? [inp(2), inp(5)] : [inp(2), inp(3)];
    const acc = denseInt8({
      a: x.data as Int8Data,
      aDims: x.dims,
      b: w.data as Int8Data,
      bDims: w.dims,
      aZeroPoint: za?.data.length ? toNumbers(za) : undefined,
      bZeroPoint: zb?.data.length ? toNumbers(zb) : undefined,
      accumulator: mode,
    });
    const output = qlinear
      ? rqOut(acc, acc.dims.length - 1, scalar(inp(1)), inp(4)!, scalar(inp(6)), inp(7)!)
      : acc.acc;
    return { mode, output, stats: statsOf(mode, acc) };
  }
  if (op === 'QGemm') {
    // The fused Gemm: no transA, a per-column int32 bias, transB as given.
    if (attrInt(node, 'transA') !== 0) throw new Error('oracle: QGemm with transA');
    const transB = attrInt(node, 'transB') !== 0;
    const bias = inp(6);
    const acc = denseInt8({
      a: x.data as Int8Data,
      aDims: x.dims,
      b: w.data as Int8Data,
      bDims: w.dims,
      transB,
      aZeroPoint: scalar(inp(2)),
      bZeroPoint: toNumbers(inp(5)!),
      bias: bias ? toNumbers(bias) : undefined,
      accumulator: mode,
    });
    const sx = Math.fround(Math.fround(attrFloat(node, 'alpha')) * Math.fround(scalar(inp(1))));
    const yScale = inp(7);
    if (yScale)
      return { mode, output: rqOut(acc, 1, sx, inp(4)!, scalar(yScale), inp(8)!), stats: statsOf(mode, acc) };
    const sb = toFloat32(inp(4)!);
    const n = acc.dims[1];
    const output = Float32Array.from(acc.acc, (a, i) =>
      Math.fround(Math.fround(a) * Math.fround(sx * sb[sb.length === 1 ? 0 : i % n])),
    );
    return { mode, output, stats: statsOf(mode, acc) };
  }
  throw new Error(`oracle: not an integer node: ${op}`);
}
