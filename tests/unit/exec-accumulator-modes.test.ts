// Simulated accumulators and requantize rules on the integer execution path (CPU interpreter on
// QDQ models fused by fuseQdqForIntegerExecution): every integer node's output and accumulator
// statistics against a direct call of the kernel references on the same inputs, for curated and
// random modes; narrow accumulators shown to overflow and change outputs; the default settings
// still bit-exact with onnxruntime 'all'; execSettingsFor's mapping of config names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAccumulation } from '../../app/cli/run-model.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import type { AccumulatorStats, ExecSettings } from '../../app/exec/cpu/op-types.js';
import { findCpuOp } from '../../app/exec/cpu/registry.js';
import { execSettingsFor } from '../../app/exec/quant-settings.js';
import { decodeModel } from '../../app/model/decode.js';
import { InputError } from '../../app/model/errors.js';
import type { GraphNode, Model } from '../../app/model/ir.js';
import type { AccumulatorName } from '../../app/quant/config.js';
import { denseInt8 } from '../../kernels/dense-int8/dense-int8.ref.js';
import { requantizeTensor } from '../../kernels/requantize/requantize.ref.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import {
  accumulatorBlock,
  type Block,
  INTEGER_OPS,
  MODE_CASES,
  type ModeCase,
  nodeOracle,
  overflowingModeCases,
  overflowShare,
  producedValues,
  randomModeCases,
  settingsFor,
} from './exec-accumulator-cases.js';
import { rng, runOrt } from './fuse-qdq-cases.js';

const HOST = resolveAccumulation('auto');

interface Run {
  values: Map<string, Tensor>;
  stats: Map<string, AccumulatorStats>;
}

function runCpu(model: Model, feeds: Map<string, Tensor>, c: ModeCase): Run {
  const stats = new Map<string, AccumulatorStats>();
  const out = new CpuInterpreter(model, settingsFor(c, stats)).runSync(feeds, {
    outputs: producedValues(model),
  });
  const values = new Map([...model.graph.initializers, ...feeds, ...out]);
  return { values, stats };
}

const integerNodes = (m: Model): GraphNode[] => m.graph.nodes.filter((n) => INTEGER_OPS.has(n.opType));

/** Every integer node's output and statistics equal the references'; returns total overflows. */
function expectNodesMatchOracle(model: Model, run: Run, c: ModeCase): number {
  let overflows = 0;
  const nodes = integerNodes(model);
  expect(nodes.length).toBeGreaterThan(0);
  expect([...run.stats.keys()].sort()).toEqual(nodes.map((n) => n.name).sort());
  for (const node of nodes) {
    const oracle = nodeOracle(c, node, (name) => run.values.get(name));
    const got = run.values.get(node.outputs[0])!;
    expect(Array.from(got.data as ArrayLike<number>), `${node.name} (${node.opType}) output`).toEqual(
      Array.from(oracle.output),
    );
    expect(run.stats.get(node.name), `${node.name} stats`).toEqual(oracle.stats);
    overflows += oracle.stats.overflowCount;
  }
  return overflows;
}

const blocks: Block[] = [
  accumulatorBlock('uint8', true, 11),
  accumulatorBlock('uint8', false, 12),
  accumulatorBlock('int8', true, 13),
];

