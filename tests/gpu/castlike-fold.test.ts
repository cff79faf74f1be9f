// CastLike reads only its second input's element type. The expanded Attention functions cast
// constants (-inf, 0) "like" a computed tensor; the WebGPU plan folds those at plan time instead of
// running them as CPU fallbacks that split the run into several submissions.
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { expectNear, expectSameTensor, randomTensor, rng } from '../unit/tensor-oracle.helper.js';
import { runModelOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

describe('CastLike of a constant "like" a computed value on the WebGPU executor', () => {
  it("folds at plan time: no CPU fallback, one submission, the CPU interpreter's values", async () => {
    const r = rng(7);
    const model = decodeModel(
      buildModel({
        opset: 21,
        inputs: [{ name: 'x', dtype: 'float32', dims: [3, 5] }],
        outputs: [
          { name: 'y', dtype: 'float32' },
          { name: 'n', dtype: 'int32' },
        ],
        initializers: {
          ninf: makeTensor('float64', [1], Float64Array.from([-Infinity])),
          half: makeTensor('float64', [1], Float64Array.from([0.5000000001])),
          seven: makeTensor('float32', [1], Float32Array.from([7.9])),
          zero: makeTensor('float32', [], Float32Array.from([0])),
        },
        nodes: [
          { op: 'Softmax', inputs: ['x'], outputs: ['s'], attrs: { axis: 1 } },
          { op: 'CastLike', inputs: ['ninf', 's'], outputs: ['ninf32'] },
          { op: 'CastLike', inputs: ['half', 's'], outputs: ['half32'] },
          { op: 'Greater', inputs: ['x', 'zero'], outputs: ['pos'] },
          { op: 'Where', inputs: ['pos', 's', 'ninf32'], outputs: ['w'] },
          { op: 'Add', inputs: ['w', 'half32'], outputs: ['y'] },
          // A computed int32 target: 7.9 truncates to 7.
          { op: 'Cast', inputs: ['x'], outputs: ['xi'], attrs: { to: 6 } },
          { op: 'CastLike', inputs: ['seven', 'xi'], outputs: ['seven32'] },
          { op: 'Where', inputs: ['pos', 'xi', 'seven32'], outputs: ['n'] },
        ],
      }),
    );
    const feeds = new Map<string, Tensor>([['x', randomTensor(r, 'float32', [3, 5], -4, 4)]]);
    const { got, want, summary } = await runModelOnGpu(model, feeds);
    expect(summary.foldedNodes).toBeGreaterThanOrEqual(3);
    expectNear(got.get('y')!, want.get('y')!, 'y'); // Softmax on the GPU: within 1e-4
    expectSameTensor(got.get('n')!, want.get('n')!, 'n');
    expect(Array.from(got.get('y')!.data as Float32Array)).toContain(-Infinity);
  });
});
