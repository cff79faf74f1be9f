// ONNX bytes -> IR. The wire format is decoded by code generated from onnx.proto
// (app/model/proto, `npm run gen:onnx`); this file only lowers the messages to app/model/ir.ts
// and checks the structure, so a corrupt or foreign file fails here with one clear line.
import { fromBinary } from '@bufbuild/protobuf';
import type { Tensor } from '../../kernels/tensor.js';
import { ModelError, oneLine } from './errors.js';
import type { AttrValue, Dim, Graph, GraphNode, Model, ValueInfo } from './ir.js';
import {
  type AttributeProto,
  AttributeProto_AttributeType as AT,
  type GraphProto,
  type ModelProto,
  ModelProtoSchema,
  type ValueInfoProto,
} from './proto/onnx_pb.js';
import { dtypeFromOnnx, onnxTypeName, type ExternalDataResolver, tensorFromProto } from './tensor-proto.js';

export interface DecodeOptions {
  /** Supplies the bytes of external-data files; without it such models are refused. */
  readonly externalData?: ExternalDataResolver;
}

export function decodeModel(bytes: Uint8Array, options: DecodeOptions = {}): Model {
  if (bytes.byteLength === 0) throw new ModelError('not an ONNX model: the file is empty');
  let proto: ModelProto;
  try {
    proto = fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false });
  } catch (e) {
    throw new ModelError(`not an ONNX model, or truncated/corrupt: ${oneLine((e as Error).message)}`);
  }
  if (!proto.graph) throw new ModelError('not an ONNX model: it has no graph');
  if (proto.irVersion <= 0n || proto.irVersion > 100n) {
    throw new ModelError(`not an ONNX model: ir_version ${proto.irVersion} is not valid`);
  }
  if (proto.opsetImport.length === 0 && proto.irVersion >= 3n) {
    throw new ModelError('not an ONNX model: it declares no opset imports');
  }
  const opsets = proto.opsetImport.map((o) => ({
    domain: o.domain === 'ai.onnx' ? '' : o.domain,
    version: Number(o.version),
  }));
  if (proto.irVersion < 3n && opsets.length === 0) opsets.push({ domain: '', version: 1 });
  const graph = lowerGraph(proto.graph, options, true);
  return {
    irVersion: Number(proto.irVersion),
    producerName: proto.producerName,
    producerVersion: proto.producerVersion,
    domain: proto.domain,
    modelVersion: Number(proto.modelVersion),
    docString: proto.docString,
    opsets,
    metadata: Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value])),
    graph,
  };
}

function lowerValueInfo(v: ValueInfoProto): ValueInfo {
  const t = v.type?.value;
  if (v.type?.value.case !== 'tensorType' || !t) {
    const kinds = {
      sequenceType: 'sequence',
      optionalType: 'optional',
      mapType: 'map',
      sparseTensorType: 'sparse tensor',
    } as const;
    const kind = t ? kinds[t.case as keyof typeof kinds] : undefined;
    return { name: v.name, dtype: undefined, dims: undefined, ...(kind && { kind }) };
  }
  const tensorType = v.type.value.value;
  const dims: Dim[] | undefined = tensorType.shape
    ? tensorType.shape.dim.map((d, i) =>
        d.value.case === 'dimValue'
          ? Number(d.value.value)
          : d.value.case === 'dimParam' && d.value.value
            ? d.value.value
            : `${v.name}_dim${i}`,
      )
    : undefined;
  const dtype = dtypeFromOnnx(tensorType.elemType);
  if (!dtype && tensorType.elemType !== 0)
    return { name: v.name, dtype, dims, unsupportedType: onnxTypeName(tensorType.elemType) };
  return { name: v.name, dtype, dims };
}

