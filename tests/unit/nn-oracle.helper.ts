// Shared by the nn-*.test.ts files: build a one-node model, run it on our CPU interpreter (the
// adapter and the reference together) and on onnxruntime-node, and compare.
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { type DType, elementAsNumber, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { type AttrInput, buildModel } from '../helpers/onnx-builder.js';
import { QUIET } from '../helpers/ort-quiet.js';

/** A deterministic PRNG (mulberry32) so random cases are reproducible by seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function randomFloats(r: () => number, dims: readonly number[], lo = -1, hi = 1): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * r();
  return makeTensor('float32', dims, data);
}

export function f32(dims: readonly number[], values: readonly number[]): Tensor {
  return makeTensor('float32', dims, Float32Array.from(values));
}

export interface OneNodeCase {
  op: string;
  opset: number;
  /** Graph inputs fed at run time, by name, in node input order (use '' to skip an optional input). */
  inputs: Array<[string, Tensor | undefined]>;
  /** Inputs given as initializers (constant weights, pads, scales ...), also in node input order. */
  outputs?: Array<{ name: string; dtype: DType }>;
  attrs?: Record<string, AttrInput>;
  /** Names of inputs that are initializers rather than fed. */
  constants?: string[];
}

/** Node input names, '' for an omitted optional input; trailing omitted inputs are dropped. */
function nodeInputs(c: OneNodeCase): string[] {
  const names = c.inputs.map(([n, t]) => (t ? n : ''));
  while (names.length && names[names.length - 1] === '') names.pop();
  return names;
}

export function oneNodeModel(c: OneNodeCase): Uint8Array {
  const outputs = c.outputs ?? [{ name: 'Y', dtype: c.inputs[0][1]!.dtype }];
  const given = c.inputs.filter((i): i is [string, Tensor] => i[1] !== undefined);
  const constants = new Set(c.constants ?? []);
  return buildModel({
    opset: c.opset,
    inputs: given
      .filter(([n]) => !constants.has(n))
      .map(([name, t]) => ({ name, dtype: t.dtype, dims: [...t.dims] })),
    outputs,
    initializers: Object.fromEntries(given.filter(([n]) => constants.has(n))),
    nodes: [
      {
        op: c.op,
        inputs: nodeInputs(c),
        outputs: outputs.map((o) => o.name),
        attrs: c.attrs,
      },
    ],
  });
}

function feedsOf(c: OneNodeCase): Array<[string, Tensor]> {
  const constants = new Set(c.constants ?? []);
  return c.inputs.filter((i): i is [string, Tensor] => i[1] !== undefined && !constants.has(i[0]));
}

export function runOurs(c: OneNodeCase): Map<string, Tensor> {
  return new CpuInterpreter(decodeModel(oneNodeModel(c))).runSync(new Map(feedsOf(c)));
}

export async function runOrt(c: OneNodeCase): Promise<Map<string, Tensor>> {
  const session = await ort.InferenceSession.create(oneNodeModel(c), { ...QUIET, executionProviders: ['cpu'] });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [k, t] of feedsOf(c))
    feeds[k] = new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as never, [...t.dims]);
  const out = await session.run(feeds);
  await session.release();
  const result = new Map<string, Tensor>();
  for (const [k, v] of Object.entries(out))
    result.set(k, makeTensor(v.type as DType, v.dims as number[], v.data as never));
  return result;
}

/** |ours - theirs| <= rtol * |theirs| + atol elementwise, with matching dims and dtype. */
export function expectClose(ours: Tensor, theirs: Tensor, rtol = 1e-5, atol = 1e-6, label = ''): void {
  expect(ours.dtype, `${label} dtype`).toBe(theirs.dtype);
  expect([...ours.dims], `${label} dims`).toEqual([...theirs.dims]);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < theirs.data.length; i++) {
    const a = elementAsNumber(ours, i);
    const b = elementAsNumber(theirs, i);
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    const excess = Math.abs(a - b) - (rtol * Math.abs(b) + atol);
    if (!(excess <= worst)) {
      worst = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
      at = i;
    }
  }
  if (at >= 0) {
    expect.fail(
      `${label} element ${at}: ours ${elementAsNumber(ours, at)}, onnxruntime ${elementAsNumber(theirs, at)} (rtol ${rtol}, atol ${atol})`,
    );
  }
}

/** Runs the case on both sides and compares every output. */
export async function expectMatchesOrt(
  c: OneNodeCase,
  rtol = 1e-5,
  atol = 1e-6,
  label = c.op,
): Promise<void> {
  const theirs = await runOrt(c);
  const ours = runOurs(c);
  for (const [name, t] of theirs) expectClose(ours.get(name)!, t, rtol, atol, `${label} ${name}`);
}
