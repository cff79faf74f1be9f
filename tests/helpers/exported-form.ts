// Rewrites a model into the shape exporters often write: every initializer as a Constant node in
// front of the graph, and the first input's dims symbolic [N, 3, H, W].
import { decodeModel } from '../../app/model/decode.js';
import { encodeModel } from '../../app/model/encode.js';
import type { GraphNode, Model } from '../../app/model/ir.js';

/** Every initializer as a Constant node in front of the graph; the input's dims symbolic. */
export function asExported(bytes: Uint8Array): Uint8Array {
  const m = decodeModel(bytes);
  const constants: GraphNode[] = [...m.graph.initializers].map(([name, value], i) => ({
    name: `Constant_${i}`,
    opType: 'Constant',
    domain: '',
    inputs: [],
    outputs: [name],
    attributes: { value: { kind: 'tensor', value } },
  }));
  const input = m.graph.inputs[0];
  const model: Model = {
    ...m,
    graph: {
      ...m.graph,
      nodes: [...constants, ...m.graph.nodes],
      initializers: new Map(),
      inputs: [{ ...input, dims: ['N', 3, 'H', 'W'] }],
    },
  };
  return encodeModel(model);
}
