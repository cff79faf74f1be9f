// WebGPU plan-time rewrite: the int64 index inputs of RotaryEmbedding (position_ids) and
// Attention (nonpad_kv_seqlen) that are known only at run time are read through an inserted
// Cast to int32. Their kernels read int32 ids (int64 values reach the GPU only for
// GatherElements, OneHot and Mod; gpu-storage.ts), so without it each such node would run on
// the CPU reference with its float inputs read back; with it the tiny Cast runs on the GPU
// (cast-gpu.wgsl; on the host, as `Cast (<value>.int32)`, only where its int64 input is host-only)
// and the node keeps its GPU kernel (lower-attention.ts). Position ids and sequence
// lengths fit in int32; the CPU interpreter runs the graph as written.
import { dtypeToOnnx } from '../../model/tensor-proto.js';
import type { GraphNode, Model } from '../../model/ir.js';
import type { ShapeResult, ValueShape } from '../../model/shape-inference.js';

/** Input index of the int64 index tensor, per op (ai.onnx). */
const INDEX_INPUT: Readonly<Record<string, number>> = { RotaryEmbedding: 3, Attention: 6 };

export function narrowIndexInputs(model: Model, shapes: ShapeResult): { model: Model; shapes: ShapeResult } {
  const narrowed = new Map<string, string>();
  const values = new Map<string, ValueShape>(shapes.values);
  const nodes: GraphNode[] = [];
  for (const n of model.graph.nodes) {
    const at = n.domain === '' ? INDEX_INPUT[n.opType] : undefined;
    const name = at === undefined ? '' : (n.inputs[at] ?? '');
    const shape = name ? shapes.values.get(name) : undefined;
    // Only for float32 nodes: the others stay CPU fallbacks, which read int64 as well.
    const float32 = shapes.values.get(n.inputs[0])?.dtype === 'float32';
    if (
      !float32 ||
      at === undefined ||
      shape?.dtype !== 'int64' ||
      shapes.constants.has(name) ||
      model.graph.initializers.has(name)
    ) {
      nodes.push(n);
      continue;
    }
    let to = narrowed.get(name);
    if (!to) {
      to = `${name}.int32`;
      narrowed.set(name, to);
      values.set(to, { dtype: 'int32', dims: shape.dims });
      nodes.push({
        name: to,
        opType: 'Cast',
        domain: '',
        inputs: [name],
        outputs: [to],
        attributes: { to: { kind: 'int', value: dtypeToOnnx('int32') } },
      });
    }
    const target = to;
    nodes.push({ ...n, inputs: n.inputs.map((v, k) => (k === at ? target : v)) });
  }
  if (narrowed.size === 0) return { model, shapes };
  return { model: { ...model, graph: { ...model.graph, nodes } }, shapes: { ...shapes, values } };
}
