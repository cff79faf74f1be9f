// A transformer encoder block built as an IR model and written with our encoder (encodeModel):
// LayerNorm -> Q/K/V MatMuls -> scaled scores -> Where(Expand(mask), scores, -1e9) -> Softmax ->
// attention MatMul -> residual -> LayerNorm -> MatMul -> GELU -> MatMul -> residual. Two variants:
// LayerNormalization + Gelu (opset 20), and the exporters' decomposed LayerNorm (ReduceMean ...
// Div or Mul-by-Reciprocal, Mul, Add) + Erf GELU (opset 17). Both run on the CPU interpreter and
// the WebGPU executor against onnxruntime-node (graph optimizations off, so it runs the nodes as
// written). Tolerance: 1e-4 of the largest |output| (f32 GPU sums and WGSL exp/erf vs onnxruntime).
// Also: the decomposed LayerNorm (and RMSNorm) alone is planned as ONE normalize.wgsl dispatch.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { buildPlan } from '../../app/exec/webgpu/gpu-plan.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { DEFAULT_SETTINGS } from '../../app/exec/cpu/op-types.js';
import { decodeModel } from '../../app/model/decode.js';
import { encodeModel } from '../../app/model/encode.js';
import type { AttrValue, GraphNode, Model } from '../../app/model/ir.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { QUIET } from '../helpers/ort-quiet.js';
import { randomF32, rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const B = 2;
const T = 5;
const D = 8;
const H = 16;

type Attr = number | number[] | { f: number };
function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, Attr> = {},
): GraphNode {
  const attributes: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(attrs)) {
    attributes[k] = Array.isArray(v)
      ? { kind: 'ints', value: v }
      : typeof v === 'number'
        ? { kind: 'int', value: v }
        : { kind: 'float', value: v.f };
  }
  return { name: `${opType}_${outputs[0]}`, opType, domain: '', inputs, outputs, attributes };
}

const f32 = (dims: number[], values: number[]) => makeTensor('float32', dims, Float32Array.from(values));
const i64 = (values: number[]) =>
  makeTensor('int64', [values.length], BigInt64Array.from(values.map(BigInt)));

/**
 * LayerNorm of `x` into `y`: one node, or the decomposed chain (Div or Mul-by-Reciprocal form,
 * the square as Pow(d, 2) or Mul(d, d)).
 */
function layerNorm(
  x: string,
  g: string,
  b: string,
  y: string,
  form: 'op' | 'div' | 'recip',
  opset: number,
  square: 'pow' | 'mul' = 'pow',
): GraphNode[] {
  if (form === 'op') return [node('LayerNormalization', [x, g, b], [y], { axis: -1, epsilon: { f: 1e-5 } })];
  const p = `${y}_`;
  const mean = (inp: string, out: string) =>
    opset >= 18
      ? node('ReduceMean', [inp, 'axes_last'], [out])
      : node('ReduceMean', [inp], [out], { axes: [-1] });
  const nodes = [
    mean(x, `${p}mean`),
    node('Sub', [x, `${p}mean`], [`${p}d`]),
    square === 'pow'
      ? node('Pow', [`${p}d`, 'two'], [`${p}sq`])
      : node('Mul', [`${p}d`, `${p}d`], [`${p}sq`]),
    mean(`${p}sq`, `${p}var`),
    node('Add', [`${p}var`, 'eps'], [`${p}vareps`]),
    node('Sqrt', [`${p}vareps`], [`${p}std`]),
  ];
  if (form === 'div') nodes.push(node('Div', [`${p}d`, `${p}std`], [`${p}n`]));
  else nodes.push(node('Reciprocal', [`${p}std`], [`${p}inv`]), node('Mul', [`${p}d`, `${p}inv`], [`${p}n`]));
  nodes.push(node('Mul', [`${p}n`, g], [`${p}g`]), node('Add', [`${p}g`, b], [y]));
  return nodes;
}

