// The WebGPU executor on quantized models vs the CPU interpreter, bit for bit: mnist-8-integer-ops
// (ConvInteger + MatMulInteger) and QDQ blocks fused with fuseQdqForIntegerExecution (QLinearConv
// 3x3 / depthwise / 1x1, QLinearMatMul, MatMulInteger, com.microsoft QGemm with and without
// requantize, the com.microsoft QLinear element-wise / pool / concat ops), under both integer
// accumulation settings. Every integer value the fused graph computes is requested and compared
// (not only the float outputs), and the summary says which nodes stay on the CPU.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import type { ExecSettings } from '../../app/exec/cpu/op-types.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Model } from '../../app/model/ir.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { type Act, QdqBuilder, randomInput, rng, weightScales } from '../unit/fuse-qdq-cases.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();
const fixtures = join(import.meta.dirname, '../fixtures/models');
const EXACT: ExecSettings = { integerAccumulation: 'exact' };
const PAIRWISE: ExecSettings = { integerAccumulation: 'x86-u8s8-pairwise' };

function expectBitExact(got: Tensor | undefined, expected: Tensor, what: string): void {
  expect(got, what).toBeDefined();
  expect(got!.dtype, `${what} dtype`).toBe(expected.dtype);
  expect([...got!.dims], `${what} dims`).toEqual([...expected.dims]);
  const a = got!.data as ArrayLike<number>;
  const e = expected.data as ArrayLike<number>;
  for (let i = 0; i < e.length; i++)
    if (!Object.is(a[i], e[i])) expect.fail(`${what}[${i}]: gpu ${a[i]}, cpu ${e[i]}`);
}

/**
 * Values downstream of a float op other than Q/DQ and data movement. The GPU float kernels match
 * the CPU within 1e-4, not bit for bit (the CPU reproduces onnxruntime's f32 summation orders, e.g.
 * MLAS AveragePool), so a QuantizeLinear after one can round the other way: such values are
 * checked to within one quantization step on at most 5% of their elements.
 */
function floatTainted(model: Model): Set<string> {
  const exact = new Set([
    'QuantizeLinear',
    'DequantizeLinear',
    'Transpose',
    'Reshape',
    'Flatten',
    'MaxPool',
    'Cast',
  ]);
  const tainted = new Set<string>();
  for (const n of model.graph.nodes) {
    const floatOp = n.domain === '' && !exact.has(n.opType) && !/Integer|QLinear/.test(n.opType);
    if (floatOp || n.inputs.some((i) => tainted.has(i))) for (const o of n.outputs) tainted.add(o);
  }
  return tainted;
}

function expectNearlyExact(got: Tensor | undefined, expected: Tensor, what: string): void {
  expect(got?.dtype, `${what} dtype`).toBe(expected.dtype);
  const a = got!.data as ArrayLike<number>;
  const e = expected.data as ArrayLike<number>;
  let differ = 0;
  for (let i = 0; i < e.length; i++) {
    if (a[i] === e[i]) continue;
    differ++;
    if (Math.abs(a[i] - e[i]) > 1) expect.fail(`${what}[${i}]: gpu ${a[i]}, cpu ${e[i]}`);
  }
  expect(differ, `${what}: elements off by one`).toBeLessThanOrEqual(Math.ceil(0.05 * e.length));
}

async function compareAll(model: Model, feeds: Map<string, Tensor>, settings: ExecSettings) {
  const tainted = floatTainted(model);
  const produced = model.graph.nodes.flatMap((n) => n.outputs).filter(Boolean);
  const all = new CpuInterpreter(model, settings).runSync(feeds, { outputs: produced });
  const wanted = [
    ...new Set([
      ...model.graph.outputs.map((o) => o.name),
      // Every 8-bit / int32 value a node computes.
      ...[...all.keys()].filter((n) => ['int8', 'uint8', 'int32'].includes(all.get(n)!.dtype)),
    ]),
  ];
  const gpu = await WebGpuExecutor.create(model, settings);
  try {
    const got = await gpu.run(feeds, { outputs: wanted });
    for (const name of wanted) {
      const t = all.get(name)!;
      if (!tainted.has(name)) expectBitExact(got.get(name), t, name);
      else if (t.dtype !== 'float32') expectNearlyExact(got.get(name), t, name);
    }
    // The default outputs alone: the plan that keeps nothing else (buffers reused), one submit
    // unless a CPU fallback splits the work.
    const outs = await gpu.run(feeds);
    for (const o of model.graph.outputs)
      if (!tainted.has(o.name)) expectBitExact(outs.get(o.name), all.get(o.name)!, o.name);
    const summary = await gpu.summary();
    // One submit, plus at most one per CPU fallback (consecutive fallbacks share one).
    if (summary.cpuFallbacks.length === 0) expect(gpu.lastRun!.submits).toBe(1);
    else expect(gpu.lastRun!.submits).toBeLessThanOrEqual(summary.cpuFallbacks.length + 1);
    if (process.env.QPLAY_GPU_REPORT) console.log(JSON.stringify({ summary, run: gpu.lastRun }));
    return summary;
  } finally {
    gpu.dispose();
  }
}

