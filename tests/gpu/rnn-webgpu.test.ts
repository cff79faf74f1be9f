// RNN, GRU and LSTM on WebGPU (app/exec/webgpu/lower-rnn.ts, kernels/rnn/recurrent.wgsl) against
// the CPU interpreter (the float64 references of kernels/rnn/): one-node models with every
// direction, both layouts, sequence_lens (shorter rows, 0-length rows), clip, activations with
// alpha / beta, peepholes, input_forget, linear_before_reset, absent optional inputs / outputs,
// weights both fed and constant, and seeded random shapes. Each case asserts the plan ran the node
// on the GPU (no CPU fallback, no kernel error). Tolerance: float32 against float64, |ours - ref|
// <= 1e-5 + 1e-5 |ref| per element.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { expectClose } from '../unit/nn-oracle.helper.js';
import { buildRecurrent, type RecurrentCase } from '../unit/rnn-ort.helper.js';
import { f16Random } from './float16-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

const TOL = 1e-5;

/** Builds the case (tests/unit/rnn-ort.helper.ts) and runs it on both executors. */
async function check(c: RecurrentCase): Promise<void> {
  const built = buildRecurrent(c);
  const layout = c.layout ?? 0;
  const bytes = built.model(layout);
  const feeds = built.feeds(layout);
  const want = new CpuInterpreter(decodeModel(bytes)).runSync(feeds);
  const executor = await WebGpuExecutor.create(decodeModel(bytes));
  try {
    const got = await executor.run(feeds);
    const { cpuFallbacks, kernelErrors } = await executor.summary();
    expect({ cpuFallbacks, kernelErrors }).toEqual({ cpuFallbacks: [], kernelErrors: [] });
    for (const name of built.outputNames)
      expectClose(got.get(name)!, want.get(name)!, TOL, TOL, `${c.op} ${name}`);
  } finally {
    executor.dispose();
  }
}

const base = { seq: 5, batch: 3, input: 4, hidden: 6 };

describe('RNN / GRU / LSTM on WebGPU: curated cases', () => {
  for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
    for (const direction of ['forward', 'reverse', 'bidirectional'] as const)
      for (const layout of [0, 1] as const)
        it(`${op} ${direction} layout ${layout}, every optional input`, () =>
          check({
            op,
            ...base,
            direction,
            layout,
            bias: true,
            seqLens: [5, 2, 0],
            initialH: true,
            initialC: true,
            peepholes: true,
          }));
    it(`${op} opset 7, no optional input, default direction`, () => check({ op, ...base, opset: 7 }));
    it(`${op} opset 22, constant weights and sequence_lens`, () =>
      check({ op, ...base, opset: 22, bias: true, seqLens: [3, 5, 1], initialH: true, constants: true }));
    it(`${op} clip 0.3, bidirectional`, () =>
      check({ op, ...base, direction: 'bidirectional', bias: true, attrs: { clip: { float: 0.3 } } }));
    it(`${op} only Y_h asked for`, () =>
      check({ op, ...base, bias: true, seqLens: [4, 0, 5], outputs: [false, true] }));
    it(`${op} only Y asked for`, () => check({ op, ...base, initialH: true, outputs: [true, false, false] }));
    it(`${op} a hidden size above the workgroup (70) and one unit`, async () => {
      await check({ op, seq: 3, batch: 2, input: 5, hidden: 70, bias: true, initialH: true, seed: 4 });
      await check({ op, seq: 3, batch: 2, input: 1, hidden: 1, bias: true, seed: 5 });
    });
  }

  // Every activation, with alpha / beta where it takes them (as exporters write them).
  const acts: [string, number?, number?][] = [
    ['Relu'],
    ['Tanh'],
    ['Sigmoid'],
    ['Affine', 0.8, 0.1],
    ['LeakyRelu', 0.05],
    ['ThresholdedRelu', 0.2],
    ['ScaledTanh', 1.3, 0.7],
    ['HardSigmoid', 0.3, 0.45],
    ['Elu', 0.9],
    ['Softsign'],
    ['Softplus'],
  ];
  const alphaBeta = (list: [string, number?, number?][]) => ({
    activations: list.map((a) => a[0]),
    activation_alpha: { floats: list.filter((a) => a[1] !== undefined).map((a) => a[1] as number) },
    activation_beta: { floats: list.filter((a) => a[2] !== undefined).map((a) => a[2] as number) },
  });
  for (const [i, a] of acts.entries()) {
    it(`RNN activation ${a[0]} (bidirectional, with ${acts[(i + 3) % acts.length][0]})`, () =>
      check({
        op: 'RNN',
        ...base,
        direction: 'bidirectional',
        bias: true,
        attrs: alphaBeta([a, acts[(i + 3) % acts.length]]),
      }));
    it(`GRU / LSTM with ${a[0]} among their activations`, async () => {
      const b = acts[(i + 5) % acts.length];
      const c = acts[(i + 7) % acts.length];
      await check({ op: 'GRU', ...base, bias: true, initialH: true, attrs: alphaBeta([a, b]) });
      await check({
        op: 'LSTM',
        ...base,
        bias: true,
        initialH: true,
        initialC: true,
        attrs: alphaBeta([b, a, c]),
      });
    });
  }
  it('activations without alpha / beta lists take the defaults', () =>
    check({
      op: 'RNN',
      ...base,
      direction: 'bidirectional',
      attrs: { activations: ['LeakyRelu', 'HardSigmoid'] },
    }));

  for (const lbr of [0, 1])
    for (const direction of ['forward', 'bidirectional'] as const)
      it(`GRU linear_before_reset ${lbr} ${direction}`, () =>
        check({
          op: 'GRU',
          ...base,
          direction,
          bias: true,
          initialH: true,
          seqLens: [1, 5, 3],
          attrs: { linear_before_reset: lbr },
        }));

  for (const inputForget of [0, 1])
    for (const peep of [false, true])
      it(`LSTM input_forget ${inputForget}, peepholes ${peep}, clip`, () =>
        check({
          op: 'LSTM',
          ...base,
          direction: 'reverse',
          bias: true,
          initialC: true,
          peepholes: peep,
          attrs: { input_forget: inputForget, clip: { float: 0.9 } },
        }));
  it('LSTM with Y_c alone, layout 1, all rows empty but one', () =>
    check({
      op: 'LSTM',
      ...base,
      layout: 1,
      initialC: true,
      seqLens: [0, 0, 5],
      outputs: [false, false, true],
    }));
});

