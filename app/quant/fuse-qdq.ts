// The `--integer` rewrite: fuse QDQ groups into integer kernels the way onnxruntime's CPU provider
// does with graphOptimizationLevel 'all', so the CPU interpreter computes the same numbers.
// Order as in onnxruntime: Constant nodes as initializers, static Shape folding and ReshapeFusion of
// the Shape->Gather->Unsqueeze->Concat->Reshape head (qdq-fold.ts),
// DoubleQDQPairsRemover, EnsureUniqueDQ, weight/bias quantization,
// Relu/Clip->Q removal, int8->uint8 pairs (x86), then the selector/action rules
// (QDQSelectorActionTransformer):
//   drop Q/DQ around data-movement ops (Reshape, Transpose, MaxPool, Slice, Split, Gather,
//   DepthToSpace, ...), DQ->ArgMax,
//   DQ->Conv->Q => QLinearConv, DQ->MatMul->Q => QLinearMatMul,
//   DQ->MatMul (no Q) => MatMulIntegerToFloat, written as MatMulInteger -> Cast -> Mul,
//   DQ(A), DQ(B), DQ(bias int32)? -> Gemm -> Q? => com.microsoft QGemm (float output without Q),
//   DQ->Add/Mul->Q, DQ->{AveragePool,GlobalAveragePool,LeakyRelu,Sigmoid,Softmax}->Q, DQ*->Concat->Q
//   => the com.microsoft QLinear ops.
// Left as DQ -> op -> Q (float between them), as onnxruntime 1.30's CPU provider leaves them
// (measured in its optimized-model dump): ConvTranspose (no QLinearConvTranspose on CPU), Pad,
// SpaceToDepth, LayerNormalization, InstanceNormalization.
// Not reproduced: Q/DQ propagation across
// data-movement ops without their own Q/DQ (see the report in the commit log).
import type { Model } from '../model/ir.js';
import { foldStaticShapes } from './qdq-fold.js';
import { EditableGraph, type EditNode, scalarTensorOf } from './qdq-graph.js';
import {
  convertS8ToU8,
  ensureUniqueDq,
  foldConstantQuantize,
  quantizeWeightsAndBias,
  removeActivationBeforeQuantize,
  removeDoubleQdqPairs,
} from './qdq-prepare.js';
import {
  checkQdqNodes,
  dqInputType,
  findQdqGroup,
  hasPositiveConstantScale,
  is16Bit,
  isDqSupported,
  isQdqPairSupported,
  type QdqGroup,
  qOutputType,
} from './qdq-select.js';

export function fuseQdqForIntegerExecution(model: Model): Model {
  const g = new EditableGraph(model);
  foldStaticShapes(g, model);
  removeDoubleQdqPairs(g);
  foldConstantQuantize(g);
  ensureUniqueDq(g);
  quantizeWeightsAndBias(g);
  removeActivationBeforeQuantize(g);
  convertS8ToU8(g);
  for (const node of g.sortedNodes()) {
    if (g.nodes.includes(node) && node.domain === '') applyRule(g, node);
  }
  const msDomain = g.nodes.some((n) => n.domain === 'com.microsoft');
  const opsets =
    msDomain && !model.opsets.some((o) => o.domain === 'com.microsoft')
      ? [...model.opsets, { domain: 'com.microsoft', version: 1 }]
      : model.opsets;
  return { ...model, opsets, graph: g.toGraph() };
}

const dropQdqOps = new Set([
  'Expand',
  'Flatten',
  'Gather',
  'GatherElements',
  'Reshape',
  'Slice',
  'Squeeze',
  'Tile',
  'Transpose',
  'Unsqueeze',
]);
const unaryOps = new Set(['AveragePool', 'LeakyRelu', 'GlobalAveragePool', 'Sigmoid', 'Softmax']);

function applyRule(g: EditableGraph, node: EditNode): void {
  const op = node.opType;
  if (op === 'Split') return void trySplit(g, node);
  if (dropQdqOps.has(op)) return void tryDropQdq(g, node, { allow16: true, positiveScale: false });
  // onnxruntime 1.30 keeps a linear or cubic Resize float between its Q/DQ (measured: its
  // outputs are the float Resize's, requantized); only nearest, which moves values, runs on 8 bits.
  if (op === 'Resize') {
    const mode = node.attributes.mode;
    if (mode && !(mode.kind === 'string' && mode.value === 'nearest')) return;
    return void tryDropQdq(g, node, { allow16: false, positiveScale: false });
  }
  // onnxruntime 1.30 drops an 8-bit DepthToSpace's Q/DQ but keeps a 16-bit one's, and keeps
  // SpaceToDepth and Pad in float (measured in its optimized-model dump).
  if (op === 'DepthToSpace') return void tryDropQdq(g, node, { allow16: false, positiveScale: false });
  if ((op === 'MaxPool' && g.opset() >= 12 && g.opset() < 22) || op === 'ReduceMax' || op === 'ReduceMin') {
    return void tryDropQdq(g, node, { allow16: false, positiveScale: true });
  }
  if (op === 'ArgMax') return void tryDropDq(g, node);
  if (unaryOps.has(op)) return void tryUnary(g, node);
  if (op === 'Add' || op === 'Mul') return void tryBinary(g, node);
  if (op === 'Where') return void tryWhere(g, node);
  if (op === 'Concat') return void tryConcat(g, node);
  if (op === 'Conv') return void tryConv(g, node);
  if (op === 'MatMul') return void tryMatMul(g, node);
  if (op === 'Gemm') return void tryGemm(g, node);
}