describe('integer execution with simulated accumulators (CPU interpreter)', () => {
  for (const block of blocks) {
    for (const c of [...MODE_CASES, ...randomModeCases(block.name.length * 31 + 5, 4)]) {
      it(`${block.name}: ${c.name}: node outputs and statistics equal the kernel references`, () => {
        const run = runCpu(block.model, block.feeds, c);
        const overflows = expectNodesMatchOracle(block.model, run, c);
        // 16-bit accumulators over K = 144 terms of up to 255 * 127 overflow often.
        if (c.name === 'wrap16' || c.name === 'sat16') expect(overflows).toBeGreaterThan(20);
        if (c.name === 'int32') expect(overflows).toBe(0);
      });
    }

    for (const c of overflowingModeCases(block.name.length * 29 + 7, 2)) {
      it(`${block.name}: ${c.name}: many accumulators overflow; outputs and statistics equal the references`, () => {
        const run = runCpu(block.model, block.feeds, c);
        const overflows = expectNodesMatchOracle(block.model, run, c);
        const { count } = overflowShare(run.stats);
        expect(overflows, `of ${count} accumulators`).toBeGreaterThanOrEqual(0.4 * count);
      });
    }

    it(`${block.name}: narrow accumulators change the outputs; the limits are the modes'`, () => {
      const byName = (name: string) => MODE_CASES.find((c) => c.name === name)!;
      const int32 = runCpu(block.model, block.feeds, byName('int32'));
      const wrap = runCpu(block.model, block.feeds, byName('wrap16'));
      const sat = runCpu(block.model, block.feeds, byName('sat16'));
      const conv = integerNodes(block.model).find((n) => n.opType === 'QLinearConv')!;
      const data = (r: Run) => Array.from(r.values.get(conv.outputs[0])!.data as Int8Array);
      expect(data(wrap)).not.toEqual(data(int32));
      expect(data(sat)).not.toEqual(data(wrap));
      expect(int32.stats.get(conv.name)!.limit).toBe(2 ** 31 - 1);
      expect(wrap.stats.get(conv.name)!.limit).toBe(32767);
      expect(sat.stats.get(conv.name)!.maxAbs).toBe(int32.stats.get(conv.name)!.maxAbs);
      expect(wrap.stats.get(conv.name)!.maxAbs).toBeGreaterThan(32767);
      // 1 x 16 x 4 x 4 accumulators.
      expect(int32.stats.get(conv.name)!.count).toBe(256);
    });

    it(`${block.name}: default settings are bit-exact with onnxruntime 'all'; statistics change nothing`, async () => {
      const outputs = block.model.graph.outputs.map((o) => o.name);
      const plain = new CpuInterpreter(block.model, { integerAccumulation: HOST }).runSync(block.feeds);
      const ort = await runOrt(block.bytes, Object.fromEntries(block.feeds), 'all');
      for (const o of outputs) {
        const got = Array.from(plain.get(o)!.data as Float32Array);
        const want = Array.from(ort[o].data as Float32Array);
        // Float outputs of MatMulInteger -> Cast -> Mul and QGemm: onnxruntime's own f32 products.
        expect(got, o).toEqual(want);
      }
      const stats = new Map<string, AccumulatorStats>();
      const settings: ExecSettings = {
        integerAccumulation: HOST,
        onAccumulatorStats: (n, s) => stats.set(n, s),
      };
      const all = producedValues(block.model);
      const withStats = new CpuInterpreter(block.model, settings).runSync(block.feeds, { outputs: all });
      const without = new CpuInterpreter(block.model, { integerAccumulation: HOST }).runSync(block.feeds, {
        outputs: all,
      });
      for (const name of all) expect(withStats.get(name)!.data, name).toEqual(without.get(name)!.data);
      expect(stats.size).toBe(integerNodes(block.model).length);
    });

    it(`${block.name}: accumulator 'pairwise' follows onnxruntime's u8s8 rule, as integerAccumulation does`, () => {
      const all = producedValues(block.model);
      const run = (s: ExecSettings) =>
        new CpuInterpreter(block.model, s).runSync(block.feeds, { outputs: all });
      const rule = run({ integerAccumulation: 'x86-u8s8-pairwise' });
      const chosen = run({ integerAccumulation: 'exact', accumulator: { kind: 'pairwise-int16-saturate' } });
      for (const name of all) expect(chosen.get(name)!.data, name).toEqual(rule.get(name)!.data);
    });
  }

  it('mnist-8-integer-ops: ConvInteger and MatMulInteger take wrap / saturate modes (ConvInteger never pairs)', () => {
    const model = decodeModel(
      new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/models/mnist-8-integer-ops.onnx'))),
    );
    const r = rng(5);
    const digit = makeTensor(
      'float32',
      [1, 1, 28, 28],
      Float32Array.from({ length: 784 }, () => Math.floor(r() * 256)),
    );
    const feeds = new Map([['Input3', digit]]);
    const ops = new Set(integerNodes(model).map((n) => n.opType));
    expect(ops).toEqual(new Set(['ConvInteger', 'MatMulInteger']));
    let narrowOverflows = 0;
    for (const c of [...MODE_CASES, ...randomModeCases(77, 3)]) {
      const run = runCpu(model, feeds, c);
      const overflows = expectNodesMatchOracle(model, run, c);
      if (c.name === 'wrap16' || c.name === 'sat16') narrowOverflows += overflows;
    }
    expect(narrowOverflows).toBeGreaterThan(0);
  });
});

