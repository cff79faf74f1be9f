// Small float models for the quantization tests of onnxruntime's QDQ-registry ops (shared by the
// CPU and WebGPU workflow tests).
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from './onnx-builder.js';
import { rng } from './realistic-models.js';

export function randomTensor(seed: number, dims: number[], scale: number): Tensor {
  const r = rng(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return makeTensor(
    'float32',
    dims,
    Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale),
  );
}

/** Conv (stride 2) -> Relu -> ConvTranspose (stride 2) -> Relu -> ConvTranspose (group 2): x [1, 3, 12, 12]. */
export function decoderModel(): Uint8Array {
  return buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 12, 12] }],
    outputs: [{ name: 'y', dtype: 'float32' }],
    initializers: {
      w1: randomTensor(1, [48, 3, 3, 3], 0.4),
      b1: randomTensor(2, [48], 0.1),
      w2: randomTensor(3, [48, 16, 4, 4], 0.1),
      b2: randomTensor(4, [16], 0.1),
      w3: randomTensor(5, [16, 2, 3, 3], 0.15),
      b3: randomTensor(6, [4], 0.1),
    },
    nodes: [
      {
        op: 'Conv',
        inputs: ['x', 'w1', 'b1'],
        outputs: ['c1'],
        attrs: { pads: [1, 1, 1, 1], strides: [2, 2] },
      },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      {
        op: 'ConvTranspose',
        inputs: ['r1', 'w2', 'b2'],
        outputs: ['t2'],
        attrs: { strides: [2, 2], pads: [1, 1, 1, 1] },
      },
      { op: 'Relu', inputs: ['t2'], outputs: ['r2'] },
      {
        op: 'ConvTranspose',
        inputs: ['r2', 'w3', 'b3'],
        outputs: ['y'],
        attrs: { pads: [1, 1, 1, 1], group: 2 },
      },
    ],
  });
}
