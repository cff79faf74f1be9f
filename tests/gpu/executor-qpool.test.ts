// A QDQ CNN with 8-bit MaxPool (padding, ceil_mode, dilations), Concat, AveragePool, nearest
// Resize, GlobalAveragePool and Softmax, fused for --integer: the WebGPU executor runs it with no
// CPU node in one submit (the pairwise uint8 3x3 QLinearConv included), every 8-bit value equals the CPU
// interpreter bit for bit, and the outputs equal onnxruntime-node ('all').
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import type { ExecSettings } from '../../app/exec/cpu/op-types.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { type Act, QdqBuilder, randomInput, rng, runOrt, weightScales } from '../unit/fuse-qdq-cases.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

function poolNet(act: Act, seed: number) {
  const b = new QdqBuilder(act, rng(seed));
  const sx = 4 / 255;
  const x = b.qdq('x', sx, b.zp());
  const w = b.weight([6, 3, 3, 3], true);
  const bias = b.bias(
    6,
    weightScales(b, w).map((s) => Math.fround(sx * s)),
  );
  const zc = b.zp(true);
  const conv = b.qdq(b.op('Conv', [x.dq, w, bias], { pads: [1, 1, 1, 1] }), 0.06, zc);
  // One DQ per consumer, as quantize_static writes them (a shared DQ keeps the pools float).
  const dqOf = (dq: string) => b.op('DequantizeLinear', b.nodes.find((n) => n.outputs[0] === dq)!.inputs);
  // MaxPool keeps its input's scale and zero point (onnxruntime drops its Q/DQ only then).
  const zMax = zc;
  const p1 = b.qdq(
    b.op('MaxPool', [conv.dq], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }),
    0.06,
    zMax,
  );
  const p2 = b.qdq(
    b.op('MaxPool', [dqOf(conv.dq)], {
      kernel_shape: [2, 2],
      strides: [2, 2],
      dilations: [2, 2],
      pads: [1, 1, 1, 1],
    }),
    0.06,
    zMax,
  );
  const cat = b.qdq(b.op('Concat', [p1.dq, p2.dq], { axis: 1 }), 0.06, zMax);
  const avgZp = b.zp();
  const avg = b.qdq(
    b.op('AveragePool', [cat.dq], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 0 }),
    0.05,
    avgZp,
  );
  const up = b.qdq(
    b.op('Resize', [avg.dq, '', b.const('scales', makeTensor('float32', [4], [1, 1, 2, 1.5]))], {
      mode: 'nearest',
    }),
    0.05,
    avgZp,
  );
  const gapZp = b.zp();
  const gap = b.qdq(b.op('GlobalAveragePool', [up.dq]), 0.02, gapZp);
  const flat = b.qdq(b.op('Flatten', [gap.dq], { axis: 1 }), 0.02, gapZp);
  const sm = b.qdq(b.op('Softmax', [flat.dq], { axis: 1 }), 1 / 256, b.zp(true));
  b.nodes.push({ op: 'Identity', inputs: [sm.dq], outputs: ['y'] });
  // The resized map is an output too, so its values are compared as well.
  b.nodes.push({ op: 'Identity', inputs: [dqOf(up.dq)], outputs: ['up'] });
  const bytes = b.model(
    [{ name: 'x', dtype: 'float32', dims: [1, 3, 15, 15] }],
    [
      { name: 'y', dtype: 'float32' },
      { name: 'up', dtype: 'float32' },
    ],
  );
  return { bytes, x: randomInput(rng(seed * 3), [1, 3, 15, 15], 2) };
}

function expectSame(got: Tensor | undefined, want: Tensor, what: string) {
  expect(got?.dtype, what).toBe(want.dtype);
  expect([...got!.dims], what).toEqual([...want.dims]);
  expect(Array.from(got!.data as ArrayLike<number>), what).toEqual(
    Array.from(want.data as ArrayLike<number>),
  );
}

describe('quantized pooling CNN on WebGPU', () => {
  for (const act of ['uint8', 'int8'] as const)
    for (const settings of [
      { integerAccumulation: 'exact' },
      { integerAccumulation: 'x86-u8s8-pairwise' },
    ] as ExecSettings[])
      it(`act=${act} (${settings.integerAccumulation}): no CPU node, bit-exact with the CPU and onnxruntime`, async () => {
        const net = poolNet(act, act === 'uint8' ? 3 : 4);
        const model = fuseQdqForIntegerExecution(decodeModel(net.bytes));
        const ops = model.graph.nodes.map((n) => n.opType);
        expect(ops).toContain('MaxPool');
        expect(ops).toContain('Resize');
        // int8: with the float Conv and Resize before it the fusion leaves GlobalAveragePool float.
        if (act === 'uint8') expect(ops).toContain('QLinearGlobalAveragePool');
        expect(ops).toContain('QLinearAveragePool');
        expect(ops).toContain('QLinearSoftmax');
        const feeds = new Map([['x', net.x]]);
        const produced = model.graph.nodes.flatMap((n) => n.outputs).filter(Boolean);
        const cpu = new CpuInterpreter(model, settings).runSync(feeds, { outputs: produced });
        // uint8: the pools and the Resize run on 8-bit values. int8: onnxruntime on x86 takes no
        // int8 activations in QLinearConv, so the fusion leaves the Conv float and the MaxPools and
        // Resize with it (float kernels on the GPU: nearest Resize is a gather there too).
        const pools = model.graph.nodes.filter((n) => n.opType === 'MaxPool' || n.opType === 'Resize');
        for (const n of pools)
          expect(cpu.get(n.outputs[0])!.dtype).toBe(act === 'uint8' ? 'uint8' : 'float32');
        const gpu = await WebGpuExecutor.create(model, settings);
        try {
          const out = await gpu.run(feeds);
          const summary = await gpu.summary();
          // Every node on the GPU, the pairwise uint8 3x3 QLinearConv included: one submit.
          expect(summary.cpuFallbacks, summary.kernelErrors.join('; ')).toEqual([]);
          expect(gpu.lastRun!.submits).toBe(1);
          expectSame(out.get('y'), cpu.get('y')!, 'y');
          expectSame(out.get('up'), cpu.get('up')!, 'up');
          const eightBit = produced.filter((n) => ['int8', 'uint8'].includes(cpu.get(n)!.dtype));
          const all = await gpu.run(feeds, { outputs: eightBit });
          for (const n of eightBit) expectSame(all.get(n), cpu.get(n)!, n);
          // onnxruntime on x86 sums u8 x s8 convs in pairs: the exact setting matches it only for int8.
          if (settings.integerAccumulation === 'x86-u8s8-pairwise' || act === 'int8') {
            const ort = await runOrt(net.bytes, { x: net.x }, 'all');
            expectSame(out.get('y'), ort.y, 'y vs onnxruntime');
            expectSame(out.get('up'), ort.up, 'up vs onnxruntime');
          }
        } finally {
          gpu.dispose();
        }
      });
});
