// The graph passes onnxruntime runs before it fuses QDQ groups (graph_transformer_utils.cc):
// Level 1: ConstantFolding of Q(constant), EnsureUniqueDQForNodeUnit, WeightBiasQuantization (float Conv bias -> int32 + DQ);
// Level 2: ReluQuantFusion / ClipQuantFusion, then QDQS8ToU8Transformer (on x86, where int8
// activations are not allowed in QLinearConv/QLinearMatMul). None of them changes a number the
// graph computes except the bias quantization, which onnxruntime does too.
import { isQuantDType, qRange, quantizeValue, roundHalfEven } from '../../kernels/quant-math/quant-math.js';
import { allocData, elementAsNumber, type Tensor } from '../../kernels/tensor.js';
import type { EditableGraph, EditNode } from './qdq-graph.js';
import { isScalarShape, quantizeOutputType as qOutputTypeOf, scalarTensorOf } from './qdq-graph.js';
import { castFloatToInt32X86, clipConstantMinMax, isDQ, isQ } from './qdq-select.js';

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
      const copy: EditNode = { ...dq, name: g.freshName(`${dq.name}/duplicated`), inputs: [...dq.inputs], outputs: [name] };
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
 * WeightBiasQuantization for Conv whose input and weight come from DQ and whose float bias is a
 * 1-D initializer: bias_int32 = Cast(Round(bias / f32(x_scale * w_scale))) behind a new DQ.
 * onnxruntime builds Mul/Div/Round/Cast nodes and constant-folds them; we fold directly, so the
 * scales must be constants here. (Gemm is left alone: we do not fuse Gemm, see fuse-qdq.ts.)
 */
export function quantizeConvBias(g: EditableGraph): void {
  for (const conv of g.sortedNodes()) {
    if (conv.opType !== 'Conv' || conv.domain !== '') continue;
    const dqX = g.producer(conv.inputs[0]);
    const dqW = g.producer(conv.inputs[1]);
    const biasName = conv.inputs[2];
    if (!dqX || dqX.opType !== 'DequantizeLinear' || !dqW || dqW.opType !== 'DequantizeLinear' || !biasName) continue;
    const xScale = g.constant(dqX.inputs[1]);
    const wScale = g.constant(dqW.inputs[1]);
    const bias = g.constant(biasName);
    if (!xScale || !isScalarShape(xScale) || !wScale || !bias || bias.dims.length !== 1 || bias.dtype !== 'float32') continue;
    if (!leadsToQuantize(g, conv)) continue;
    const perTensor = isScalarShape(wScale);
    if (!perTensor) {
      if (wScale.dims.length !== 1 || wScale.dims[0] !== bias.dims[0]) continue;
      const block = dqW.attributes.block_size;
      if (block?.kind === 'int' && block.value !== 0) continue;
      const axisAttr = dqW.attributes.axis;
      // onnxruntime reads a missing axis as 1 here, which is not Conv's output-channel axis.
      let axis = axisAttr?.kind === 'int' ? axisAttr.value : 1;
      const wRank = g.constant(dqW.inputs[0])?.dims.length;
      if (axis < 0 && wRank !== undefined) axis += wRank;
      if (axis !== 0) continue;
    }
    const n = bias.dims[0];
    const sx = elementAsNumber(xScale, 0);
    const biasScale = new Float32Array(perTensor ? 1 : n);
    for (let i = 0; i < biasScale.length; i++) biasScale[i] = Math.fround(sx * elementAsNumber(wScale, i));
    const q = allocData('int32', n) as Int32Array;
    for (let i = 0; i < n; i++) {
      const s = biasScale[perTensor ? 0 : i];
      q[i] = castFloatToInt32X86(roundHalfEven(Math.fround(elementAsNumber(bias, i) / s)));
    }
    const scaleTensor: Tensor = { dtype: 'float32', dims: perTensor ? [...wScale.dims] : [n], data: biasScale };
    const intName = g.addInitializer(`${conv.name}_bias_int32`, { dtype: 'int32', dims: [n], data: q });
    const scaleName = g.addInitializer(`${conv.name}_bias_scale`, scaleTensor);
    const dqOut = g.freshName(`${conv.name}_bias_dq`);
    const dq: EditNode = {
      name: g.freshName(`${conv.name}_bias_dq`),
      opType: 'DequantizeLinear',
      domain: '',
      inputs: [intName, scaleName],
      outputs: [dqOut],
      attributes: perTensor ? {} : { axis: { kind: 'int', value: 0 } },
    };
    g.insertBefore(conv, dq);
    conv.inputs[2] = dqOut;
  }
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
      if (!mm || !scale || scale.dims.length !== 0 || scale.dtype !== 'float32' || zp.dims.length !== 0) continue;
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
  if (!qz || !dz || qz.data.length !== 1 || dz.data.length !== 1 || qz.dtype !== 'int8' || dz.dtype !== 'int8') return;
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
    const axis = s.data.length === 1 ? -1 : ((axisAttr?.kind === 'int' ? axisAttr.value : 1) + x.dims.length) % x.dims.length;
    const inner = axis < 0 ? 1 : x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const channels = axis < 0 ? 1 : x.dims[axis];
    const out = allocData(dtype, x.data.length);
    for (let i = 0; i < x.data.length; i++) {
      const c = axis < 0 ? 0 : Math.floor(i / inner) % channels;
      out[i] = quantizeValue(elementAsNumber(x, i), elementAsNumber(s, c), zp ? elementAsNumber(zp, c) : 0, qmin, qmax);
    }
    g.initializers.set(q.outputs[0], { dtype, dims: [...x.dims], data: out });
    g.remove(q);
  }
}
