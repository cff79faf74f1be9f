// The WebGPU executor runs GridSample and a constant-index ScatterND on the GPU (no CPU node)
// and agrees with the CPU interpreter within 1e-4 relative (GridSample sums floats).
import { describe, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { expectClose, randomFloats } from './float-kernel-helpers.js';
import { runModelOnGpu } from './extra-ops.helper.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

describe('GridSample + ScatterND in one WebGPU run', () => {
  it('runs both on the GPU and matches the CPU interpreter', async () => {
    await gpu();
    const r = rng(90);
    const model = decodeModel(
      buildModel({
        opset: 20,
        inputs: [
          { name: 'x', dtype: 'float32', dims: [1, 2, 4, 5] },
          { name: 'grid', dtype: 'float32', dims: [1, 3, 3, 2] },
          { name: 'u', dtype: 'float32', dims: [2, 3] },
        ],
        outputs: [{ name: 'y', dtype: 'float32' }],
        initializers: {
          idx: makeTensor('int64', [2, 3], BigInt64Array.from([0n, 1n, 2n, 0n, -1n, 0n])),
        },
        nodes: [
          {
            op: 'GridSample',
            inputs: ['x', 'grid'],
            outputs: ['s'],
            attrs: { mode: 'cubic', padding_mode: 'border' },
          },
          { op: 'ScatterND', inputs: ['s', 'idx', 'u'], outputs: ['y'], attrs: { reduction: 'add' } },
        ],
      }),
    );
    const feeds = new Map([
      ['x', makeTensor('float32', [1, 2, 4, 5], randomFloats(r, 40, -3, 3))],
      ['grid', makeTensor('float32', [1, 3, 3, 2], randomFloats(r, 18, -1.4, 1.4))],
      ['u', makeTensor('float32', [2, 3], randomFloats(r, 6, -1, 1))],
    ]);
    const { got: out, want: cpu } = await runModelOnGpu(model, feeds);
    expectClose(out.get('y')!.data as Float32Array, cpu.get('y')!.data as Float32Array, 1e-4, 1e-5);
  });
});
