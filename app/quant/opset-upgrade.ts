// Raising a model's ai.onnx opset to 13, where DequantizeLinear gains its per-channel `axis`,
// without changing what the model computes. onnxruntime's quantizer only rewrites the opset
// import, which silently breaks ops whose meaning changed (an opset-9 Dropout with `ratio` no
// longer loads). Here every node is either known to mean the same at 13, or rewritten into its
// opset-13 form (attributes that became inputs; Dropout at inference is Identity; an opset < 13
// Softmax, which coerces to 2-D at `axis`, becomes Flatten -> Softmax(axis 1) -> Reshape(Shape));
// anything else keeps the model's opset (the caller then quantizes weights per tensor).
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import type { AttrValue, GraphNode, Model } from '../model/ir.js';
import { opsetVersion } from '../model/ir.js';

/** Ops whose meaning (for the attributes they can carry from opset 7 on) is the same at 13. */
const UNCHANGED = new Set([
  'Abs',
  'Acos',
  'Add',
  'And',
  'ArgMax',
  'ArgMin',
  'Asin',
  'Atan',
  'AveragePool',
  'BatchNormalization',
  'Cast',
  'Ceil',
  'Concat',
  'Constant',
  'ConstantOfShape',
  'Conv',
  'ConvTranspose',
  'Cos',
  'DepthToSpace',
  'Div',
  'Elu',
  'Equal',
  'Erf',
  'Exp',
  'Expand',
  'Flatten',
  'Floor',
  'Gather',
  'Gemm',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'Greater',
  'GRU',
  'HardSigmoid',
  'Identity',
  'InstanceNormalization',
  'LeakyRelu',
  'Less',
  'Log',
  'LRN',
  'LSTM',
  'LpNormalization',
  'MatMul',
  'Max',
  'MaxPool',
  'Mean',
  'Min',
  'Mul',
  'Neg',
  'Not',
  'Or',
  'PRelu',
  'Pow',
  'Reciprocal',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSumExp',
  'ReduceMax',
  'ReduceMean',
  'ReduceMin',
  'ReduceProd',
  'ReduceSumSquare',
  'Relu',
  'Reshape',
  'RNN',
  'Selu',
  'Shape',
  'Sigmoid',
  'Sign',
  'Sin',
  'Size',
  'Softplus',
  'Softsign',
  'SpaceToDepth',
  'Sqrt',
  'Sub',
  'Sum',
  'Tan',
  'Tanh',
  'Tile',
  'Transpose',
  'Where',
  'Xor',
]);

function ints(a: AttrValue | undefined): number[] | undefined {
  return a?.kind === 'ints' ? [...a.value] : undefined;
}
function float(a: AttrValue | undefined): number | undefined {
  return a?.kind === 'float' ? a.value : undefined;
}

interface Rewriter {
  readonly nodes: GraphNode[];
  readonly initializers: Map<string, Tensor>;
  /** Values some node or the graph outputs read. */
  readonly read: ReadonlySet<string>;
  fresh(base: string): string;
}

/** Attributes that became inputs: the named int64 (or float) inputs appended in order. */
function withInputs(n: GraphNode, r: Rewriter, inputs: (Tensor | undefined)[], drop: string[]): GraphNode {
  const names = inputs.map((t, k) => {
    if (!t) return '';
    const name = r.fresh(`${n.name}_input${k + 1}`);
    r.initializers.set(name, t);
    return name;
  });
  while (names.length > 0 && names[names.length - 1] === '') names.pop();
  const attributes = Object.fromEntries(Object.entries(n.attributes).filter(([k]) => !drop.includes(k)));
  return { ...n, inputs: [...n.inputs, ...names], attributes };
}

