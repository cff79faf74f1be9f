// One-node float ONNX models for the peers: Conv (with bias) or MatMul, weights as initializers
// (constants, as in a real model), built through the project's own encoder (app/model/encode.ts).
import { encodeModel } from '../app/model/encode.js';
import type { GraphNode, Model } from '../app/model/ir.js';
import { makeTensor, type Tensor } from '../kernels/tensor.js';
import { type BenchCase, type CaseData, outputDims } from './bench-cases.js';

export const INPUT_NAME = 'x';
export const OUTPUT_NAME = 'y';

/** The float model of a case, as ONNX bytes (opset 17). */
export function floatModel(c: BenchCase, d: CaseData): Uint8Array {
  const s = c.shape;
  const initializers = new Map<string, Tensor>([['w', makeTensor('float32', d.wDims, d.wF)]]);
  let node: GraphNode;
  if (s.kind === 'conv') {
    initializers.set('b', makeTensor('float32', [d.biasF.length], d.biasF));
    node = {
      name: 'conv',
      opType: 'Conv',
      domain: '',
      inputs: [INPUT_NAME, 'w', 'b'],
      outputs: [OUTPUT_NAME],
      attributes: {
        group: { kind: 'int', value: s.group },
        kernel_shape: { kind: 'ints', value: [s.wDims[2], s.wDims[3]] },
        pads: { kind: 'ints', value: [s.pads[0], s.pads[1], s.pads[2], s.pads[3]] },
        strides: { kind: 'ints', value: [1, 1] },
      },
    };
  } else {
    node = {
      name: 'matmul',
      opType: 'MatMul',
      domain: '',
      inputs: [INPUT_NAME, 'w'],
      outputs: [OUTPUT_NAME],
      attributes: {},
    };
  }
  const model: Model = {
    irVersion: 8,
    producerName: 'qplay-bench',
    producerVersion: '1',
    domain: '',
    modelVersion: 1,
    docString: `${c.name}: one float node for the benchmark peers`,
    opsets: [{ domain: '', version: 17 }],
    metadata: {},
    graph: {
      name: c.name,
      nodes: [node],
      inputs: [{ name: INPUT_NAME, dtype: 'float32', dims: [...d.xDims] }],
      outputs: [{ name: OUTPUT_NAME, dtype: 'float32', dims: outputDims(c.shape) }],
      initializers,
      valueInfo: new Map(),
    },
  };
  return encodeModel(model);
}
