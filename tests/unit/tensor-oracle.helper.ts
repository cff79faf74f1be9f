// Shared by the math-*.test.ts and tensor-*.test.ts files: run one ONNX node on our CPU
// interpreter (adapter + reference) and on onnxruntime-node, and compare the outputs.
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import type { DType, Tensor, TensorData } from '../../kernels/tensor.js';
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

export function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)];
}

export function randomDims(r: () => number, minRank: number, maxRank: number, maxDim = 4): number[] {
  return Array.from({ length: randInt(r, minRank, maxRank) }, () => randInt(r, 1, maxDim));
}

/** Random values of any dtype: integers in [lo, hi] (floats uniform in it), bool 0/1. */
export function randomTensor(
  r: () => number,
  dtype: DType,
  dims: readonly number[],
  lo = -100,
  hi = 100,
): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const float = dtype === 'float32' || dtype === 'float64';
  const values = Array.from({ length: n }, () => (float ? lo + (hi - lo) * r() : randInt(r, lo, hi)));
  let data: TensorData;
  switch (dtype) {
    case 'float32':
      data = Float32Array.from(values);
      break;
    case 'float64':
      data = Float64Array.from(values);
      break;
    case 'int64':
      data = BigInt64Array.from(values, (v) => BigInt(v));
      break;
    case 'uint64':
      data = BigUint64Array.from(values, (v) => BigInt.asUintN(64, BigInt(v)));
      break;
    case 'bool':
      data = Uint8Array.from(values, (v) => v & 1);
      break;
    case 'int8':
      data = Int8Array.from(values);
      break;
    case 'uint8':
      data = Uint8Array.from(values);
      break;
    case 'int16':
      data = Int16Array.from(values);
      break;
    case 'uint16':
    case 'float16':
      data = Uint16Array.from(values);
      break;
    case 'int32':
      data = Int32Array.from(values);
      break;
    case 'uint32':
      data = Uint32Array.from(values);
      break;
    default:
      throw new Error(`randomTensor: no random ${dtype} values`);
  }
  return { dtype, dims: [...dims], data };
}

export interface OneNode {
  op: string;
  opset: number;
  /** Node inputs in order; `undefined` is an omitted optional input. */
  inputs: Array<[string, Tensor | undefined]>;
  /** Inputs that become initializers (shape, axes, splits...) instead of graph inputs. */
  constants?: string[];
  outputs: Array<{ name: string; dtype: DType }>;
  attrs?: Record<string, AttrInput>;
}

export function oneNodeModel(c: OneNode): Uint8Array {
  const consts = new Set(c.constants ?? []);
  const given = c.inputs.filter((i): i is [string, Tensor] => i[1] !== undefined);
  return buildModel({
    opset: c.opset,
    inputs: given
      .filter(([n]) => !consts.has(n))
      .map(([name, t]) => ({ name, dtype: t.dtype, dims: [...t.dims] })),
    outputs: c.outputs,
    initializers: Object.fromEntries(given.filter(([n]) => consts.has(n))),
    nodes: [
      {
        op: c.op,
        inputs: c.inputs.map(([n, t]) => (t ? n : '')),
        outputs: c.outputs.map((o) => o.name),
        attrs: c.attrs,
      },
    ],
  });
}

function feeds(c: OneNode): Array<[string, Tensor]> {
  const consts = new Set(c.constants ?? []);
  return c.inputs.filter((i): i is [string, Tensor] => i[1] !== undefined && !consts.has(i[0]));
}

export function runOurs(c: OneNode): Tensor[] {
  const out = new CpuInterpreter(decodeModel(oneNodeModel(c))).runSync(new Map(feeds(c)));
  return c.outputs.map((o) => out.get(o.name)!);
}

export async function runOrt(c: OneNode): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(oneNodeModel(c), QUIET);
  const res = await session.run(
    Object.fromEntries(feeds(c).map(([n, t]) => [n, new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as Float32Array, t.dims)])),
  );
  await session.release();
  return c.outputs.map((o) => {
    const v = res[o.name];
    return { dtype: v.type as DType, dims: [...v.dims], data: v.data as TensorData };
  });
}

/** Same dtype, dims and every element (NaN equals NaN, +0 differs from -0). */
export function expectSameTensor(ours: Tensor, theirs: Tensor, what = ''): void {
  expect(ours.dtype, what).toBe(theirs.dtype);
  expect(ours.dims, what).toEqual(theirs.dims);
  expect(Array.from(ours.data as ArrayLike<number>), what).toEqual(
    Array.from(theirs.data as ArrayLike<number>),
  );
}

/** Same dtype and dims; elements within `rel` relative error (or equal, or both NaN). */
export function expectCloseTensor(ours: Tensor, theirs: Tensor, rel: number, what = ''): void {
  expect(ours.dtype, what).toBe(theirs.dtype);
  expect(ours.dims, what).toEqual(theirs.dims);
  for (let i = 0; i < ours.data.length; i++) {
    const a = Number(ours.data[i]);
    const b = Number(theirs.data[i]);
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (!(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)))) {
      expect.fail(`${what}: element ${i} is ${a}, onnxruntime has ${b}`);
    }
  }
}

/**
 * Same dtype and dims; elements within 1e-4 relative + 1e-7 absolute of onnxruntime's (the absolute
 * part for results near 0, where e.g. onnxruntime's exp(x) - 1 cancels), NaN where it has NaN.
 */
export function expectNear(ours: Tensor, theirs: Tensor, what: string, rel = 1e-4, abs = 1e-7): void {
  expect(ours.dtype, what).toBe(theirs.dtype);
  expect(ours.dims, what).toEqual(theirs.dims);
  for (let i = 0; i < ours.data.length; i++) {
    const a = Number(ours.data[i]);
    const b = Number(theirs.data[i]);
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (!(Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b)))) {
      expect.fail(`${what}: element ${i} is ${a}, onnxruntime has ${b}`);
    }
  }
}

/** Runs both and compares every output exactly (rel === 0) or within rel. */
export async function expectMatchesOrt(c: OneNode, rel = 0, what = c.op): Promise<Tensor[]> {
  const theirs = await runOrt(c);
  const ours = runOurs(c);
  ours.forEach((t, i) => {
    if (rel === 0) expectSameTensor(t, theirs[i], `${what} output ${i}`);
    else expectCloseTensor(t, theirs[i], rel, `${what} output ${i}`);
  });
  return ours;
}