/** The nodes a fused group replaces. */
function groupNodes(node: EditNode, group: QdqGroup): EditNode[] {
  return [...group.dq.map((d) => d.node), node, ...(group.clip ? [group.clip] : []), ...group.q];
}

function tryDropQdq(
  g: EditableGraph,
  node: EditNode,
  opts: { allow16: boolean; positiveScale: boolean },
): boolean {
  const group = findQdqGroup(g, node);
  if (!group || group.clip || !checkQdqNodes(g, node, group, 1)) return false;
  const dq = group.dq[0].node;
  const q = group.q[0];
  const type = dqInputType(g, dq);
  if (group.dq[0].index !== 0 || type !== qOutputType(g, q)) return false;
  if (!opts.allow16 && is16Bit(type)) return false;
  if (opts.positiveScale && !hasPositiveConstantScale(g, q)) return false;
  if (!isQdqPairSupported(g, q, dq)) return false;
  node.inputs[0] = dq.inputs[0];
  node.outputs[0] = q.outputs[0];
  g.remove(dq, q);
  return true;
}

function trySplit(g: EditableGraph, node: EditNode): boolean {
  const group = findQdqGroup(g, node);
  if (!group || group.clip || !checkQdqNodes(g, node, group, 1) || group.dq[0].index !== 0) return false;
  const dq = group.dq[0].node;
  const type = dqInputType(g, dq);
  if (!group.q.every((q) => qOutputType(g, q) === type && isQdqPairSupported(g, q, dq))) return false;
  node.inputs[0] = dq.inputs[0];
  node.outputs = node.outputs.map((o) => group.q.find((q) => q.inputs[0] === o)!.outputs[0]);
  g.remove(dq, ...group.q);
  return true;
}

function tryDropDq(g: EditableGraph, node: EditNode): boolean {
  const group = findQdqGroup(g, node);
  if (!group || group.clip || group.dq.length !== 1 || group.dq[0].index !== 0) return false;
  const dq = group.dq[0].node;
  if (g.isGraphOutput(dq.outputs[0]) || g.uses(dq.outputs[0]).length !== 1) return false;
  if (is16Bit(dqInputType(g, dq)) || !isDqSupported(g, dq)) return false;
  node.inputs[0] = dq.inputs[0];
  g.remove(dq);
  return true;
}

/** SetOptionalZeroPoint: QLinear ops need explicit zero points; missing ones become 0. */
function zeroPointOf(g: EditableGraph, qOrDq: EditNode, isDq: boolean): string {
  if (qOrDq.inputs[2]) return qOrDq.inputs[2];
  const signed = isDq && dqInputType(g, qOrDq) === 'int8';
  return g.addInitializer(
    signed ? 'optional_zero_point_int8' : 'optional_zero_point_uint8',
    scalarTensorOf(signed ? 'int8' : 'uint8', 0),
  );
}

function dqOperands(g: EditableGraph, dq: EditNode): string[] {
  return [dq.inputs[0], dq.inputs[1], zeroPointOf(g, dq, true)];
}

function qOperands(g: EditableGraph, q: EditNode): string[] {
  return [q.inputs[1], zeroPointOf(g, q, false)];
}

function fused(
  g: EditableGraph,
  target: EditNode,
  opType: string,
  domain: string,
  inputs: string[],
  outputs: string[],
): EditNode {
  return {
    name: g.freshName(`${target.name}_quant`),
    opType,
    domain,
    inputs,
    outputs,
    attributes: { ...target.attributes },
  };
}

function softmaxSinceVersion(opset: number): number {
  return opset >= 13 ? 13 : opset >= 11 ? 11 : 1;
}

function tryUnary(g: EditableGraph, node: EditNode): boolean {
  const group = findQdqGroup(g, node);
  if (!group || !checkQdqNodes(g, node, group, 1)) return false;
  const dq = group.dq[0].node;
  const type = dqInputType(g, dq);
  if (type !== qOutputType(g, group.q[0]) || is16Bit(type)) return false;
  const n = fused(
    g,
    node,
    `QLinear${node.opType}`,
    'com.microsoft',
    [...dqOperands(g, dq), ...qOperands(g, group.q[0])],
    [...group.q[0].outputs],
  );
  if (node.opType === 'Softmax') n.attributes.opset = { kind: 'int', value: softmaxSinceVersion(g.opset()) };
  g.replace(node, n, groupNodes(node, group));
  return true;
}

