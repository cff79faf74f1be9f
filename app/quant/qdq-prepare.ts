// The graph passes onnxruntime runs before it fuses QDQ groups (graph_transformer_utils.cc):
// Level 1: DoubleQDQPairsRemover, ConstantFolding of Q(constant), EnsureUniqueDQForNodeUnit,
// WeightBiasQuantization (float Conv/Gemm weight -> int8 + DQ, float bias -> int32 + DQ);
// Level 2: ReluQuantFusion / ClipQuantFusion, then QDQS8ToU8Transformer (on x86, where int8
// activations are not allowed in QLinearConv/QLinearMatMul). None of them changes a number the
// graph computes except the weight/bias quantization and the double-pair collapse, which
// onnxruntime does too.
import {
  isQuantDType,
  qRange,
  quantizeValue,
  roundHalfAwayFromZero,
  roundHalfEven,
} from '../../kernels/quant-math/quant-math.js';
import { allocData, elementAsNumber, type Tensor } from '../../kernels/tensor.js';
import type { EditableGraph, EditNode } from './qdq-graph.js';
import { isScalarShape, quantizeOutputType as qOutputTypeOf, scalarTensorOf } from './qdq-graph.js';
import { castFloatToInt32X86, clipConstantMinMax, isDQ, isQ, isQdqPairSupported } from './qdq-select.js';

/** EnsureUniqueDQForNodeUnit: a DQ read by several inputs gets one copy per extra reader. */
export function ensureUniqueDq(g: EditableGraph): void {
  for (const dq of g.sortedNodes()) {
    if (!isDQ(g, dq)) continue;
    const out = dq.outputs[0];
    const uses = g.uses(out);
    const isOutput = g.isGraphOutput(out);
    if (uses.length === 0 || (uses.length === 1 && !isOutput)) continue;
    // The original keeps its first reader unless it is also a graph output.
    for (const use of isOutput ? uses : uses.slice(1)) {
      const name = g.freshName(`${out}/duplicated`);
      const copy: EditNode = {
        ...dq,
        name: g.freshName(`${dq.name}/duplicated`),
        inputs: [...dq.inputs],
        outputs: [name],
      };
      g.insertBefore(dq, copy);
      use.node.inputs[use.index] = name;
    }
  }
}

/** Follows the single-reader path through Relu/Clip: does it end in a QuantizeLinear? */
function leadsToQuantize(g: EditableGraph, node: EditNode): boolean {
  let current = node;
  for (;;) {
    if (current.outputs.length !== 1) return false;
    const uses = g.uses(current.outputs[0]);
    if (uses.length !== 1) return false;
    const next = uses[0].node;
    if (next.opType === 'QuantizeLinear') return true;
    if (next.opType !== 'Relu' && next.opType !== 'Clip') return false;
    current = next;
  }
}

/**
 * WeightBiasQuantization for Conv and Gemm whose input comes from a per-tensor DQ and whose output
 * leads (through Relu/Clip) to a Q. onnxruntime 1.30 does this only then (observed: without a Q
 * after the node, its optimized graph keeps float weights and bias).
 * - A float32 weight initializer becomes int8 per tensor over its range widened to 0:
 *   s = f32((max - min) / 255) (1 when max = min), zp = roundHalfEven(clamp(-128 - min / s)),
 *   q = Q(w) as the QuantizeLinear kernel computes it (then the Q node is constant-folded).
 * - A 1-D float bias initializer becomes int32: Cast(Round(bias / f32(x_scale * w_scale))) behind
 *   a new DQ (per channel when the weight is: axis 0 for Conv, for Gemm the weight's N axis).
 * onnxruntime builds Mul/Div/Round/Cast (and Q) nodes and constant-folds them; we fold directly,
 * so the scales must be constants here.
 */
export function quantizeWeightsAndBias(g: EditableGraph): void {
  for (const node of g.sortedNodes()) {
    if ((node.opType !== 'Conv' && node.opType !== 'Gemm') || node.domain !== '') continue;
    const dqX = g.producer(node.inputs[0]);
    if (!dqX || dqX.opType !== 'DequantizeLinear') continue;
    const xScale = g.constant(dqX.inputs[1]);
    if (!xScale || !isScalarShape(xScale) || !leadsToQuantize(g, node)) continue;
    const producerW = g.producer(node.inputs[1]);
    let dqW = producerW?.opType === 'DequantizeLinear' ? producerW : undefined;
    const floatWeight = dqW ? undefined : g.constant(node.inputs[1]);
    if (!dqW && floatWeight?.dtype !== 'float32') continue;
    const biasName = node.inputs[2];
    const bias = biasName ? g.constant(biasName) : undefined;
    if (biasName && (!bias || bias.dims.length !== 1)) continue;
    if (dqW && !bias) continue;
    if (bias && bias.dtype !== 'float32') continue;
    const wScale = dqW ? g.constant(dqW.inputs[1]) : undefined;
    if (dqW && !wScale) continue;
    const perTensor = !wScale || isScalarShape(wScale);
    if (!perTensor && !perChannelAxisMatches(node, dqW!, wScale!, bias)) continue;
    if (floatWeight) dqW = quantizeFloatWeight(g, node, floatWeight);
    if (bias) quantizeBias(g, node, elementAsNumber(xScale, 0), g.constant(dqW!.inputs[1])!, bias, perTensor);
  }
}

