// IR -> ONNX bytes, the inverse of decode.ts: used to export QDQ models and to hand rewritten graphs
// to onnxruntime. Tensors are written as raw_data (little-endian, what every reader accepts).
// What the IR does not keep (functions, training info, doc strings of nodes) is not written.
import { create, toBinary } from '@bufbuild/protobuf';
import { ModelError } from './errors.js';
import type { AttrValue, Graph, Model, ValueInfo } from './ir.js';
import {
  type AttributeProto,
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  type GraphProto,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from './proto/onnx_pb.js';
import { dtypeToOnnx, tensorToProto } from './tensor-proto.js';

export function encodeModel(model: Model): Uint8Array {
  const proto = create(ModelProtoSchema, {
    irVersion: BigInt(model.irVersion),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: BigInt(model.modelVersion),
    docString: model.docString,
    opsetImport: model.opsets.map((o) => create(OperatorSetIdProtoSchema, { domain: o.domain, version: BigInt(o.version) })),
    metadataProps: Object.entries(model.metadata).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
    // Before IR 4 every initializer had to be listed as a graph input too; onnxruntime still insists.
    graph: encodeGraph(model.graph, model.irVersion < 4),
  });
  return toBinary(ModelProtoSchema, proto);
}

function encodeGraph(g: Graph, initializersAreInputs: boolean): GraphProto {
  const inputs = g.inputs.map(encodeValueInfo);
  if (initializersAreInputs) {
    const declared = new Set(g.inputs.map((i) => i.name));
    for (const [name, t] of g.initializers) {
      if (!declared.has(name)) inputs.push(encodeValueInfo({ name, dtype: t.dtype, dims: t.dims }));
    }
  }
  return create(GraphProtoSchema, {
    name: g.name,
    node: g.nodes.map((n) =>
      create(NodeProtoSchema, {
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes).map(([name, a]) => {
          try {
            return encodeAttribute(name, a);
          } catch (e) {
            throw new ModelError(`node '${n.name}' (${n.opType}): ${(e as Error).message}`);
          }
        }),
      }),
    ),
    initializer: [...g.initializers].map(([name, t]) => tensorToProto(t, name)),
    input: inputs,
    output: g.outputs.map(encodeValueInfo),
    valueInfo: [...g.valueInfo.values()].map(encodeValueInfo),
  });
}

function encodeValueInfo(v: ValueInfo): ValueInfoProto {
  if (v.dtype === undefined) return create(ValueInfoProtoSchema, { name: v.name });
  const shape = v.dims
    ? create(TensorShapeProtoSchema, {
        dim: v.dims.map((d) =>
          create(TensorShapeProto_DimensionSchema, {
            value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
          }),
        ),
      })
    : undefined;
  return create(ValueInfoProtoSchema, {
    name: v.name,
    type: create(TypeProtoSchema, {
      value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType: dtypeToOnnx(v.dtype), shape }) },
    }),
  });
}

function encodeAttribute(name: string, a: AttrValue): AttributeProto {
  const text = new TextEncoder();
  switch (a.kind) {
    case 'int':
      return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(a.value) });
    case 'float':
      return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: a.value });
    case 'string':
      return create(AttributeProtoSchema, { name, type: AT.STRING, s: text.encode(a.value) });
    case 'ints':
      return create(AttributeProtoSchema, { name, type: AT.INTS, ints: a.value.map((v) => BigInt(v)) });
    case 'floats':
      return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: [...a.value] });
    case 'strings':
      return create(AttributeProtoSchema, { name, type: AT.STRINGS, strings: a.value.map((s) => text.encode(s)) });
    case 'tensor':
      return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: tensorToProto(a.value, '') });
    case 'graph':
      return create(AttributeProtoSchema, { name, type: AT.GRAPH, g: encodeGraph(a.value, false) });
    case 'unsupported':
      throw new ModelError(`attribute '${name}' has type ${a.type}, which cannot be written back`);
  }
}
