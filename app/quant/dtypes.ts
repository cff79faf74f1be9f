// Element types of every value, from the graph alone (no shapes, no inputs): the quantizer only
// needs to know which tensors are float32, and must know it for models whose symbolic sizes
// are not bound yet (export, a session opened before any data). Declared value_info wins.
import type { DType } from '../../kernels/tensor.js';
import { topologicalOrder } from '../exec/plan.js';
import type { AttrValue, Graph, GraphNode } from '../model/ir.js';

// ONNX TensorProto.DataType codes of the types the IR knows.
const ONNX_DTYPES: Readonly<Record<number, DType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

const BOOL_OPS = new Set([
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
]);
const INT64_OPS = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero']);

function intAttr(a: AttrValue | undefined): number | undefined {
  return a?.kind === 'int' ? a.value : undefined;
}

function outputDTypes(n: GraphNode, dtypeOf: (name: string) => DType | undefined): (DType | undefined)[] {
  const first = n.inputs.map((i) => (i ? dtypeOf(i) : undefined)).find((d) => d !== undefined);
  const op = n.opType;
  const same = n.outputs.map(() => first);
  if (n.domain !== '' && n.domain !== 'ai.onnx' && n.domain !== 'com.microsoft')
    return n.outputs.map(() => undefined);
  if (BOOL_OPS.has(op)) return same.map(() => 'bool');
  if (INT64_OPS.has(op)) return same.map(() => 'int64');
  // NonMaxSuppression's selected indices; Unique's indices, inverse indices and counts.
  if (op === 'NonMaxSuppression') return ['int64'];
  if (op === 'Unique') return n.outputs.map((_, i) => (i === 0 ? first : 'int64'));
  switch (op) {
    case 'Cast':
      return [ONNX_DTYPES[intAttr(n.attributes.to) ?? 0]];
    case 'CastLike':
      return [n.inputs[1] ? dtypeOf(n.inputs[1]) : undefined];
    case 'DequantizeLinear':
      return [n.inputs[1] ? dtypeOf(n.inputs[1]) : 'float32'];
    case 'QuantizeLinear': {
      const attr = ONNX_DTYPES[intAttr(n.attributes.output_dtype) ?? 0];
      return [attr ?? (n.inputs[2] ? dtypeOf(n.inputs[2]) : undefined) ?? 'uint8'];
    }
    case 'DynamicQuantizeLinear':
      return ['uint8', 'float32', 'uint8'];
    case 'ConvInteger':
    case 'MatMulInteger':
      return ['int32'];
    case 'ConstantOfShape': {
      const v = n.attributes.value;
      return [v?.kind === 'tensor' ? v.value.dtype : 'float32'];
    }
    case 'Constant': {
      const v = n.attributes.value;
      if (v?.kind === 'tensor') return [v.value.dtype];
      if (n.attributes.value_float || n.attributes.value_floats) return ['float32'];
      return ['int64'];
    }
    case 'Where':
      return [n.inputs[1] ? dtypeOf(n.inputs[1]) : undefined];
    case 'TopK':
      return [first, 'int64'];
    case 'MaxPool':
      return [first, 'int64'];
    case 'OneHot':
      return [n.inputs[2] ? dtypeOf(n.inputs[2]) : undefined];
    case 'EyeLike':
    case 'RandomNormalLike':
    case 'RandomUniformLike':
      return [ONNX_DTYPES[intAttr(n.attributes.dtype) ?? 0] ?? first];
    default:
      return same;
  }
}

/** The element type of every value of the graph that can be known without running it. */
export function inferDTypes(graph: Graph): Map<string, DType> {
  const out = new Map<string, DType>();
  for (const i of graph.inputs) if (i.dtype) out.set(i.name, i.dtype);
  for (const [name, t] of graph.initializers) out.set(name, t.dtype);
  for (const n of topologicalOrder(graph)) {
    const dtypes = outputDTypes(n, (name) => out.get(name));
    n.outputs.forEach((o, k) => {
      const declared = graph.valueInfo.get(o)?.dtype;
      const d = declared ?? dtypes[k];
      if (o && d) out.set(o, d);
    });
  }
  return out;
}