/** The node's opset-13 form, or undefined when it cannot be written there. */
function rewrite(n: GraphNode, opset: number, r: Rewriter): GraphNode[] | undefined {
  if (n.domain !== '' && n.domain !== 'ai.onnx') return [n];
  const op = n.opType;
  if (UNCHANGED.has(op)) return [n];
  const axes = ints(n.attributes.axes);
  switch (op) {
    case 'Dropout':
      // Inference: the output is the input; a mask output that something reads cannot be kept.
      if (n.outputs.length > 1 && n.outputs[1] && r.read.has(n.outputs[1])) return undefined;
      return [{ ...n, opType: 'Identity', inputs: [n.inputs[0]], outputs: [n.outputs[0]], attributes: {} }];
    case 'Squeeze':
    case 'Unsqueeze':
    case 'ReduceSum':
      if (n.inputs.length > 1) return [n]; // already the input form
      return [withInputs(n, r, [axes ? int64Tensor([axes.length], axes) : undefined], ['axes'])];
    case 'Split': {
      const split = ints(n.attributes.split);
      return [withInputs(n, r, [split ? int64Tensor([split.length], split) : undefined], ['split'])];
    }
    case 'Clip': {
      if (opset >= 11) return [n];
      const lo = float(n.attributes.min);
      const hi = float(n.attributes.max);
      return [
        withInputs(
          n,
          r,
          [
            makeTensor('float32', [], [lo ?? -3.4028234663852886e38]),
            makeTensor('float32', [], [hi ?? 3.4028234663852886e38]),
          ],
          ['min', 'max'],
        ),
      ];
    }
    case 'Pad': {
      if (opset >= 11) return [n];
      const pads = ints(n.attributes.pads) ?? [];
      const value = float(n.attributes.value) ?? 0;
      return [
        withInputs(
          n,
          r,
          [int64Tensor([pads.length], pads), makeTensor('float32', [], [value])],
          ['pads', 'value'],
        ),
      ];
    }
    case 'Slice': {
      if (opset >= 10) return [n];
      const starts = ints(n.attributes.starts) ?? [];
      const ends = ints(n.attributes.ends) ?? [];
      const inputs = [
        int64Tensor([starts.length], starts),
        int64Tensor([ends.length], ends),
        axes ? int64Tensor([axes.length], axes) : undefined,
      ];
      return [withInputs(n, r, inputs, ['starts', 'ends', 'axes'])];
    }
    case 'Softmax':
    case 'LogSoftmax':
    case 'Hardmax': {
      if (opset >= 13) return [n];
      const axis = n.attributes.axis?.kind === 'int' ? n.attributes.axis.value : 1;
      const flat = r.fresh(`${n.name}_flat`);
      const shape = r.fresh(`${n.name}_shape`);
      const y = r.fresh(`${n.name}_2d`);
      const nodes: GraphNode[] = [
        {
          name: r.fresh(`${n.name}_Flatten`),
          opType: 'Flatten',
          domain: '',
          inputs: [n.inputs[0]],
          outputs: [flat],
          attributes: { axis: { kind: 'int', value: axis } },
        },
        { ...n, inputs: [flat], outputs: [y], attributes: { axis: { kind: 'int', value: 1 } } },
        {
          name: r.fresh(`${n.name}_Shape`),
          opType: 'Shape',
          domain: '',
          inputs: [n.inputs[0]],
          outputs: [shape],
          attributes: {},
        },
        {
          name: r.fresh(`${n.name}_Reshape`),
          opType: 'Reshape',
          domain: '',
          inputs: [y, shape],
          outputs: [n.outputs[0]],
          attributes: {},
        },
      ];
      return nodes;
    }
    default:
      return undefined;
  }
}

export interface OpsetUpgrade {
  readonly model?: Model;
  /** Why the model keeps its opset (the first node that cannot be written at 13). */
  readonly reason?: string;
}

/** The model at ai.onnx opset 13 computing the same values, or the reason it cannot be. */
export function upgradeToOpset13(model: Model): OpsetUpgrade {
  const opset = opsetVersion(model, '') ?? 1;
  if (opset >= 13) return { model };
  const g = model.graph;
  const used = new Set<string>([...g.initializers.keys(), ...g.inputs.map((i) => i.name)]);
  for (const n of g.nodes) for (const o of [...n.outputs, n.name]) used.add(o);
  const r: Rewriter = {
    nodes: [],
    initializers: new Map(g.initializers),
    read: new Set([...g.nodes.flatMap((n) => n.inputs), ...g.outputs.map((o) => o.name)]),
    fresh(base) {
      let name = base;
      for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
      used.add(name);
      return name;
    },
  };
  for (const n of g.nodes) {
    if (n.attributes && Object.values(n.attributes).some((a) => a.kind === 'graph')) {
      return { reason: `node '${n.name}' (${n.opType}) has a subgraph` };
    }
    const out = rewrite(n, opset, r);
    if (!out) return { reason: `node '${n.name}' (${n.opType}) has no opset-13 form here` };
    r.nodes.push(...out);
  }
  const opsets = model.opsets.map((o) =>
    o.domain === '' || o.domain === 'ai.onnx' ? { ...o, version: 13 } : o,
  );
  return {
    model: {
      ...model,
      irVersion: Math.max(model.irVersion, 7),
      opsets,
      graph: { ...g, nodes: r.nodes, initializers: r.initializers },
    },
  };
}
