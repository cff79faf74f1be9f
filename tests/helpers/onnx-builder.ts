// Builds small ONNX models in tests (for onnxruntime-node oracle checks) with the generated types.
import { create, toBinary } from '@bufbuild/protobuf';
import type { DType, Tensor } from '../../kernels/tensor.js';
import {
  type AttributeProto,
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from '../../app/model/proto/onnx_pb.js';
import { dtypeToOnnx, tensorToProto } from '../../app/model/tensor-proto.js';

export type AttrInput = number | string | number[] | string[] | Tensor | { float: number } | { floats: number[] };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  name?: string;
  attrs?: Record<string, AttrInput>;
}

export interface ModelSpec {
  /** A string dim is symbolic (dim_param), e.g. ['N', 3, 'H', 'W']. */
  inputs: Array<{ name: string; dtype: DType; dims: Array<number | string> }>;
  outputs: Array<{ name: string; dtype: DType; dims?: Array<number | string> }>;
  nodes: NodeSpec[];
  initializers?: Record<string, Tensor>;
  opset?: number;
  msOpset?: number; // adds a com.microsoft opset import
}

function attribute(name: string, v: AttrInput): AttributeProto {
  const a = create(AttributeProtoSchema, { name });
  if (typeof v === 'number') {
    if (Number.isInteger(v)) Object.assign(a, { type: AT.INT, i: BigInt(v) });
    else Object.assign(a, { type: AT.FLOAT, f: v });
  } else if (typeof v === 'string') Object.assign(a, { type: AT.STRING, s: new TextEncoder().encode(v) });
  else if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number'))
    Object.assign(a, { type: AT.INTS, ints: (v as number[]).map((x) => BigInt(x)) });
  else if (Array.isArray(v)) Object.assign(a, { type: AT.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) });
  else if ('float' in v) Object.assign(a, { type: AT.FLOAT, f: v.float });
  else if ('floats' in v) Object.assign(a, { type: AT.FLOATS, floats: v.floats });
  else Object.assign(a, { type: AT.TENSOR, t: tensorToProto(v, name) });
  return a;
}

function valueInfo(name: string, dtype: DType, dims?: Array<number | string>) {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: dtypeToOnnx(dtype),
          shape: dims
            ? create(TensorShapeProtoSchema, {
                dim: dims.map((d) =>
                  create(TensorShapeProto_DimensionSchema, {
                    value: typeof d === 'string' ? { case: 'dimParam', value: d } : { case: 'dimValue', value: BigInt(d) },
                  }),
                ),
              })
            : undefined,
        }),
      },
    }),
  });
}

export function buildModel(spec: ModelSpec): Uint8Array {
  const opsetImport = [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(spec.opset ?? 13) })];
  if (spec.msOpset) opsetImport.push(create(OperatorSetIdProtoSchema, { domain: 'com.microsoft', version: BigInt(spec.msOpset) }));
  const model = create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'qplay-tests',
    opsetImport,
    graph: create(GraphProtoSchema, {
      name: 'test',
      node: spec.nodes.map((n, i) =>
        create(NodeProtoSchema, {
          name: n.name ?? `${n.op}_${i}`,
          opType: n.op,
          domain: n.domain ?? '',
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
        }),
      ),
      initializer: Object.entries(spec.initializers ?? {}).map(([k, t]) => tensorToProto(t, k)),
      input: spec.inputs.map((i) => valueInfo(i.name, i.dtype, i.dims)),
      output: spec.outputs.map((o) => valueInfo(o.name, o.dtype, o.dims)),
    }),
  });
  return toBinary(ModelProtoSchema, model);
}
