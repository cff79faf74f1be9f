// Simulated accumulators and requantize rules on the WebGPU executor (Dawn): the fused QDQ blocks of
// tests/unit/exec-accumulator-cases.ts run with each mode on the GPU and on the CPU interpreter;
// every value the integer nodes compute must be bit-identical, and so must the per-node accumulator
// statistics (the GPU's tiled int8 kernels count overflows and max |acc| in the same order as the
// references). Also: the packed kernels (wrap without statistics), ConvInteger / MatMulInteger, the
// one CPU fallback (onnxruntime's channels-last pairs in a 3x3 conv) with its reason in the summary.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import type { AccumulatorStats, ExecSettings } from '../../app/exec/cpu/op-types.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Model } from '../../app/model/ir.js';
import { MAX_ABS_U32 } from '../../kernels/quant-math/accumulator.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import {
  accumulatorBlock,
  INTEGER_OPS,
  MODE_CASES,
  type ModeCase,
  overflowingModeCases,
  overflowShare,
  randomModeCases,
  settingsFor,
} from '../unit/exec-accumulator-cases.js';
import { rng } from '../unit/fuse-qdq-cases.js';
import { firstMismatch, sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

/** The outputs of the integer nodes and the model's outputs (QGemm / MatMulInteger floats). */
function integerValues(model: Model): string[] {
  const outs = model.graph.nodes.filter((n) => INTEGER_OPS.has(n.opType)).flatMap((n) => n.outputs);
  return [...new Set([...outs, ...model.graph.outputs.map((o) => o.name)])];
}

interface Compared {
  cpuStats: Map<string, AccumulatorStats>;
  gpuStats: Map<string, AccumulatorStats>;
  fallbacks: readonly string[];
  kernelErrors: readonly string[];
}

/** Runs both backends with the same settings; values must be bit-identical. */
async function compare(
  model: Model,
  feeds: Map<string, Tensor>,
  settings: (stats: Map<string, AccumulatorStats>) => ExecSettings,
): Promise<Compared> {
  const wanted = integerValues(model);
  const cpuStats = new Map<string, AccumulatorStats>();
  const cpu = new CpuInterpreter(model, settings(cpuStats)).runSync(feeds, { outputs: wanted });
  const gpuStats = new Map<string, AccumulatorStats>();
  const gpu = await WebGpuExecutor.create(model, settings(gpuStats));
  try {
    const got = await gpu.run(feeds, { outputs: wanted });
    for (const name of wanted) {
      const want = cpu.get(name)!;
      expect(got.get(name)?.dtype, name).toBe(want.dtype);
      const diff = firstMismatch(got.get(name)!.data as ArrayLike<number>, want.data as ArrayLike<number>);
      expect(diff, name).toBeUndefined();
    }
    const summary = await gpu.summary();
    return { cpuStats, gpuStats, fallbacks: summary.cpuFallbacks, kernelErrors: summary.kernelErrors };
  } finally {
    gpu.dispose();
  }
}

const intFallbacks = (fallbacks: readonly string[]) =>
  fallbacks.filter((f) => /Conv|MatMul|QGemm/.test(f.split(' ')[0]));

/**
 * QLinearConv nodes whose u8 x s8 pairs run in onnxruntime's channels-last order over a spatial
 * kernel with several input channels (the GPU conv cannot): `QLinearConv (name)` as in the summary.
 * (fuse-qdq turns int8 activations into uint8 as onnxruntime does on x86, so int8 blocks have them.)
 */
function channelsLastPairs(model: Model): string[] {
  const init = model.graph.initializers;
  return model.graph.nodes
    .filter((n) => {
      if (n.opType !== 'QLinearConv') return false;
      const [xZp, w] = [init.get(n.inputs[2]), init.get(n.inputs[3])];
      const [, cg, kh, kw] = w?.dims ?? [];
      return xZp?.dtype === 'uint8' && w?.dtype === 'int8' && cg > 1 && kh * kw > 1;
    })
    .map((n) => `QLinearConv (${n.name})`);
}

const blocks = [accumulatorBlock('uint8', true, 11), accumulatorBlock('int8', false, 14)];

describe('WebGPU executor with simulated accumulators: bit-identical to the CPU, same statistics', () => {
  for (const block of blocks) {
    for (const c of [...MODE_CASES, ...randomModeCases(block.name.length * 17 + 3, 2)]) {
      it(`${block.name}: ${c.name}`, async () => {
        const r = await compare(block.model, block.feeds, (stats) => settingsFor(c, stats));
        expect(r.cpuStats.size).toBe(block.model.graph.nodes.filter((n) => INTEGER_OPS.has(n.opType)).length);
        expect(Object.fromEntries(r.gpuStats)).toEqual(Object.fromEntries(r.cpuStats));
        if (c.name === 'wrap16' || c.name === 'sat16') {
          const overflows = [...r.gpuStats.values()].reduce((a, s) => a + s.overflowCount, 0);
          expect(overflows).toBeGreaterThan(20);
        }
        // Every integer node runs on the GPU, onnxruntime's channels-last u8 x s8 pairs of the 3x3
        // conv included (the GEMM core walks K as (kh, kw, c) for it).
        expect(intFallbacks(r.fallbacks), r.kernelErrors.join('; ')).toEqual([]);
        // The uint8 block does hold such a conv (the case is not vacuous).
        if (block === blocks[0]) expect(channelsLastPairs(block.model)).toHaveLength(1);
      });
    }

    for (const c of overflowingModeCases(block.name.length * 13 + 1, 3)) {
      it(`${block.name}: ${c.name}: many accumulators overflow, the same on both backends`, async () => {
        const r = await compare(block.model, block.feeds, (stats) => settingsFor(c, stats));
        expect(Object.fromEntries(r.gpuStats)).toEqual(Object.fromEntries(r.cpuStats));
        const { overflows, count } = overflowShare(r.gpuStats);
        // Measured 52%..94% on these blocks and seeds.
        expect(overflows, `of ${count} accumulators`).toBeGreaterThanOrEqual(0.4 * count);
      });
    }

    it(`${block.name}: wrap16 without statistics (packed kernels) equals the CPU`, async () => {
      const c: ModeCase = { name: 'wrap16', accumulator: { kind: 'wrap', bits: 16 } };
      const r = await compare(block.model, block.feeds, () => ({
        integerAccumulation: 'exact',
        accumulator: c.accumulator,
      }));
      expect(intFallbacks(r.fallbacks)).toEqual([]);
    });
  }

  it('statistics are reported once per node per run, in plan order, after the run', async () => {
    const block = blocks[0];
    const calls: string[] = [];
    const gpu = await WebGpuExecutor.create(block.model, {
      integerAccumulation: 'exact',
      accumulator: { kind: 'saturate', bits: 16 },
      onAccumulatorStats: (node) => calls.push(node),
    });
    try {
      await gpu.run(block.feeds);
      await gpu.run(block.feeds);
    } finally {
      gpu.dispose();
    }
    const nodes = block.model.graph.nodes.filter((n) => INTEGER_OPS.has(n.opType)).map((n) => n.name);
    expect(calls).toEqual([...nodes, ...nodes]);
  });

  it('max |exact acc| above 2^32: both backends report 2^32 - 1 (the u32 cap of the statistics)', async () => {
    // K = 66100 products of +-255 * 255: |exact| = 4298152500 > 2^32 in both columns.
    const K = 66100;
    const model = decodeModel(
      buildModel({
        inputs: [{ name: 'a', dtype: 'int8', dims: [1, K] }],
        outputs: [{ name: 'y', dtype: 'int32' }],
        initializers: {
          b: makeTensor(
            'int8',
            [K, 2],
            Int8Array.from({ length: 2 * K }, (_, i) => (i % 2 ? 127 : -128)),
          ),
          za: makeTensor('int8', [], [127]),
          zb: makeTensor('int8', [2], [127, -128]),
        },
        nodes: [{ op: 'MatMulInteger', inputs: ['a', 'b', 'za', 'zb'], outputs: ['y'] }],
      }),
    );
    const feeds = new Map([['a', makeTensor('int8', [1, K], new Int8Array(K).fill(-128))]]);
    for (const c of [MODE_CASES[0], MODE_CASES[2], ...overflowingModeCases(5, 1)]) {
      const r = await compare(model, feeds, (stats) => settingsFor(c, stats));
      expect(Object.fromEntries(r.gpuStats), c.name).toEqual(Object.fromEntries(r.cpuStats));
      const stats = [...r.gpuStats.values()];
      expect(
        stats.map((s) => [s.maxAbs, s.overflowCount, s.count]),
        c.name,
      ).toEqual([[MAX_ABS_U32, 2, 2]]);
      expect(intFallbacks(r.fallbacks), c.name).toEqual([]);
    }
  });

  it('mnist-8-integer-ops: ConvInteger and MatMulInteger with sat16 / wrap12 / pairwise', async () => {
    const model = decodeModel(
      new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/models/mnist-8-integer-ops.onnx'))),
    );
    const r = rng(9);
    const digit = makeTensor(
      'float32',
      [1, 1, 28, 28],
      Float32Array.from({ length: 784 }, () => Math.floor(r() * 256)),
    );
    const cases: ModeCase[] = [
      { name: 'sat16', accumulator: { kind: 'saturate', bits: 16 } },
      { name: 'wrap12', accumulator: { kind: 'wrap', bits: 12 }, requantize: { kind: 'gemmlowp' } },
      { name: 'pairwise', accumulator: { kind: 'pairwise-int16-saturate' } },
    ];
    for (const c of cases) {
      const res = await compare(model, new Map([['Input3', digit]]), (stats) => settingsFor(c, stats));
      expect(Object.fromEntries(res.gpuStats), c.name).toEqual(Object.fromEntries(res.cpuStats));
      expect(res.cpuStats.size, c.name).toBe(
        model.graph.nodes.filter((n) => INTEGER_OPS.has(n.opType)).length,
      );
      expect(res.cpuStats.size, c.name).toBeGreaterThanOrEqual(3);
      expect(intFallbacks(res.fallbacks), c.name).toEqual([]);
    }
  });
});