describe('RNN / GRU / LSTM on WebGPU: seeded random shapes', () => {
  for (let seed = 1; seed <= 18; seed++) {
    const r = rng(1000 + seed);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const op = pick(['RNN', 'GRU', 'LSTM'] as const);
    const seq = 1 + Math.floor(r() * 7);
    const batch = 1 + Math.floor(r() * 4);
    const c: RecurrentCase = {
      op,
      seq,
      batch,
      input: 1 + Math.floor(r() * 9),
      hidden: 1 + Math.floor(r() * 20),
      direction: pick(['forward', 'reverse', 'bidirectional'] as const),
      layout: pick([0, 1] as const),
      bias: r() < 0.7,
      seqLens: r() < 0.5 ? Array.from({ length: batch }, () => Math.floor(r() * (seq + 1))) : undefined,
      initialH: r() < 0.5,
      initialC: r() < 0.5,
      peepholes: r() < 0.5,
      constants: r() < 0.5,
      attrs: {
        ...(r() < 0.3 ? { clip: { float: 0.5 + r() } } : {}),
        ...(op === 'GRU' ? { linear_before_reset: pick([0, 1]) } : {}),
        ...(op === 'LSTM' ? { input_forget: pick([0, 1]) } : {}),
      },
      seed,
    };
    it(`seed ${seed}: ${op} ${JSON.stringify({ ...c, op: undefined, seed: undefined })}`, () => check(c));
  }
});

describe('RNN / GRU / LSTM on WebGPU: what the reference refuses', () => {
  it('a fed sequence_lens out of range fails the run with the CPU message', async () => {
    const built = buildRecurrent({ op: 'GRU', ...base, seqLens: [1, 7, 2] });
    const bytes = built.model(0);
    const feeds = built.feeds(0);
    const cpu = (() => {
      try {
        new CpuInterpreter(decodeModel(bytes)).runSync(feeds);
        return 'ran';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(cpu).toContain('sequence_lens must be between 0 and 5, got [1,7,2]');
    const executor = await WebGpuExecutor.create(decodeModel(bytes));
    try {
      await expect(executor.run(feeds)).rejects.toThrow(cpu);
      expect((await executor.summary()).cpuFallbacks).toEqual([]);
      // A good run after the bad one still works (the error word is cleared per run).
      const good = new Map(feeds);
      good.set('sequence_lens', makeTensor('int32', [3], Int32Array.from([1, 5, 2])));
      const want = new CpuInterpreter(decodeModel(bytes)).runSync(good);
      const got = await executor.run(good);
      expectClose(got.get('Y')!, want.get('Y')!, TOL, TOL, 'Y');
    } finally {
      executor.dispose();
    }
  });

  it('a constant sequence_lens out of range and a wrong activation count fall back to the CPU', async () => {
    for (const c of [
      { op: 'LSTM', ...base, seqLens: [1, -1, 2], constants: true },
      { op: 'RNN', ...base, direction: 'bidirectional', attrs: { activations: ['Tanh', 'Relu', 'Tanh'] } },
    ] as RecurrentCase[]) {
      const built = buildRecurrent(c);
      const bytes = built.model(0);
      const feeds = built.feeds(0);
      const executor = await WebGpuExecutor.create(decodeModel(bytes));
      try {
        await expect(executor.run(feeds)).rejects.toThrow(/sequence_lens must be|expected 2 activations/);
        expect((await executor.summary()).cpuFallbacks.map((f) => f.split(' ')[0])).toEqual([c.op]);
      } finally {
        executor.dispose();
      }
    }
  });

  it('a float16 LSTM keeps running as written on the CPU reference (it rounds every step)', async () => {
    const r = rng(9);
    const bytes = buildModel({
      opset: 14,
      inputs: [{ name: 'X', dtype: 'float16', dims: [3, 2, 4] }],
      outputs: [{ name: 'Y', dtype: 'float16' }],
      initializers: { W: f16Random(r, [1, 20, 4], -0.7, 0.7), R: f16Random(r, [1, 20, 5], -0.7, 0.7) },
      nodes: [{ op: 'LSTM', inputs: ['X', 'W', 'R'], outputs: ['Y'], attrs: { hidden_size: 5 } }],
    });
    const feeds = new Map([['X', f16Random(r, [3, 2, 4], -1, 1)]]);
    const want = new CpuInterpreter(decodeModel(bytes)).runSync(feeds);
    const executor = await WebGpuExecutor.create(decodeModel(bytes));
    try {
      const got = await executor.run(feeds);
      expect((await executor.summary()).cpuFallbacks.map((f) => f.split(' ')[0])).toEqual(['LSTM']);
      expect(got.get('Y')!.data).toEqual(want.get('Y')!.data);
    } finally {
      executor.dispose();
    }
  });
});
