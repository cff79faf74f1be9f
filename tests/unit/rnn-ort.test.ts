// RNN, GRU and LSTM (kernels/rnn/*.ref.ts through the CPU interpreter) against onnxruntime-node:
// every direction, sequence_lens with short and empty rows, initial states, layout 1 (onnxruntime
// runs it transposed, see rnn-ort.helper.ts), peepholes, input_forget, clip, linear_before_reset,
// every activation with alpha / beta, omitted outputs, opsets 7 / 14 / 22, and seeded random
// shapes. Tolerance: 1e-4 relative + 1e-5 absolute (onnxruntime sums in float32 with polynomial
// tanh / sigmoid; ours is float64 per step). onnxruntime has no float64 kernels for these ops, so
// float64 runs are compared with its float32 run of the same values.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { opsetProblems } from '../../app/model/opset-range.js';
import { opsetVersion } from '../../app/model/ir.js';
import { inferShapes } from '../../app/model/shape-inference.js';
import { upgradeToOpset13 } from '../../app/quant/opset-upgrade.js';
import { float16BitsToNumber, makeTensor, numberToFloat16Bits, type Tensor } from '../../kernels/tensor.js';
import { expectClose, randInt, rng } from './nn-oracle.helper.js';
import {
  buildRecurrent,
  type RecurrentCase,
  type RecurrentOp,
  runOrtRecurrent,
  runOursRecurrent,
} from './rnn-ort.helper.js';

const RTOL = 1e-4;
const ATOL = 1e-5;

async function expectMatches(c: RecurrentCase, label: string): Promise<void> {
  const layout = c.layout ?? 0;
  const ours = runOursRecurrent(buildRecurrent(c), layout);
  // onnxruntime runs float32 only: the same values (same seed), rounded to float32.
  const theirs = await runOrtRecurrent(buildRecurrent({ ...c, dtype: 'float32' }), layout);
  expect([...ours.keys()].sort(), `${label} outputs`).toEqual([...theirs.keys()].sort());
  for (const [name, t] of theirs) {
    const o = ours.get(name)!;
    expect(o.dtype, `${label} ${name} dtype`).toBe(c.dtype ?? 'float32');
    expectClose(c.dtype === 'float64' ? { ...o, dtype: 'float32' } : o, t, RTOL, ATOL, `${label} ${name}`);
  }
}

const OPS: RecurrentOp[] = ['RNN', 'GRU', 'LSTM'];
const DIRECTIONS = ['forward', 'reverse', 'bidirectional'] as const;
const base = { seq: 5, batch: 3, input: 4, hidden: 3 };

