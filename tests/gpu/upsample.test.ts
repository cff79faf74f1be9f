// Upsample (opsets 7 and 9; deprecated at 10 for Resize): nearest and linear, scales as an
// attribute (7) or a constant input (9), on the CPU interpreter against onnxruntime-node (nearest
// exactly, linear within 1e-5), and on the WebGPU executor against the CPU with no CPU fallback.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { QUIET } from '../helpers/ort-quiet.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

function upsample(opset: 7 | 9, mode: string, scales: number[], dims: number[]) {
  const s = makeTensor('float32', [scales.length], scales);
  return buildModel({
    opset,
    inputs: [{ name: 'x', dtype: 'float32', dims }],
    outputs: [{ name: 'y', dtype: 'float32' }],
    initializers: opset === 9 ? { s } : {},
    nodes: [
      {
        op: 'Upsample',
        inputs: opset === 9 ? ['x', 's'] : ['x'],
        outputs: ['y'],
        attrs: opset === 9 ? { mode } : { mode, scales: { floats: scales } },
      },
    ],
  });
}

describe('Upsample', () => {
  for (const opset of [7, 9] as const)
    for (const mode of ['nearest', 'linear'])
      it(`opset ${opset}, ${mode}: CPU = onnxruntime, WebGPU = CPU on the GPU`, async () => {
        const dims = [1, 2, 3, 4];
        const scales = [1, 1, 2, 1.5];
        const bytes = upsample(opset, mode, scales, dims);
        const x = makeTensor(
          'float32',
          dims,
          Array.from({ length: 24 }, (_, i) => Math.sin(i) * 10),
        );
        const feeds = new Map([['x', x]]);
        const cpu = new CpuInterpreter(decodeModel(bytes)).runSync(feeds).get('y')!;
        const session = await ort.InferenceSession.create(bytes, QUIET);
        const theirs = (await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, dims) })).y;
        await session.release();
        expect([...cpu.dims]).toEqual([...theirs.dims]);
        const a = cpu.data as Float32Array;
        const b = theirs.data as Float32Array;
        for (let i = 0; i < b.length; i++)
          expect(Math.abs(a[i] - b[i]), `element ${i}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b[i])));
        const gpu = await WebGpuExecutor.create(decodeModel(bytes));
        try {
          const got = (await gpu.run(feeds)).get('y')!;
          expect((await gpu.summary()).cpuFallbacks).toEqual([]);
          expect(Array.from(got.data as Float32Array)).toEqual(Array.from(a));
        } finally {
          gpu.dispose();
        }
      });
});
