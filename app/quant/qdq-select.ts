// Finding a QDQ node group (DQ inputs -> target -> Q outputs) and the checks onnxruntime's QDQ
// selectors make before fusing one (onnxruntime/core/optimizer/qdq_transformer/selectors_actions/
// qdq_selectors.cc and qdq_util.cc). Each function documents the rule it mirrors; the tests in
// tests/unit/fuse-qdq*.test.ts check the outcome against onnxruntime itself.
import { roundHalfEven } from '../../kernels/quant-math/quant-math.js';
import { type DType, elementAsNumber, type Tensor } from '../../kernels/tensor.js';
import {
  type EditableGraph,
  type EditNode,
  isScalarShape,
  quantizeOutputType,
  tensorsEqual,
} from './qdq-graph.js';

export interface QdqGroup {
  /** DQ nodes feeding the target, in the target's input order, with the input they feed. */
  readonly dq: readonly { readonly node: EditNode; readonly index: number }[];
  /** Q nodes reading the target's (or the redundant clip's) outputs, in output order. */
  readonly q: readonly EditNode[];
  /** A Relu/Clip between target and Q that the Q's range makes a no-op. */
  readonly clip?: EditNode;
}

/** QuantizeLinear as onnxruntime matches it: opsets 10, 13, 19, 21 (ai.onnx) or com.microsoft. */
export function isQ(g: EditableGraph, n: EditNode | undefined): n is EditNode & { opType: 'QuantizeLinear' } {
  return !!n && n.opType === 'QuantizeLinear' && matchesQdqVersion(g, n);
}

export function isDQ(
  g: EditableGraph,
  n: EditNode | undefined,
): n is EditNode & { opType: 'DequantizeLinear' } {
  return !!n && n.opType === 'DequantizeLinear' && matchesQdqVersion(g, n);
}

function matchesQdqVersion(g: EditableGraph, n: EditNode): boolean {
  if (n.domain === 'com.microsoft') return true;
  const v = g.opset('');
  return n.domain === '' && v >= 10 && v < 23;
}

/** DQ input element type (what the quantized tensor is). */
export function dqInputType(g: EditableGraph, dq: EditNode): DType | undefined {
  return g.dtypeOf(dq.inputs[0]) ?? (dq.inputs[2] ? g.dtypeOf(dq.inputs[2]) : undefined);
}

export function qOutputType(g: EditableGraph, q: EditNode): DType | undefined {
  return quantizeOutputType(g, q);
}

export function is16Bit(t: DType | undefined): boolean {
  return t === 'int16' || t === 'uint16';
}

/** GetQDQSelection: the DQ parents, an optional redundant Relu/Clip, and the Q children. */
export function findQdqGroup(g: EditableGraph, target: EditNode): QdqGroup | undefined {
  const dq: { node: EditNode; index: number }[] = [];
  target.inputs.forEach((name, index) => {
    const p = g.producer(name);
    if (isDQ(g, p)) dq.push({ node: p, index });
  });
  const uses = g.outputUses(target);
  let clip: EditNode | undefined;
  if (uses.length === 1) {
    const next = uses[0].node;
    if (
      next.domain === '' &&
      (next.opType === 'Relu' || next.opType === 'Clip') &&
      g.outputUses(next).length === 1 &&
      !g.producesGraphOutput(next)
    ) {
      clip = next;
    }
  }
  const q = qChildren(g, clip ?? target);
  if (clip && (q.length !== 1 || !isClipMadeRedundantByQ(g, clip, q[0]))) return undefined;
  return { dq, q, clip };
}

function qChildren(g: EditableGraph, node: EditNode): EditNode[] {
  const out: EditNode[] = [];
  node.outputs.forEach((o) => {
    for (const u of g.uses(o)) if (isQ(g, u.node) && !out.includes(u.node)) out.push(u.node);
  });
  return out;
}

/**
 * NodeGroupSelector::CheckQDQNodes: the expected number of DQ inputs, each DQ read only by the
 * target (EnsureUniqueDQForNodeUnit ran before), every output of the target read by Q nodes only,
 * and the target not producing a graph output.
 */
export function checkQdqNodes(
  g: EditableGraph,
  target: EditNode,
  group: QdqGroup,
  numDqInputs = target.inputs.filter(Boolean).length,
  allowEmptyQ = false,
): boolean {
  if (group.dq.length !== numDqInputs) return false;
  for (const { node } of group.dq) {
    const out = node.outputs[0];
    if (g.isGraphOutput(out) || g.uses(out).length !== 1) return false;
  }
  if (group.q.length === 0) return allowEmptyQ;
  const numOutputs = target.outputs.filter(Boolean).length;
  return (
    numOutputs === group.q.length &&
    group.q.length === g.outputUses(target).length &&
    !g.producesGraphOutput(target)
  );
}