/** WhereSelector: DQ on X and Y (not the bool condition), one Q; 8-bit, one type throughout. */
function tryWhere(g: EditableGraph, node: EditNode): boolean {
  const group = findQdqGroup(g, node);
  if (!group || group.clip || !checkQdqNodes(g, node, group, 2)) return false;
  if (group.dq[0].index !== 1 || group.dq[1].index !== 2) return false;
  const [a, b] = group.dq.map((d) => d.node);
  const type = dqInputType(g, a);
  if (type !== dqInputType(g, b) || type !== qOutputType(g, group.q[0]) || is16Bit(type)) return false;
  const inputs = [node.inputs[0], ...dqOperands(g, a), ...dqOperands(g, b), ...qOperands(g, group.q[0])];
  g.replace(
    node,
    fused(g, node, 'QLinearWhere', 'com.microsoft', inputs, [...group.q[0].outputs]),
    groupNodes(node, group),
  );
  return true;
}

function tryBinary(g: EditableGraph, node: EditNode): boolean {
  const group = findQdqGroup(g, node);
  if (!group || !checkQdqNodes(g, node, group)) return false;
  const [a, b] = group.dq.map((d) => d.node);
  const type = dqInputType(g, a);
  if (type !== dqInputType(g, b) || type !== qOutputType(g, group.q[0]) || is16Bit(type)) return false;
  const inputs = [...dqOperands(g, a), ...dqOperands(g, b), ...qOperands(g, group.q[0])];
  g.replace(
    node,
    fused(g, node, `QLinear${node.opType}`, 'com.microsoft', inputs, [...group.q[0].outputs]),
    groupNodes(node, group),
  );
  return true;
}

function tryConcat(g: EditableGraph, node: EditNode): boolean {
  const group = findQdqGroup(g, node);
  if (!group || !checkQdqNodes(g, node, group)) return false;
  const type = dqInputType(g, group.dq[0].node);
  if (
    !group.dq.every((d) => dqInputType(g, d.node) === type) ||
    !group.q.every((q) => qOutputType(g, q) === type) ||
    is16Bit(type)
  ) {
    return false;
  }
  const inputs = [...qOperands(g, group.q[0]), ...group.dq.flatMap((d) => dqOperands(g, d.node))];
  g.replace(
    node,
    fused(g, node, 'QLinearConcat', 'com.microsoft', inputs, [...group.q[0].outputs]),
    groupNodes(node, group),
  );
  return true;
}

/** On x86 onnxruntime allows int8 *activations* in QLinearConv/QLinearMatMul only on ARM. */
const int8ActivationsAllowed = false;

function tryConv(g: EditableGraph, node: EditNode): boolean {
  const group = findQdqGroup(g, node);
  if (!group || !checkQdqNodes(g, node, group)) return false;
  const [x, w, bias] = group.dq.map((d) => d.node);
  const tx = dqInputType(g, x);
  const tw = dqInputType(g, w);
  if (tx !== qOutputType(g, group.q[0])) return false;
  if (tx === 'int8' && (!int8ActivationsAllowed || tw !== tx)) return false;
  if (bias && dqInputType(g, bias) !== 'int32') return false;
  if (is16Bit(tx) || is16Bit(tw)) return false;
  const inputs = [...dqOperands(g, x), ...dqOperands(g, w), ...qOperands(g, group.q[0])];
  if (bias) inputs.push(bias.inputs[0]);
  g.replace(
    node,
    fused(g, node, 'QLinearConv', '', inputs, [...group.q[0].outputs]),
    groupNodes(node, group),
  );
  return true;
}

function tryMatMul(g: EditableGraph, node: EditNode): boolean {
  const group = findQdqGroup(g, node);
  if (!group || group.dq.length !== 2) return false;
  const [a, b] = group.dq.map((d) => d.node);
  const ta = dqInputType(g, a);
  const tb = dqInputType(g, b);
  if (ta === 'int8' && (!int8ActivationsAllowed || tb !== ta)) return false;
  if (is16Bit(ta) || is16Bit(tb)) return false;
  if (group.q.length > 0) {
    if (!checkQdqNodes(g, node, group) || ta !== qOutputType(g, group.q[0])) return false;
    const inputs = [...dqOperands(g, a), ...dqOperands(g, b), ...qOperands(g, group.q[0])];
    g.replace(
      node,
      fused(g, node, 'QLinearMatMul', '', inputs, [...group.q[0].outputs]),
      groupNodes(node, group),
    );
    return true;
  }
  return replaceWithIntegerToFloat(g, node, a, b);
}