/** Per-channel weight scales: one per bias value, no blocks, on the output-channel axis. */
function perChannelAxisMatches(
  node: EditNode,
  dqW: EditNode,
  wScale: Tensor,
  bias: Tensor | undefined,
): boolean {
  if (!bias || wScale.dims.length !== 1 || wScale.dims[0] !== bias.dims[0]) return false;
  if (dqW.attributes.block_size !== undefined) return false;
  const axisAttr = dqW.attributes.axis;
  // onnxruntime reads a missing axis as 1 here and compares it as written (no negative axes).
  const axis = axisAttr?.kind === 'int' ? axisAttr.value : 1;
  const transB = node.attributes.transB;
  const expected = node.opType === 'Gemm' ? (transB?.kind === 'int' && transB.value !== 0 ? 0 : 1) : 0;
  return axis === expected;
}

function quantizeFloatWeight(g: EditableGraph, node: EditNode, w: Tensor): EditNode {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < w.data.length; i++) {
    const v = elementAsNumber(w, i);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // GetQuantizationParameter<int8_t> (asymmetric despite onnxruntime's comment; observed zero
  // points are nonzero for lopsided weights), all in float32.
  const f = Math.fround;
  const scale = hi === lo ? 1 : f(f(hi - lo) / 255);
  const zpFloat = f(-128 - f(lo / scale));
  const zp = roundHalfEven(Math.max(-128, Math.min(127, zpFloat)));
  const q = allocData('int8', w.data.length) as Int8Array;
  for (let i = 0; i < q.length; i++) q[i] = quantizeValue(elementAsNumber(w, i), scale, zp, -128, 127);
  const qName = g.addInitializer(`${node.name}_weight_q`, { dtype: 'int8', dims: [...w.dims], data: q });
  const sName = g.addInitializer(`${node.name}_weight_scale`, scalarTensorOf('float32', scale));
  const zName = g.addInitializer(`${node.name}_weight_zp`, scalarTensorOf('int8', zp));
  const dq: EditNode = {
    name: g.freshName(`${node.name}_weight_dq`),
    opType: 'DequantizeLinear',
    domain: '',
    inputs: [qName, sName, zName],
    outputs: [g.freshName(`${node.name}_weight_dq`)],
    attributes: {},
  };
  g.insertBefore(node, dq);
  node.inputs[1] = dq.outputs[0];
  return dq;
}

function quantizeBias(
  g: EditableGraph,
  node: EditNode,
  sx: number,
  wScale: Tensor,
  bias: Tensor,
  perTensor: boolean,
): void {
  const n = bias.dims[0];
  const biasScale = new Float32Array(perTensor ? 1 : n);
  for (let i = 0; i < biasScale.length; i++) biasScale[i] = Math.fround(sx * elementAsNumber(wScale, i));
  const q = allocData('int32', n) as Int32Array;
  for (let i = 0; i < n; i++) {
    const s = biasScale[perTensor ? 0 : i];
    q[i] = castFloatToInt32X86(roundHalfEven(Math.fround(elementAsNumber(bias, i) / s)));
  }
  const scaleTensor: Tensor = { dtype: 'float32', dims: perTensor ? [...wScale.dims] : [n], data: biasScale };
  const intName = g.addInitializer(`${node.name}_bias_int32`, { dtype: 'int32', dims: [n], data: q });
  const scaleName = g.addInitializer(`${node.name}_bias_scale`, scaleTensor);
  const dq: EditNode = {
    name: g.freshName(`${node.name}_bias_dq`),
    opType: 'DequantizeLinear',
    domain: '',
    inputs: [intName, scaleName],
    outputs: [g.freshName(`${node.name}_bias_dq`)],
    attributes: perTensor ? {} : { axis: { kind: 'int', value: 0 } },
  };
  g.insertBefore(node, dq);
  node.inputs[2] = dq.outputs[0];
}

/**
 * ReluQuantFusion and ClipQuantFusion: a Relu (or Clip) whose only reader is a Q that clips at
 * least as much is removed. Relu: the Q's zero point is the type's minimum. Clip: its range covers
 * the Q's representable range to within float epsilon.
 */