function lowerAttribute(a: AttributeProto, options: DecodeOptions): AttrValue {
  // Some writers leave `type` unset (IR < 0.0.2); infer it from the filled field.
  let type = a.type;
  if (type === AT.UNDEFINED) {
    if (a.ints.length) type = AT.INTS;
    else if (a.floats.length) type = AT.FLOATS;
    else if (a.strings.length) type = AT.STRINGS;
    else if (a.t) type = AT.TENSOR;
    else if (a.g) type = AT.GRAPH;
    else if (a.s.byteLength) type = AT.STRING;
    else if (a.f !== 0) type = AT.FLOAT;
    else type = AT.INT;
  }
  const text = new TextDecoder();
  switch (type) {
    case AT.INT:
      return { kind: 'int', value: Number(a.i) };
    case AT.FLOAT:
      return { kind: 'float', value: a.f };
    case AT.STRING:
      return { kind: 'string', value: text.decode(a.s) };
    case AT.INTS:
      return { kind: 'ints', value: a.ints.map(Number) };
    case AT.FLOATS:
      return { kind: 'floats', value: a.floats };
    case AT.STRINGS:
      return { kind: 'strings', value: a.strings.map((s) => text.decode(s)) };
    case AT.TENSOR:
      if (!a.t) throw new ModelError(`attribute '${a.name}' is a tensor but has none`);
      return { kind: 'tensor', value: tensorFromProto(a.t, options.externalData) };
    case AT.GRAPH:
      if (!a.g) throw new ModelError(`attribute '${a.name}' is a graph but has none`);
      return { kind: 'graph', value: lowerGraph(a.g, options, false) };
    default:
      return { kind: 'unsupported', type: AT[type] ?? String(type) };
  }
}

function lowerGraph(g: GraphProto, options: DecodeOptions, isMain: boolean): Graph {
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer) {
    if (!t.name) throw new ModelError('an initializer has no name');
    initializers.set(t.name, tensorFromProto(t, options.externalData));
  }
  if (g.sparseInitializer.length) throw new ModelError('sparse initializers are not supported');
  const nodes: GraphNode[] = g.node.map((n, index) => {
    const name = n.name || `${n.opType}_${index}`;
    if (!n.opType) throw new ModelError(`node ${index} has no op_type`);
    const attributes: Record<string, AttrValue> = {};
    for (const a of n.attribute) {
      try {
        attributes[a.name] = lowerAttribute(a, options);
      } catch (e) {
        throw new ModelError(`node '${name}' (${n.opType}): ${(e as Error).message}`);
      }
    }
    return {
      name,
      opType: n.opType,
      domain: n.domain === 'ai.onnx' ? '' : n.domain,
      inputs: n.input,
      outputs: n.output,
      attributes,
    };
  });
  const inputs = g.input.filter((i) => !initializers.has(i.name)).map(lowerValueInfo);
  const outputs = g.output.map(lowerValueInfo);
  const valueInfo = new Map(g.valueInfo.map((v) => [v.name, lowerValueInfo(v)]));
  const graph: Graph = { name: g.name, nodes, inputs, outputs, initializers, valueInfo };
  if (isMain) checkStructure(graph);
  return graph;
}

/** Every input is produced before it is used, names are unique, outputs exist. */
function checkStructure(g: Graph): void {
  if (g.outputs.length === 0) throw new ModelError('the graph declares no outputs');
  const defined = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name)]);
  const producers = new Map<string, GraphNode>();
  for (const n of g.nodes) {
    for (const o of n.outputs) {
      if (!o) continue;
      if (producers.has(o))
        throw new ModelError(
          `tensor '${o}' is produced by two nodes ('${producers.get(o)!.name}' and '${n.name}')`,
        );
      producers.set(o, n);
    }
  }
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i && !defined.has(i) && !producers.has(i)) {
        throw new ModelError(
          `node '${n.name}' (${n.opType}) reads '${i}', which no node, input or initializer provides`,
        );
      }
    }
  }
  for (const o of g.outputs) {
    if (!defined.has(o.name) && !producers.has(o.name))
      throw new ModelError(`graph output '${o.name}' is never produced`);
  }
}