describe('QGemm with a per-row or full bias under a saturating accumulator', () => {
  const op = findCpuOp('com.microsoft', 'QGemm')!;
  const r = rng(21);
  const [m, k, n] = [5, 40, 3];
  const a = makeTensor(
    'uint8',
    [m, k],
    Array.from({ length: m * k }, () => 200 + Math.floor(r() * 56)),
  );
  const b = makeTensor(
    'int8',
    [k, n],
    Array.from({ length: k * n }, () => 100 + Math.floor(r() * 28)),
  );
  const scalarT = (dtype: 'float32' | 'uint8' | 'int8', v: number) => makeTensor(dtype, [], [v]);
  for (const cDims of [
    [m, 1],
    [m, n],
  ]) {
    it(`C [${cDims}]: each row accumulates with its own bias, bias last`, () => {
      const count = cDims[0] * cDims[1];
      const c = makeTensor(
        'int32',
        cDims,
        Array.from({ length: count }, () => Math.floor((r() - 0.3) * 40000)),
      );
      const node: GraphNode = {
        name: 'qgemm',
        opType: 'QGemm',
        domain: 'com.microsoft',
        inputs: ['a', 'as', 'az', 'b', 'bs', 'bz', 'c', 'ys', 'yz'],
        outputs: ['y'],
        attributes: {},
      };
      const stats: AccumulatorStats[] = [];
      const settings: ExecSettings = {
        integerAccumulation: 'exact',
        accumulator: { kind: 'saturate', bits: 18 },
        requantize: { kind: 'gemmlowp' },
        onAccumulatorStats: (_n, s) => stats.push(s),
      };
      const inputs = [
        a,
        scalarT('float32', 0.02),
        scalarT('uint8', 3),
        b,
        scalarT('float32', 0.01),
        scalarT('int8', 0),
        c,
        scalarT('float32', 5),
        scalarT('uint8', 7),
      ];
      const [y] = op({ node, inputs, opset: 1, settings });
      const expected: number[] = [];
      let overflows = 0;
      for (let i = 0; i < m; i++) {
        const row = denseInt8({
          a: (a.data as Uint8Array).subarray(i * k, (i + 1) * k),
          aDims: [1, k],
          b: b.data as Int8Array,
          bDims: [k, n],
          aZeroPoint: 3,
          bias: Array.from({ length: n }, (_, j) => (c.data as Int32Array)[cDims[1] === 1 ? i : i * n + j]),
          accumulator: { kind: 'saturate', bits: 18 },
        });
        overflows += row.overflowCount.reduce((x, v) => x + v, 0);
        const q = requantizeTensor({
          scheme: { kind: 'gemmlowp' },
          acc: row.acc,
          dims: [1, n],
          channelAxis: 1,
          inputScale: Math.fround(0.02),
          weightScale: Math.fround(0.01),
          outputScale: 5,
          outputZeroPoint: 7,
          qmin: 0,
          qmax: 255,
        });
        expected.push(...q);
      }
      expect(Array.from(y.data as Uint8Array)).toEqual(expected);
      expect(stats).toHaveLength(1);
      expect(stats[0].overflowCount).toBe(overflows);
      expect(overflows).toBeGreaterThan(0);
      expect(stats[0]).toMatchObject({ limit: 2 ** 17 - 1, count: m * n });
    });
  }
});

describe('execSettingsFor', () => {
  it('maps accumulator and rounding names; int32 is exact on any host, auto keeps the host rule', () => {
    const base = { rounding: 'ort' as const };
    expect(execSettingsFor({ ...base, accumulator: 'int32' }, 'x86-u8s8-pairwise')).toEqual({
      integerAccumulation: 'x86-u8s8-pairwise',
      accumulator: { kind: 'int32' },
      requantize: { kind: 'ort' },
    });
    expect(execSettingsFor({ ...base, accumulator: 'auto' }, 'x86-u8s8-pairwise')).toEqual({
      integerAccumulation: 'x86-u8s8-pairwise',
      requantize: { kind: 'ort' },
    });
    expect(execSettingsFor({ accumulator: 'x86-pairwise', rounding: 'gemmlowp' }, 'exact')).toMatchObject({
      accumulator: { kind: 'pairwise-int16-saturate' },
      requantize: { kind: 'gemmlowp' },
    });
    expect(execSettingsFor({ accumulator: 'wrap16', rounding: 'tvm-upward' }, 'exact')).toMatchObject({
      accumulator: { kind: 'wrap', bits: 16 },
      requantize: { kind: 'tvm', rounding: 'UPWARD' },
    });
    expect(execSettingsFor({ accumulator: 'sat12', rounding: 'tvm-tonearest' }, 'exact')).toMatchObject({
      accumulator: { kind: 'saturate', bits: 12 },
      requantize: { kind: 'tvm', rounding: 'TONEAREST' },
    });
  });

  it('int32 under a pairwise host gives exact sums: the same outputs as the exact host', () => {
    const block = blocks[0];
    const all = producedValues(block.model);
    const run = (s: ExecSettings) =>
      new CpuInterpreter(block.model, s).runSync(block.feeds, { outputs: all });
    const int32 = run(execSettingsFor({ accumulator: 'int32', rounding: 'ort' }, 'x86-u8s8-pairwise'));
    const exact = run({ integerAccumulation: 'exact' });
    for (const name of all) expect(int32.get(name)!.data, name).toEqual(exact.get(name)!.data);
  });

  it('refuses unknown names with one clear line', () => {
    for (const bad of ['int16', 'wrap4', 'sat33', 'wrap', 'satx'])
      expect(() =>
        execSettingsFor({ accumulator: bad as AccumulatorName, rounding: 'ort' }, 'exact'),
      ).toThrow(
        new InputError(
          `unknown accumulator '${bad}': expected int32, x86-pairwise, wrapN or satN (N in 8..32), or auto`,
        ),
      );
    expect(() => execSettingsFor({ accumulator: 'int32', rounding: 'nearest' as 'ort' }, 'exact')).toThrow(
      "unknown rounding 'nearest': expected ort, gemmlowp, tvm-upward, tvm-tonearest",
    );
  });
});
