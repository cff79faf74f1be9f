// BatchNormalization after a Conv is folded into the conv's weights and bias before quantization,
// as onnxruntime's quant_pre_process, AIMET and every compiler do: otherwise the conv's output is
// quantized, the BatchNorm runs in float on dequantized values and is quantized again — one more
// rounding, and a float op that breaks the integer path. The arithmetic is onnxruntime's
// ConvBNFusion, in f32: s = scale / sqrt(var + epsilon); W' = W * s[oc]; B' = (B - mean) * s + bias.
import { makeTensor, type Tensor, toFloat32 } from '../../kernels/tensor.js';
import type { GraphNode, Model } from '../model/ir.js';

const f = Math.fround;

export function foldBatchNorms(model: Model): { model: Model; folded: number } {
  const g = model.graph;
  const init = new Map<string, Tensor>(g.initializers);
  const consumers = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const producer = new Map<string, GraphNode>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const removed = new Set<GraphNode>();
  const replaced = new Map<GraphNode, GraphNode>();
  const used = new Set<string>([...init.keys(), ...g.nodes.flatMap((n) => n.outputs)]);
  const fresh = (base: string) => {
    let name = base;
    for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  };
  for (const bn of g.nodes) {
    if (bn.opType !== 'BatchNormalization' || (bn.domain !== '' && bn.domain !== 'ai.onnx')) continue;
    if (bn.outputs.slice(1).some((o) => o)) continue; // training outputs
    const conv = producer.get(bn.inputs[0]);
    if (!conv || conv.opType !== 'Conv' || replaced.has(conv) || removed.has(conv)) continue;
    if (consumers.get(bn.inputs[0]) !== 1 || graphOutputs.has(bn.inputs[0])) continue;
    const [scale, bias, mean, variance] = bn.inputs.slice(1, 5).map((i) => init.get(i));
    const w = init.get(conv.inputs[1]);
    const b = conv.inputs[2] ? init.get(conv.inputs[2]) : undefined;
    if (!scale || !bias || !mean || !variance || !w || (conv.inputs[2] && !b)) continue;
    if ([scale, bias, mean, variance, w].some((t) => t.dtype !== 'float32') || (b && b.dtype !== 'float32'))
      continue;
    const oc = w.dims[0];
    if ([scale, bias, mean, variance].some((t) => t.data.length !== oc)) continue;
    const eps = bn.attributes.epsilon?.kind === 'float' ? bn.attributes.epsilon.value : 1e-5;
    const sv = toFloat32(scale);
    const bv = toFloat32(bias);
    const mv = toFloat32(mean);
    const vv = toFloat32(variance);
    const s = Array.from(sv, (x, c) => f(x / f(Math.sqrt(f(vv[c] + f(eps))))));
    const wv = toFloat32(w);
    const inner = wv.length / oc;
    const w2 = Float32Array.from(wv, (x, i) => f(x * s[Math.floor(i / inner)]));
    const b0 = b ? toFloat32(b) : new Float32Array(oc);
    const b2 = Float32Array.from(b0, (x, c) => f(f(f(x - mv[c]) * s[c]) + bv[c]));
    const wName = fresh(`${conv.inputs[1]}_bn_folded`);
    const bName = fresh(`${conv.name}_bias_bn_folded`);
    init.set(wName, makeTensor('float32', w.dims, w2));
    init.set(bName, makeTensor('float32', [oc], b2));
    replaced.set(conv, { ...conv, inputs: [conv.inputs[0], wName, bName], outputs: [bn.outputs[0]] });
    removed.add(bn);
  }
  if (removed.size === 0) return { model, folded: 0 };
  const nodes = g.nodes.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
  const reads = new Set(nodes.flatMap((n) => n.inputs));
  for (const k of [...init.keys()]) if (!reads.has(k) && !graphOutputs.has(k)) init.delete(k);
  return { model: { ...model, graph: { ...g, nodes, initializers: init } }, folded: removed.size };
}