describe('RNN / GRU / LSTM against onnxruntime', () => {
  for (const op of OPS) {
    for (const direction of DIRECTIONS) {
      it(`${op} ${direction}: defaults, then bias + initial state`, async () => {
        await expectMatches({ op, ...base, direction }, `${op} ${direction} defaults`);
        await expectMatches(
          { op, ...base, direction, bias: true, initialH: true, initialC: true, seed: 2 },
          `${op} ${direction} bias`,
        );
      });
      it(`${op} ${direction}: sequence_lens with short and empty rows`, async () => {
        await expectMatches(
          {
            op,
            ...base,
            batch: 4,
            direction,
            bias: true,
            initialH: true,
            initialC: true,
            seqLens: [5, 2, 0, 1],
            seed: 3,
          },
          `${op} ${direction} seq lens`,
        );
      });
      it(`${op} ${direction}: layout 1 (opset 14 and 22)`, async () => {
        for (const opset of [14, 22])
          await expectMatches(
            {
              op,
              opset,
              ...base,
              layout: 1,
              direction,
              bias: true,
              initialH: true,
              initialC: true,
              seqLens: [3, 5, 1],
              seed: 4,
            },
            `${op} ${direction} layout 1 opset ${opset}`,
          );
      });
    }
    it(`${op} opset 7 and 22, float64`, async () => {
      await expectMatches(
        { op, opset: 7, ...base, direction: 'bidirectional', bias: true, seed: 5 },
        `${op} opset 7`,
      );
      await expectMatches({ op, opset: 22, ...base, bias: true, initialH: true, seed: 6 }, `${op} opset 22`);
      await expectMatches(
        {
          op,
          ...base,
          dtype: 'float64',
          direction: 'bidirectional',
          bias: true,
          initialH: true,
          seqLens: [4, 5, 2],
          seed: 7,
        },
        `${op} float64`,
      );
    });
    it(`${op} clip bounds the gate inputs`, async () => {
      await expectMatches(
        {
          op,
          ...base,
          direction: 'bidirectional',
          bias: true,
          scale: 2,
          attrs: { clip: { float: 0.5 } },
          seed: 8,
        },
        `${op} clip`,
      );
    });
    it(`${op} omitted outputs`, async () => {
      const names = op === 'LSTM' ? 3 : 2;
      for (let mask = 1; mask < 1 << names; mask++) {
        const outputs = Array.from({ length: names }, (_, i) => ((mask >> i) & 1) === 1);
        await expectMatches(
          { op, ...base, direction: 'reverse', bias: true, seqLens: [5, 3, 1], outputs, seed: 9 },
          `${op} outputs ${outputs}`,
        );
      }
    });
  }

  it('GRU linear_before_reset = 1, every direction, with clip', async () => {
    for (const direction of DIRECTIONS) {
      const c = { op: 'GRU' as const, ...base, direction, bias: true, initialH: true, seed: 10 };
      await expectMatches({ ...c, attrs: { linear_before_reset: 1 } }, `GRU lbr ${direction}`);
      await expectMatches(
        { ...c, scale: 2, seqLens: [2, 5, 0], attrs: { linear_before_reset: 1, clip: { float: 0.7 } } },
        `GRU lbr clip ${direction}`,
      );
    }
  });

  it('LSTM peepholes and input_forget, every direction', async () => {
    for (const direction of DIRECTIONS) {
      const c = {
        op: 'LSTM' as const,
        ...base,
        direction,
        bias: true,
        initialH: true,
        initialC: true,
        peepholes: true,
      };
      await expectMatches({ ...c, seed: 11 }, `LSTM peepholes ${direction}`);
      await expectMatches(
        { ...c, seqLens: [1, 4, 5], seed: 12, attrs: { input_forget: 1 } },
        `LSTM input_forget ${direction}`,
      );
      await expectMatches(
        { ...c, scale: 2, seed: 13, attrs: { clip: { float: 1.5 } } },
        `LSTM peepholes clip ${direction}`,
      );
    }
  });

  // Each activation with explicit alpha / beta where it takes them (onnxruntime's defaults for
  // absent values differ between its RNN and its GRU / LSTM kernels; see kernels/rnn/activations.ts).
  const ACTS: Array<[string, number[], number[]]> = [
    ['Relu', [], []],
    ['Tanh', [], []],
    ['Sigmoid', [], []],
    ['Affine', [0.7], [0.2]],
    ['LeakyRelu', [0.3], []],
    ['ThresholdedRelu', [0.1], []],
    ['ScaledTanh', [1.3], [0.6]],
    ['HardSigmoid', [0.25], [0.45]],
    ['Elu', [0.8], []],
    ['Softsign', [], []],
    ['Softplus', [], []],
  ];
  for (const [name, alpha, beta] of ACTS) {
    it(`activation ${name}`, async () => {
      const ab = (a: number[], b: number[]) => ({
        ...(a.length ? { activation_alpha: { floats: a } } : {}),
        ...(b.length ? { activation_beta: { floats: b } } : {}),
      });
      const c = { ...base, bias: true, initialH: true, initialC: true, scale: 0.4 };
      // RNN: one activation per direction.
      await expectMatches(
        {
          op: 'RNN',
          ...c,
          direction: 'bidirectional',
          attrs: { activations: [name, name], ...ab([...alpha, ...alpha], [...beta, ...beta]) },
        },
        `RNN ${name}`,
      );
      // GRU: as f (gates) and as g (candidate), next to a default one.
      await expectMatches(
        { op: 'GRU', ...c, attrs: { activations: [name, 'Tanh'], ...ab(alpha, beta) } },
        `GRU f=${name}`,
      );
      await expectMatches(
        { op: 'GRU', ...c, attrs: { activations: ['Sigmoid', name], ...ab(alpha, beta) } },
        `GRU g=${name}`,
      );
      // LSTM: as f, g and h, bidirectional with different ones per direction.
      await expectMatches(
        {
          op: 'LSTM',
          ...c,
          direction: 'bidirectional',
          peepholes: true,
          attrs: {
            activations: [name, 'Tanh', 'Tanh', 'HardSigmoid', name, name],
            ...ab([...alpha, 0.3, ...alpha, ...alpha], [...beta, 0.4, ...beta, ...beta]),
          },
        },
        `LSTM ${name}`,
      );
    });
  }

  it('seeded random shapes and attributes', async () => {
    const r = rng(2024);
    for (let k = 0; k < 36; k++) {
      const op = OPS[k % 3];
      const seq = randInt(r, 1, 7);
      const batch = randInt(r, 1, 4);
      const direction = DIRECTIONS[randInt(r, 0, 2)];
      const c: RecurrentCase = {
        op,
        opset: [7, 14, 22][randInt(r, 0, 2)],
        seq,
        batch,
        input: randInt(r, 1, 6),
        hidden: randInt(r, 1, 6),
        direction,
        bias: r() < 0.7,
        initialH: r() < 0.5,
        initialC: r() < 0.5,
        peepholes: op === 'LSTM' && r() < 0.5,
        seqLens: r() < 0.5 ? Array.from({ length: batch }, () => randInt(r, 0, seq)) : undefined,
        dtype: r() < 0.2 ? 'float64' : 'float32',
        scale: 0.3 + r(),
        seed: 100 + k,
        attrs: op === 'GRU' && r() < 0.5 ? { linear_before_reset: 1 } : undefined,
      };
      c.layout = c.opset === 7 ? 0 : r() < 0.4 ? 1 : 0;
      await expectMatches(c, `random ${k} ${JSON.stringify({ ...c, attrs: undefined })}`);
    }
  });
});