export function removeActivationBeforeQuantize(g: EditableGraph): void {
  for (const node of g.sortedNodes()) {
    if (node.domain !== '' || (node.opType !== 'Relu' && node.opType !== 'Clip')) continue;
    if (!g.nodes.includes(node)) continue;
    const out = node.outputs[0];
    const uses = g.uses(out);
    if (uses.length !== 1 || g.isGraphOutput(out)) continue;
    const q = uses[0].node;
    if (q.opType !== 'QuantizeLinear' || q.domain !== '' || q.inputs.length !== 3) continue;
    const zp = g.constant(q.inputs[2]);
    if (!zp) continue;
    if (node.opType === 'Relu') {
      if (zp.data.length !== 1) continue;
      const z = elementAsNumber(zp, 0);
      if ((zp.dtype === 'int8' && z !== -128) || (zp.dtype === 'uint8' && z !== 0)) continue;
    } else {
      const mm = clipConstantMinMax(g, node);
      const scale = g.constant(q.inputs[1]);
      if (!mm || !scale || scale.dims.length !== 0 || scale.dtype !== 'float32' || zp.dims.length !== 0)
        continue;
      if (zp.dtype !== 'int8' && zp.dtype !== 'uint8') continue;
      const s = elementAsNumber(scale, 0);
      const z = elementAsNumber(zp, 0);
      const [qmin, qmax] = zp.dtype === 'int8' ? [-128, 127] : [0, 255];
      const lower = Math.fround(s * (qmin - z));
      const upper = Math.fround(s * (qmax - z));
      const eps = 2 ** -23;
      if (eps < Math.fround(mm[0] - lower) || eps < Math.fround(upper - mm[1])) continue;
    }
    q.inputs[0] = node.inputs[0];
    g.remove(node);
  }
}

/**
 * QDQS8ToU8Transformer: an int8 Q -> DQ pair (Q read only by that DQ) becomes uint8 with zero
 * point + 128, which quantizes to exactly q + 128. Numbers are unchanged; what changes is which
 * groups the x86 selectors accept (QLinearConv / QLinearMatMul need uint8 activations there).
 * Constant int8 weights stay int8 (onnxruntime converts them only in its opt-in AVX2 precision mode),
 * which matters: u8 x s8 products go through the saturating VPMADDUBSW path on AVX2/AVX512BW CPUs.
 */
export function convertS8ToU8(g: EditableGraph): void {
  for (const node of g.sortedNodes()) {
    if (!g.nodes.includes(node) || !isQ(g, node)) continue;
    const uses = g.uses(node.outputs[0]);
    if (uses.length !== 1 || g.isGraphOutput(node.outputs[0])) continue;
    const dq = uses[0].node;
    if (isDQ(g, dq)) convertPair(g, node, dq);
  }
}

function convertPair(g: EditableGraph, q: EditNode, dq: EditNode): void {
  if (q.inputs.length !== 3 || dq.inputs.length !== 3) return;
  const qz = g.constant(q.inputs[2]);
  const dz = g.constant(dq.inputs[2]);
  if (
    !qz ||
    !dz ||
    qz.data.length !== 1 ||
    dz.data.length !== 1 ||
    qz.dtype !== 'int8' ||
    dz.dtype !== 'int8'
  )
    return;
  const qv = (elementAsNumber(qz, 0) + 128) & 0xff;
  const dv = (elementAsNumber(dz, 0) + 128) & 0xff;
  if (qv !== dv) return;
  const zp = g.addInitializer('qdq_s8_to_u8_zp_conversion', scalarTensorOf('uint8', qv));
  const out = g.freshName('qdq_s8_to_u8_quant');
  q.outputs[0] = out;
  dq.inputs[0] = out;
  q.inputs[2] = zp;
  dq.inputs[2] = zp;
}

/**
 * ConstantFolding (Level 1) computes QuantizeLinear of constant tensors (onnxruntime keeps
 * DequantizeLinear unfolded in QDQ models, so DQ(weight) survives for the fusions).
 */