function constantScalar(g: EditableGraph, name: string | undefined): Tensor | undefined {
  const t = g.constant(name);
  return t && isScalarShape(t) ? t : undefined;
}

/** IsQDQPairSupported: Q and DQ both with constant scalar scale and zero point, and equal ones. */
export function isQdqPairSupported(g: EditableGraph, q: EditNode, dq: EditNode): boolean {
  if (q.inputs.length !== 3 || dq.inputs.length !== 3) return false;
  const qs = constantScalar(g, q.inputs[1]);
  const qz = constantScalar(g, q.inputs[2]);
  const ds = constantScalar(g, dq.inputs[1]);
  const dz = constantScalar(g, dq.inputs[2]);
  if (!qs || !qz || !ds || !dz) return false;
  return tensorsEqual(qz, dz) && elementAsNumber(qs, 0) === elementAsNumber(ds, 0);
}

/** IsQOrDQScalePositiveConstantScalar. */
export function hasPositiveConstantScale(g: EditableGraph, qOrDq: EditNode): boolean {
  const s = constantScalar(g, qOrDq.inputs[1]);
  return !!s && elementAsNumber(s, 0) > 0;
}

/** IsDQSupported: constant scalar scale and an explicit constant scalar zero point. */
export function isDqSupported(g: EditableGraph, dq: EditNode): boolean {
  return !!constantScalar(g, dq.inputs[1]) && !!dq.inputs[2] && !!constantScalar(g, dq.inputs[2]);
}

export function integerRange(t: DType | undefined): [number, number] | undefined {
  switch (t) {
    case 'int8':
      return [-128, 127];
    case 'uint8':
      return [0, 255];
    case 'int16':
      return [-32768, 32767];
    case 'uint16':
      return [0, 65535];
    default:
      return undefined;
  }
}

const FLT_MAX = 3.4028234663852886e38;

/** optimizer_utils::GetClipConstantMinMax: attributes before opset 11, constant inputs after. */
export function clipConstantMinMax(g: EditableGraph, clip: EditNode): [number, number] | undefined {
  let min = -FLT_MAX;
  let max = FLT_MAX;
  if (g.opset('') < 11) {
    const a = clip.attributes.min;
    const b = clip.attributes.max;
    if (a?.kind === 'float') min = a.value;
    if (b?.kind === 'float') max = b.value;
    return [min, max];
  }
  for (const [i, set] of [
    [1, (v: number) => (min = v)],
    [2, (v: number) => (max = v)],
  ] as const) {
    const name = clip.inputs[i];
    if (!name) continue;
    const t = g.constant(name);
    if (!t || t.data.length !== 1) return undefined;
    set(elementAsNumber(t, 0));
  }
  return [min, max];
}

/** static_cast<int32_t>(float) on x86: out-of-range and NaN give INT32_MIN ("integer indefinite"). */
export function castFloatToInt32X86(v: number): number {
  if (Number.isNaN(v) || v >= 2 ** 31 || v < -(2 ** 31)) return -(2 ** 31);
  return Math.trunc(v);
}

/** QDQ::IsClipMadeRedundantByQ: the Q's integer range already clips at least as tightly. */
export function isClipMadeRedundantByQ(g: EditableGraph, clip: EditNode, q: EditNode): boolean {
  const scaleT = g.constant(q.inputs[1]);
  if (!scaleT || scaleT.dims.length !== 0 || scaleT.dtype !== 'float32') return false;
  const scale = elementAsNumber(scaleT, 0);
  let zp = 0;
  let type: DType | undefined;
  if (!q.inputs[2]) {
    type = qOutputType(g, q);
  } else {
    const zpT = g.constant(q.inputs[2]);
    if (!zpT || zpT.dims.length !== 0) return false;
    type = zpT.dtype;
    zp = elementAsNumber(zpT, 0);
  }
  const range = integerRange(type);
  if (!range) return false;
  if (clip.opType === 'Relu') return zp === range[0];
  const mm = clipConstantMinMax(g, clip);
  if (!mm) return false;
  const qMin = (castFloatToInt32X86(roundHalfEven(Math.fround(mm[0] / scale))) + zp) | 0;
  const qMax = (castFloatToInt32X86(roundHalfEven(Math.fround(mm[1] / scale))) + zp) | 0;
  return qMin <= range[0] && qMax >= range[1];
}