/** A QDQ block in quantize_static's layout (see tests/unit/fuse-qdq-mobilenet.test.ts). */
function quantBlock(
  act: Act,
  perChannel: boolean,
  seed: number,
): { model: Model; feeds: Map<string, Tensor> } {
  const r = rng(seed);
  const b = new QdqBuilder(act, r);
  const conv = (
    x: { dq: string; scale: number },
    wDims: number[],
    attrs: Record<string, number | number[]>,
    out: { scale: number; zp: number },
  ) => {
    const w = b.weight(wDims, perChannel);
    const bias = b.bias(
      wDims[0],
      weightScales(b, w).map((s) => Math.fround(x.scale * s)),
    );
    return { ...b.qdq(b.op('Conv', [x.dq, w, bias], attrs), out.scale, out.zp), scale: out.scale };
  };
  const sx = 4 / 255;
  const x = { ...b.qdq('x', sx, b.zp()), scale: sx };
  const c1 = conv(x, [8, 3, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }, { scale: 0.06, zp: b.zp(true) });
  const dw = conv(c1, [8, 1, 3, 3], { pads: [1, 1, 1, 1], group: 8 }, { scale: 0.08, zp: b.zp() });
  const pw = conv(dw, [8, 8, 1, 1], {}, { scale: 0.1, zp: b.zp() });
  const add = b.qdq(b.op('Add', [pw.dq, c1.dq]), 0.12, b.zp());
  const sig = b.qdq(b.op('Sigmoid', [add.dq]), 1 / 255, b.zp(true));
  const mul = b.qdq(b.op('Mul', [add.dq, sig.dq]), 0.07, b.zp());
  const leaky = b.qdq(b.op('LeakyRelu', [mul.dq], { alpha: { float: 0.1 } }), 0.05, b.zp());
  const zMove = b.zp();
  const pool = b.qdq(b.op('MaxPool', [leaky.dq], { kernel_shape: [2, 2], strides: [2, 2] }), 0.05, zMove);
  const nhwc = b.qdq(b.op('Transpose', [pool.dq], { perm: [0, 2, 3, 1] }), 0.05, zMove);
  const nchw = b.qdq(b.op('Transpose', [nhwc.dq], { perm: [0, 3, 1, 2] }), 0.05, zMove);
  const avg = b.qdq(
    b.op('AveragePool', [nchw.dq], { kernel_shape: [2, 2], pads: [1, 1, 0, 0] }),
    0.04,
    b.zp(),
  );
  const cat = b.qdq(b.op('Concat', [avg.dq, nchw.dq], { axis: 1 }), 0.1, b.zp());
  const gapZp = b.zp();
  const gap = b.qdq(b.op('GlobalAveragePool', [cat.dq]), 0.05, gapZp);
  const flat = { ...b.qdq(b.op('Flatten', [gap.dq], { axis: 1 }), 0.05, gapZp), scale: 0.05 };
  const fcW = b.weight([12, 16], perChannel, 0);
  const fcBias = b.bias(
    12,
    weightScales(b, fcW).map((s) => Math.fround(flat.scale * s)),
  );
  const fc = b.qdq(b.op('Gemm', [flat.dq, fcW, fcBias], { transB: 1 }), 0.1, b.zp());
  // QLinearMatMul, then MatMulInteger (no Q after the MatMul) and a float-output QGemm.
  const mm = b.qdq(b.op('MatMul', [fc.dq, b.weight([12, 6], false)]), 0.2, b.zp());
  b.nodes.push({ op: 'MatMul', inputs: [mm.dq, b.weight([6, 5], false)], outputs: ['y'] });
  b.nodes.push({ op: 'Gemm', inputs: [fc.dq, b.weight([12, 4], perChannel, 1)], outputs: ['z'] });
  const bytes = b.model(
    [{ name: 'x', dtype: 'float32', dims: [1, 3, 16, 16] }],
    [
      { name: 'y', dtype: 'float32' },
      { name: 'z', dtype: 'float32' },
    ],
  );
  const model = fuseQdqForIntegerExecution(decodeModel(bytes));
  return { model, feeds: new Map([['x', randomInput(rng(seed * 7), [1, 3, 16, 16], 2)]]) };
}

describe('WebGpuExecutor on quantized models, bit-exact with the CPU interpreter', () => {
  const mnist = decodeModel(new Uint8Array(readFileSync(join(fixtures, 'mnist-8-integer-ops.onnx'))));
  const r = rng(8);
  const digit = makeTensor(
    'float32',
    [1, 1, 28, 28],
    Float32Array.from({ length: 784 }, () => Math.floor(r() * 256)),
  );
  for (const settings of [EXACT, PAIRWISE]) {
    it(`mnist-8-integer-ops (${settings.integerAccumulation})`, async () => {
      const summary = await compareAll(mnist, new Map([['Input3', digit]]), settings);
      expect(summary.cpuFallbacks).toEqual([]);
    });
  }
  let seed = 70;
  for (const act of ['uint8', 'int8'] as const) {
    for (const perChannel of [true, false]) {
      const block = quantBlock(act, perChannel, seed++);
      for (const settings of [EXACT, PAIRWISE]) {
        const name = `QDQ block act=${act} ${perChannel ? 'per-channel' : 'per-tensor'} (${settings.integerAccumulation})`;
        it(name, async () => {
          const summary = await compareAll(block.model, block.feeds, settings);
          // Every integer conv / matmul op runs on the GPU, onnxruntime's channels-last u8s8 pairs
          // of a conv with a spatial kernel and several input channels per group included.
          const intFallbacks = summary.cpuFallbacks
            .map((f) => f.split(' ')[0])
            .filter((op) => /Conv|MatMul|QGemm/.test(op));
          expect(intFallbacks, summary.kernelErrors.join('; ')).toEqual([]);
        });
      }
    }
  }
});