export function foldConstantQuantize(g: EditableGraph): void {
  for (const q of g.sortedNodes()) {
    if (!isQ(g, q) || g.isGraphOutput(q.outputs[0])) continue;
    const x = g.constant(q.inputs[0]);
    const s = g.constant(q.inputs[1]);
    const zp = q.inputs[2] ? g.constant(q.inputs[2]) : undefined;
    if (!x || !s || (q.inputs[2] && !zp) || x.dtype !== 'float32') continue;
    const block = q.attributes.block_size;
    if (block?.kind === 'int' && block.value !== 0) continue;
    const dtype = zp?.dtype ?? qOutputTypeOf(g, q);
    if (!dtype || !isQuantDType(dtype)) continue;
    const { qmin, qmax } = qRange(dtype);
    const axisAttr = q.attributes.axis;
    const axis =
      s.data.length === 1
        ? -1
        : ((axisAttr?.kind === 'int' ? axisAttr.value : 1) + x.dims.length) % x.dims.length;
    const inner = axis < 0 ? 1 : x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const channels = axis < 0 ? 1 : x.dims[axis];
    const out = allocData(dtype, x.data.length);
    for (let i = 0; i < x.data.length; i++) {
      const c = axis < 0 ? 0 : Math.floor(i / inner) % channels;
      out[i] = quantizeValue(
        elementAsNumber(x, i),
        elementAsNumber(s, c),
        zp ? elementAsNumber(zp, c) : 0,
        qmin,
        qmax,
      );
    }
    g.initializers.set(q.outputs[0], { dtype, dims: [...x.dims], data: out });
    g.remove(q);
  }
}

/**
 * DoubleQDQPairsRemover (the first Level-1 pass): Q1 -> DQ1 -> Q2 -> DQ2, each node read only by
 * the next and none a graph output, with DQ1/Q2 of one type and each pair a supported one
 * (IsQDQPairSupported), collapses to Q1 -> DQ2 with new parameters for the intersection of the two
 * ranges, in onnxruntime's float32 arithmetic:
 *   real_min = max((qmin - z1) * s1, (qmin - z2) * s2), real_max = min((qmax - z1) * s1, (qmax - z2) * s2)
 *   s = (real_max - real_min) / (qmax - qmin),  z = (T) std::round(qmin - real_min / s)
 * This changes numbers (one rounding instead of two), so it must be reproduced.
 */
export function removeDoubleQdqPairs(g: EditableGraph): void {
  for (const dq1 of g.sortedNodes()) {
    if (!g.nodes.includes(dq1) || !isDQ(g, dq1) || dq1.inputs.length !== 3 || !dq1.inputs[2]) continue;
    const q1 = g.producer(dq1.inputs[0]);
    if (!isQ(g, q1) || !singleReader(g, q1) || !singleReader(g, dq1)) continue;
    const q2 = g.uses(dq1.outputs[0])[0].node;
    if (!isQ(g, q2) || q2.inputs.length !== 3 || !q2.inputs[2] || !singleReader(g, q2)) continue;
    const dq2 = g.uses(q2.outputs[0])[0].node;
    if (!isDQ(g, dq2)) continue;
    const z1 = g.constant(dq1.inputs[2]);
    const z2 = g.constant(q2.inputs[2]);
    if (!z1 || !z2 || z1.dtype !== z2.dtype || (z1.dtype !== 'uint8' && z1.dtype !== 'int8')) continue;
    if (!isQdqPairSupported(g, q1, dq1) || !isQdqPairSupported(g, q2, dq2)) continue;
    const s1 = g.constant(dq1.inputs[1])!;
    const s2 = g.constant(q2.inputs[1])!;
    if (s1.dtype !== 'float32' || s2.dtype !== 'float32') continue;
    const [qmin, qmax] = z1.dtype === 'uint8' ? [0, 255] : [-128, 127];
    const f = Math.fround;
    const a = elementAsNumber(s1, 0);
    const b = elementAsNumber(s2, 0);
    const za = elementAsNumber(z1, 0);
    const zb = elementAsNumber(z2, 0);
    const realMin = Math.max(f((qmin - za) * a), f((qmin - zb) * b));
    const realMax = Math.min(f((qmax - za) * a), f((qmax - zb) * b));
    const scale = f(f(realMax - realMin) / (qmax - qmin));
    const zFloat = roundHalfAwayFromZero(f(qmin - f(realMin / scale)));
    // static_cast<T>(float): through int32 on x86, keeping the low byte.
    const zInt = castFloatToInt32X86(zFloat);
    const zp = z1.dtype === 'uint8' ? zInt & 0xff : (zInt << 24) >> 24;
    for (const node of [q1, dq2]) {
      node.inputs[1] = g.addInitializer(
        `DoubleQDQRemoved_${node.inputs[1]}`,
        scalarTensorOf('float32', scale),
      );
      node.inputs[2] = g.addInitializer(`DoubleQDQRemoved_${node.inputs[2]}`, scalarTensorOf(z1.dtype, zp));
    }
    dq2.inputs[0] = q1.outputs[0];
    g.remove(dq1, q2);
  }
}

/** One reader (a node input, not a graph output) of the node's only output. */
function singleReader(g: EditableGraph, node: EditNode): boolean {
  return (
    node.outputs.length === 1 && !g.isGraphOutput(node.outputs[0]) && g.uses(node.outputs[0]).length === 1
  );
}