function encoderBlock(form: 'op' | 'div' | 'recip', seed: number): Model {
  const opset = form === 'op' ? 20 : 17;
  const r = rng(seed);
  const inits = new Map<string, Tensor>([
    ['g1', randomF32(r, [D])],
    ['b1', randomF32(r, [D], 0.2)],
    ['g2', randomF32(r, [D])],
    ['b2', randomF32(r, [D], 0.2)],
    ['Wq', randomF32(r, [D, D], 0.5)],
    ['Wk', randomF32(r, [D, D], 0.5)],
    ['Wv', randomF32(r, [D, D], 0.5)],
    ['Wo', randomF32(r, [D, D], 0.5)],
    ['W1', randomF32(r, [D, H], 0.5)],
    ['bias1', randomF32(r, [H], 0.1)],
    ['W2', randomF32(r, [H, D], 0.5)],
    ['inv_sqrt_d', f32([], [1 / Math.sqrt(D)])],
    ['neg_big', f32([], [-1e9])],
    ['mask_shape', i64([B, T, T])],
    ['two', f32([], [2])],
    ['eps', f32([], [1e-5])],
    ['axes_last', i64([-1])],
    ['half', f32([], [0.5])],
    ['one', f32([], [1])],
    ['sqrt2', f32([], [Math.SQRT2])],
  ]);
  const gelu: GraphNode[] =
    form === 'op'
      ? [node('Gelu', ['h'], ['gl'])]
      : [
          node('Div', ['h', 'sqrt2'], ['h_s']),
          node('Erf', ['h_s'], ['h_e']),
          node('Add', ['h_e', 'one'], ['h_1']),
          node('Mul', ['h', 'h_1'], ['h_m']),
          node('Mul', ['h_m', 'half'], ['gl']),
        ];
  const nodes: GraphNode[] = [
    ...layerNorm('x', 'g1', 'b1', 'ln1', form, opset),
    node('MatMul', ['ln1', 'Wq'], ['q']),
    node('MatMul', ['ln1', 'Wk'], ['k']),
    node('MatMul', ['ln1', 'Wv'], ['v']),
    node('Transpose', ['k'], ['kt'], { perm: [0, 2, 1] }),
    node('MatMul', ['q', 'kt'], ['s']),
    node('Mul', ['s', 'inv_sqrt_d'], ['ss']),
    node('Expand', ['mask', 'mask_shape'], ['mask_e']),
    node('Where', ['mask_e', 'ss', 'neg_big'], ['sm']),
    node('Softmax', ['sm'], ['p'], { axis: -1 }),
    node('MatMul', ['p', 'v'], ['att']),
    node('MatMul', ['att', 'Wo'], ['o']),
    node('Add', ['x', 'o'], ['r1']),
    ...layerNorm('r1', 'g2', 'b2', 'ln2', form, opset),
    node('MatMul', ['ln2', 'W1'], ['h0']),
    node('Add', ['h0', 'bias1'], ['h']),
    ...gelu,
    node('MatMul', ['gl', 'W2'], ['f']),
    node('Add', ['r1', 'f'], ['y']),
  ];
  return {
    irVersion: 8,
    producerName: 'qplay-test',
    producerVersion: '',
    domain: '',
    modelVersion: 1,
    docString: '',
    opsets: [{ domain: '', version: opset }],
    metadata: {},
    graph: {
      name: 'encoder_block',
      nodes,
      inputs: [
        { name: 'x', dtype: 'float32', dims: [B, T, D] },
        { name: 'mask', dtype: 'bool', dims: [B, 1, T] },
      ],
      outputs: [{ name: 'y', dtype: 'float32', dims: [B, T, D] }],
      initializers: inits,
      valueInfo: new Map(),
    },
  };
}

function feeds(seed: number): Map<string, Tensor> {
  const r = rng(seed);
  // Sequence lengths 5 and 3: the second sample's last two keys are masked out.
  const mask = Uint8Array.from({ length: B * T }, (_, i) => (Math.floor(i / T) === 0 || i % T < 3 ? 1 : 0));
  return new Map([
    ['x', randomF32(r, [B, T, D], 2)],
    ['mask', makeTensor('bool', [B, 1, T], mask)],
  ]);
}

/** onnxruntime-node's output `y` (graph optimizations off: the nodes run as written). */
async function runOrt(bytes: Uint8Array, input: ReadonlyMap<string, Tensor>): Promise<Tensor> {
  const session = await ort.InferenceSession.create(bytes, {
    ...QUIET,
    graphOptimizationLevel: 'disabled',
    executionProviders: ['cpu'],
  });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of input)
    feeds[k] = new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as never, [...t.dims]);
  const y = (await session.run(feeds)).y;
  await session.release();
  return makeTensor('float32', y.dims as number[], y.data as Float32Array);
}

function expectNear(got: Tensor, want: Tensor, label: string): void {
  expect([...got.dims], label).toEqual([...want.dims]);
  const g = got.data as Float32Array;
  const w = want.data as Float32Array;
  const scale = Math.max(...w.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g[i] - w[i]));
  expect(worst, `${label}: worst |diff| ${worst} vs 1e-4 * ${scale}`).toBeLessThanOrEqual(1e-4 * scale);
}