describe('RNN / GRU / LSTM shapes, float16 and refusals', () => {
  it('shape inference gives Y / Y_h / Y_c in both layouts, hidden from R without hidden_size', () => {
    for (const layout of [0, 1] as const) {
      const b = buildRecurrent({
        op: 'LSTM',
        seq: 5,
        batch: 2,
        input: 3,
        hidden: 4,
        direction: 'bidirectional',
      });
      const shapes = inferShapes(decodeModel(b.model(layout))).values;
      const y = layout === 1 ? [2, 5, 2, 4] : [5, 2, 2, 4];
      const s = layout === 1 ? [2, 2, 4] : [2, 2, 4];
      expect(shapes.get('Y')?.dims).toEqual(y);
      expect(shapes.get('Y_h')?.dims).toEqual(s);
      expect(shapes.get('Y_c')?.dims).toEqual(s);
    }
    const c = { op: 'GRU' as const, seq: 4, batch: 2, input: 3, hidden: 5, bias: true, attrs: {} };
    const withSize = runOursRecurrent(buildRecurrent(c), 0);
    const b = buildRecurrent(c);
    const m = decodeModel(b.model(0));
    const node = m.graph.nodes[0];
    const { hidden_size: _, ...rest } = node.attributes;
    const without = { ...m, graph: { ...m.graph, nodes: [{ ...node, attributes: rest }] } };
    expect(inferShapes(without).values.get('Y')?.dims).toEqual([4, 1, 2, 5]);
    const out = new CpuInterpreter(without).runSync(b.feeds(0));
    expect(Array.from(out.get('Y')!.data as Float32Array)).toEqual(
      Array.from(withSize.get('Y')!.data as Float32Array),
    );
  });

  it('an empty activations list means the defaults', () => {
    const b = buildRecurrent({ op: 'LSTM', ...base, direction: 'bidirectional', bias: true });
    const m = decodeModel(b.model(0));
    const node = m.graph.nodes[0];
    const empty = {
      ...m,
      graph: {
        ...m.graph,
        nodes: [
          {
            ...node,
            attributes: { ...node.attributes, activations: { kind: 'strings' as const, value: [] } },
          },
        ],
      },
    };
    const want = runOursRecurrent(b, 0);
    const got = new CpuInterpreter(empty).runSync(b.feeds(0));
    for (const [k, t] of want)
      expect(Array.from(got.get(k)!.data as Float32Array), k).toEqual(Array.from(t.data as Float32Array));
  });

  it('float16 follows the float32 run within float16 precision', () => {
    for (const op of OPS) {
      const c: RecurrentCase = {
        op,
        ...base,
        direction: 'bidirectional',
        bias: true,
        initialH: true,
        seqLens: [5, 2, 3],
      };
      const b32 = buildRecurrent(c);
      const f32 = runOursRecurrent(b32, 0);
      const feeds16 = new Map<string, Tensor>();
      for (const [k, t] of b32.feeds(0)) {
        if (t.dtype !== 'float32') feeds16.set(k, t);
        else feeds16.set(k, toHalf(t));
      }
      const m16 = decodeModel(buildRecurrent({ ...c }).model(0));
      const retyped = {
        ...m16,
        graph: {
          ...m16.graph,
          inputs: m16.graph.inputs.map((i) =>
            i.name === 'sequence_lens' ? i : { ...i, dtype: 'float16' as const },
          ),
          outputs: m16.graph.outputs.map((o) => ({ ...o, dtype: 'float16' as const })),
        },
      };
      const f16 = new CpuInterpreter(retyped).runSync(feeds16);
      for (const [k, t] of f32) {
        const h = f16.get(k)!;
        expect(h.dtype).toBe('float16');
        expectClose(
          {
            ...h,
            dtype: 'float32',
            data: Float32Array.from({ length: h.data.length }, (_, i) => half(h, i)),
          },
          t,
          1e-2,
          5e-3,
          `${op} f16 ${k}`,
        );
      }
    }
  });

  it('refuses what it does not implement in one line', () => {
    const run = (c: RecurrentCase) => () => runOursRecurrent(buildRecurrent(c), 0);
    expect(run({ op: 'GRU', ...base, attrs: { activations: ['Swish', 'Tanh'] } })).toThrow(
      /activation 'Swish' is not supported/,
    );
    expect(run({ op: 'LSTM', ...base, attrs: { clip: { float: 0 } } })).toThrow(/clip 0 .*not supported/);
    expect(run({ op: 'RNN', ...base, attrs: { direction: 'sideways' } })).toThrow(
      /direction 'sideways' is not supported/,
    );
    expect(run({ op: 'GRU', ...base, attrs: { linear_before_reset: 2 } })).toThrow(
      /linear_before_reset 2 is not supported/,
    );
    // A bfloat16 X: refused, not misread.
    const b = buildRecurrent({ op: 'RNN', ...base });
    const m = decodeModel(b.model(0));
    const retyped = {
      ...m,
      graph: {
        ...m.graph,
        inputs: m.graph.inputs.map((i) => ({ ...i, dtype: 'bfloat16' as const })),
        outputs: m.graph.outputs.map((o) => ({ ...o, dtype: 'bfloat16' as const })),
      },
    };
    const feeds = new Map<string, Tensor>();
    for (const [k, t] of b.feeds(0))
      feeds.set(k, makeTensor('bfloat16', t.dims, new Uint16Array(t.data.length)));
    expect(() => new CpuInterpreter(retyped).runSync(feeds)).toThrow(/not supported/);
    // RNN-1 (opset 6, output_sequence) is an older definition.
    const old = decodeModel(buildRecurrent({ op: 'RNN', ...base, opset: 6 }).model(0));
    expect(opsetProblems(old).join(' ')).toMatch(/RNN-1 .*older definition/);
  });
});

describe('RNN / GRU / LSTM when a quantization raises the opset', () => {
  it('an opset-9 model with each raises to 13 (per-channel weights) with identical outputs', () => {
    for (const op of OPS) {
      const b = buildRecurrent({
        op,
        opset: 9,
        ...base,
        direction: 'bidirectional',
        bias: true,
        seqLens: [5, 1, 3],
      });
      const model = decodeModel(b.model(0));
      const up = upgradeToOpset13(model).model;
      expect(up && opsetVersion(up, ''), op).toBe(13);
      const want = new CpuInterpreter(model).runSync(b.feeds(0));
      const got = new CpuInterpreter(up!).runSync(b.feeds(0));
      for (const [k, t] of want)
        expect(Array.from(got.get(k)!.data as Float32Array), `${op} ${k}`).toEqual(
          Array.from(t.data as Float32Array),
        );
    }
  });
});

function toHalf(t: Tensor): Tensor {
  return makeTensor(
    'float16',
    t.dims,
    Uint16Array.from(t.data as Float32Array, (v) => numberToFloat16Bits(v)),
  );
}

function half(t: Tensor, i: number): number {
  return float16BitsToNumber((t.data as Uint16Array)[i]);
}