/**
 * onnxruntime turns DQ(A), DQ(B) -> MatMul (no Q after it) into com.microsoft MatMulIntegerToFloat,
 * which computes f32(int32 accumulator) * f32(a_scale * b_scale). We write the same arithmetic with
 * standard ops: MatMulInteger -> Cast(float) -> Mul(Mul(a_scale, b_scale)). A per-tensor A and a
 * per-tensor or per-column (last axis) B are what that kernel supports; anything else stays float.
 */
function replaceWithIntegerToFloat(g: EditableGraph, node: EditNode, a: EditNode, b: EditNode): boolean {
  const aScale = g.constant(a.inputs[1]);
  const bScale = g.constant(b.inputs[1]);
  const bData = g.constant(b.inputs[0]);
  if (!aScale || aScale.data.length !== 1 || !bScale) return false;
  if (bScale.data.length !== 1) {
    const rank = bData?.dims.length ?? 0;
    const axisAttr = b.attributes.axis;
    const axis = axisAttr?.kind === 'int' ? (axisAttr.value + rank) % rank : 1;
    if (!bData || rank !== 2 || axis !== rank - 1 || bScale.dims.length !== 1) return false;
  }
  for (const dq of [a, b])
    if (g.isGraphOutput(dq.outputs[0]) || g.uses(dq.outputs[0]).length !== 1) return false;
  const out = node.outputs[0];
  const acc = g.freshName(`${out}_int32`);
  const accF = g.freshName(`${out}_int32_float`);
  const scale = g.freshName(`${out}_scale`);
  const nodes: EditNode[] = [
    {
      name: g.freshName(`${node.name}_MatMulInteger`),
      opType: 'MatMulInteger',
      domain: '',
      inputs: [a.inputs[0], b.inputs[0], zeroPointOf(g, a, true), zeroPointOf(g, b, true)],
      outputs: [acc],
      attributes: {},
    },
    {
      name: g.freshName(`${node.name}_Cast`),
      opType: 'Cast',
      domain: '',
      inputs: [acc],
      outputs: [accF],
      attributes: { to: { kind: 'int', value: 1 } },
    },
    {
      name: g.freshName(`${node.name}_scale`),
      opType: 'Mul',
      domain: '',
      inputs: [a.inputs[1], b.inputs[1]],
      outputs: [scale],
      attributes: {},
    },
    {
      name: g.freshName(`${node.name}_rescale`),
      opType: 'Mul',
      domain: '',
      inputs: [accF, scale],
      outputs: [out],
      attributes: {},
    },
  ];
  const [first, ...rest] = nodes;
  g.replace(node, first, [a, b, node]);
  g.nodes.push(...rest); // toGraph sorts the nodes topologically
  return true;
}

/**
 * GemmNodeGroupSelector + GemmReplaceWithQuant: every Gemm input from a DQ (the bias, if any, int32
 * with beta = 1 and alpha = 1), a Q after it or none (then QGemm has a float output); int8 A needs int8 B and the
 * Q of the same type as A. Unlike QLinearMatMul, int8 activations are allowed on x86 (QGemm has an
 * S8S8 kernel). QGemm takes Gemm's attributes without beta.
 */
function tryGemm(g: EditableGraph, node: EditNode): boolean {
  const group = findQdqGroup(g, node);
  if (!group || !checkQdqNodes(g, node, group, undefined, true) || group.dq.length < 2) return false;
  const [a, b, bias] = group.dq.map((d) => d.node);
  const ta = dqInputType(g, a);
  const tb = dqInputType(g, b);
  if (ta === 'int8' && tb !== 'int8') return false;
  if (group.q.length > 0 && ta !== qOutputType(g, group.q[0])) return false;
  if (is16Bit(ta) || is16Bit(tb)) return false;
  if (bias) {
    const beta = node.attributes.beta;
    if ((beta?.kind === 'float' && beta.value !== 1) || dqInputType(g, bias) !== 'int32') return false;
    // onnxruntime 1.30 also leaves a Gemm with a bias and alpha != 1 in float (measured: its
    // optimized graph keeps the DQ -> Gemm -> Q group; without a bias it fuses any alpha).
    const alpha = node.attributes.alpha;
    if (alpha?.kind === 'float' && alpha.value !== 1) return false;
  }
  const inputs = [...dqOperands(g, a), ...dqOperands(g, b), bias ? bias.inputs[0] : ''];
  const q = group.q[0];
  if (q) inputs.push(...qOperands(g, q));
  const outputs = q ? [...q.outputs] : [...node.outputs];
  const n = fused(g, node, 'QGemm', 'com.microsoft', inputs, outputs);
  delete n.attributes.beta;
  g.replace(node, n, groupNodes(node, group));
  return true;
}