describe('transformer encoder block vs onnxruntime-node', () => {
  for (const form of ['op', 'div', 'recip'] as const) {
    it(`LayerNorm ${form === 'op' ? 'as LayerNormalization + Gelu' : `decomposed (${form}) + Erf GELU`}: CPU and WebGPU`, async () => {
      const bytes = encodeModel(encoderBlock(form, 5));
      const model = decodeModel(bytes);
      const input = feeds(9);
      const want = await runOrt(bytes, input);
      expectNear(new CpuInterpreter(model).runSync(input).get('y')!, want, 'CPU');
      const exec = await WebGpuExecutor.create(model);
      try {
        expectNear((await exec.run(input)).get('y')!, want, 'WebGPU');
        const s = await exec.summary();
        expect(s.cpuFallbacks).toEqual([]);
      } finally {
        exec.dispose();
      }
      // Both LayerNorms (decomposed or not) are one normalize.wgsl dispatch each.
      const plan = await buildPlan(await gpu(), model, ['y'], DEFAULT_SETTINGS, {});
      try {
        const ops = plan.steps.map((st) => st.node.opType);
        expect(ops.filter((o) => o === 'LayerNormalization')).toHaveLength(2);
        expect(ops).not.toContain('ReduceMean');
      } finally {
        plan.destroy();
      }
    });
  }
});

