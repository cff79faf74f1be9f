// RNN, GRU and LSTM between GPU nodes: a MatMul feeds each recurrent node and element-wise ops
// read its outputs (one of them omitted). They used to be CPU fallbacks here; now the whole run
// stays on the GPU (app/exec/webgpu/lower-rnn.ts), and the result must equal the CPU interpreter's
// within float32 rounding of the GPU MatMul and recurrence (1e-4 relative). Curated and random
// cases of the kernel alone: rnn-webgpu.test.ts.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { expectClose } from '../unit/nn-oracle.helper.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

function rand(r: () => number, dims: number[], scale = 1): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return makeTensor(
    'float32',
    dims,
    Float32Array.from({ length: n }, () => (2 * r() - 1) * scale),
  );
}

const GATES = { RNN: 1, GRU: 3, LSTM: 4 } as const;

function model(op: keyof typeof GATES, layout: 0 | 1, seed: number) {
  const r = rng(seed);
  const [S, B, I, H, D] = [4, 2, 3, 5, 2];
  const g = GATES[op];
  const xDims = layout === 1 ? [B, S, I] : [S, B, I];
  const init: Record<string, Tensor> = {
    P0: rand(r, [I, I]),
    W: rand(r, [D, g * H, I], 0.6),
    R: rand(r, [D, g * H, H], 0.6),
    B: rand(r, [D, 2 * g * H], 0.6),
    L: makeTensor('int32', [B], Int32Array.from([4, 2])),
  };
  // LSTM: Y_h omitted, Y_c read; RNN / GRU: both read.
  const outs = op === 'LSTM' ? ['Y', '', 'Yc'] : ['Y', 'Yh'];
  const bytes = buildModel({
    opset: 14,
    inputs: [{ name: 'X', dtype: 'float32', dims: xDims }],
    outputs: [
      { name: 'out', dtype: 'float32' },
      { name: 'state', dtype: 'float32' },
    ],
    initializers: init,
    nodes: [
      { op: 'MatMul', inputs: ['X', 'P0'], outputs: ['Xp'] },
      {
        op,
        inputs: ['Xp', 'W', 'R', 'B', 'L'],
        outputs: outs,
        attrs: { hidden_size: H, direction: 'bidirectional', ...(layout ? { layout } : {}) },
      },
      { op: 'Relu', inputs: ['Y'], outputs: ['out'] },
      { op: 'Sigmoid', inputs: [op === 'LSTM' ? 'Yc' : 'Yh'], outputs: ['state'] },
    ],
  });
  return { bytes, x: rand(r, xDims) };
}

describe('recurrent ops between GPU nodes in a WebGPU run', () => {
  for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
    for (const layout of [0, 1] as const) {
      it(`${op} layout ${layout} between GPU nodes`, async () => {
        const { bytes, x } = model(op, layout, 7 + layout);
        const feeds = new Map([['X', x]]);
        const want = new CpuInterpreter(decodeModel(bytes)).runSync(feeds);
        const executor = await WebGpuExecutor.create(decodeModel(bytes));
        try {
          const got = await executor.run(feeds);
          const { cpuFallbacks } = await executor.summary();
          const s = await executor.summary();
          expect([cpuFallbacks, s.kernelErrors]).toEqual([[], []]);
          for (const name of ['out', 'state'])
            expectClose(got.get(name)!, want.get(name)!, 1e-4, 1e-6, `${op} ${name}`);
        } finally {
          executor.dispose();
        }
      });
    }
  }
});