describe('decomposed LayerNorm on the WebGPU executor', () => {
  for (const [form, opset, square] of [
    ['div', 17, 'pow'],
    ['recip', 17, 'pow'],
    ['div', 18, 'pow'],
    ['recip', 18, 'mul'],
  ] as const) {
    it(`${form} form, square by ${square} (opset ${opset}) is planned as one LayerNorm dispatch and matches onnxruntime`, async () => {
      const r = rng(opset + form.length);
      const model: Model = {
        ...encoderBlock(form, 1),
        opsets: [{ domain: '', version: opset }],
      };
      const small: Model = {
        ...model,
        graph: {
          ...model.graph,
          nodes: layerNorm('x', 'g1', 'b1', 'y', form, opset, square),
          inputs: [{ name: 'x', dtype: 'float32', dims: [3, 4, 37] }],
          outputs: [{ name: 'y', dtype: 'float32', dims: [3, 4, 37] }],
          initializers: new Map<string, Tensor>([
            ['g1', randomF32(r, [37])],
            ['b1', randomF32(r, [37])],
            ['two', f32([], [2])],
            ['eps', f32([], [1e-5])],
            ['axes_last', i64([-1])],
          ]),
        },
      };
      const bytes = encodeModel(small);
      const decoded = decodeModel(bytes);
      const plan = await buildPlan(await gpu(), decoded, ['y'], DEFAULT_SETTINGS, {});
      try {
        expect(plan.steps.map((s) => `${s.kind}:${s.node.opType}`)).toEqual(['gpu:LayerNormalization']);
        const step = plan.steps[0];
        expect(step.kind === 'gpu' ? step.work.dispatches?.length : 0).toBe(1);
      } finally {
        plan.destroy();
      }
      const input = new Map([['x', randomF32(r, [3, 4, 37], 3)]]);
      const want = await runOrt(bytes, input);
      expectNear(new CpuInterpreter(decoded).runSync(input).get('y')!, want, 'CPU');
      const exec = await WebGpuExecutor.create(decoded);
      try {
        expectNear((await exec.run(input)).get('y')!, want, 'WebGPU');
      } finally {
        exec.dispose();
      }
    });
  }

  for (const [square, divide] of [
    ['pow', 'recip'],
    ['mul', 'div'],
  ] as const) {
    it(`decomposed RMSNorm (square by ${square}, ${divide}) is one RMSNormalization dispatch, x kept for a residual`, async () => {
      const r = rng(square.length + divide.length);
      const base = encoderBlock('div', 1);
      const nodes: GraphNode[] = [
        square === 'pow' ? node('Pow', ['x', 'two'], ['sq']) : node('Mul', ['x', 'x'], ['sq']),
        node('ReduceMean', ['sq'], ['ms'], { axes: [-1] }),
        node('Add', ['eps', 'ms'], ['mse']),
        node('Sqrt', ['mse'], ['rms']),
        ...(divide === 'div'
          ? [node('Div', ['x', 'rms'], ['n'])]
          : [node('Reciprocal', ['rms'], ['inv']), node('Mul', ['inv', 'x'], ['n'])]),
        node('Mul', ['g1', 'n'], ['y']),
        node('Add', ['x', 'y'], ['z']),
      ];
      const m: Model = {
        ...base,
        graph: {
          ...base.graph,
          nodes,
          inputs: [{ name: 'x', dtype: 'float32', dims: [3, 2, 50] }],
          outputs: [{ name: 'z', dtype: 'float32', dims: [3, 2, 50] }],
          initializers: new Map<string, Tensor>([
            ['g1', randomF32(r, [50])],
            ['two', f32([], [2])],
            ['eps', f32([], [1e-6])],
          ]),
        },
      };
      const bytes = encodeModel(m);
      const decoded = decodeModel(bytes);
      const plan = await buildPlan(await gpu(), decoded, ['z'], DEFAULT_SETTINGS, {});
      try {
        expect(plan.steps.map((st) => `${st.kind}:${st.node.opType}`)).toEqual([
          'gpu:RMSNormalization',
          'gpu:Add',
        ]);
      } finally {
        plan.destroy();
      }
      const input = new Map([['x', randomF32(r, [3, 2, 50], 3)]]);
      const session = await ort.InferenceSession.create(bytes, {
        ...QUIET,
        graphOptimizationLevel: 'disabled',
        executionProviders: ['cpu'],
      });
      const x = input.get('x')!;
      const z = (await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, [...x.dims]) })).z;
      await session.release();
      const want = makeTensor('float32', z.dims as number[], z.data as Float32Array);
      expectNear(new CpuInterpreter(decoded).runSync(input).get('z')!, want, 'CPU');
      const exec = await WebGpuExecutor.create(decoded);
      try {
        expectNear((await exec.run(input)).get('z')!, want, 'WebGPU');
      } finally {
        exec.dispose();
      }
    });
  }

  it('is left as written when an intermediate is also a graph output', async () => {
    const r = rng(3);
    const base = encoderBlock('div', 1);
    const m: Model = {
      ...base,
      graph: {
        ...base.graph,
        nodes: layerNorm('x', 'g1', 'b1', 'y', 'div', 17),
        inputs: [{ name: 'x', dtype: 'float32', dims: [2, 6] }],
        outputs: [
          { name: 'y', dtype: 'float32', dims: [2, 6] },
          { name: 'y_var', dtype: 'float32', dims: [2, 1] },
        ],
        initializers: new Map<string, Tensor>([
          ['g1', randomF32(r, [6])],
          ['b1', randomF32(r, [6])],
          ['two', f32([], [2])],
          ['eps', f32([], [1e-5])],
        ]),
      },
    };
    const plan = await buildPlan(
      await gpu(),
      decodeModel(encodeModel(m)),
      ['y', 'y_var'],
      DEFAULT_SETTINGS,
      {},
    );
    try {
      expect(plan.steps.some((s) => s.node.opType === 'LayerNormalization')).toBe(false);
      expect(plan.steps.length).toBeGreaterThan(5);
    } finally {
      plan.destroy();
    }
  });

  it('is left as written when the means are not over the trailing axes, and still matches onnxruntime', async () => {
    const r = rng(4);
    const base = encoderBlock('div', 1);
    // Normalizing over axis 0 of [4, 6] is not a LayerNorm over trailing axes.
    const nodes = layerNorm('x', 'g1', 'b1', 'y', 'div', 17).map((n) =>
      n.opType === 'ReduceMean' ? { ...n, attributes: { axes: { kind: 'ints' as const, value: [0] } } } : n,
    );
    const m: Model = {
      ...base,
      graph: {
        ...base.graph,
        nodes,
        inputs: [{ name: 'x', dtype: 'float32', dims: [4, 6] }],
        outputs: [{ name: 'y', dtype: 'float32', dims: [4, 6] }],
        initializers: new Map<string, Tensor>([
          ['g1', randomF32(r, [6])],
          ['b1', randomF32(r, [6])],
          ['two', f32([], [2])],
          ['eps', f32([], [1e-5])],
        ]),
      },
    };
    const bytes = encodeModel(m);
    const decoded = decodeModel(bytes);
    const plan = await buildPlan(await gpu(), decoded, ['y'], DEFAULT_SETTINGS, {});
    try {
      expect(plan.steps.some((st) => st.node.opType === 'LayerNormalization')).toBe(false);
    } finally {
      plan.destroy();
    }
    const input = new Map([['x', randomF32(r, [4, 6], 3)]]);
    const want = await runOrt(bytes, input);
    const exec = await WebGpuExecutor.create(decoded);
    try {
      expectNear((await exec.run(input)).get('y')!, want, 'WebGPU');
    } finally {
      exec.dispose();
    }
  });
});
