// Shared helpers for the GPU kernel tests (Node + Dawn on SwiftShader). A missing adapter fails
// the test run: these tests exist to prove the kernels, skipping them would prove nothing.
import { afterAll, expect } from 'vitest';
import { acquireGpu, type GpuContext, releaseGpu } from '../../kernels/gpu/device.js';
import type { Int8KernelResult } from '../../kernels/gpu/int8-gemm.js';
import { type IntAccumulation, MAX_ABS_U32 } from '../../kernels/quant-math/accumulator.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';

/** The shared GPU context; registers an afterAll that releases Dawn so Vitest can exit. */
export function sharedGpu(): () => Promise<GpuContext> {
  afterAll(async () => {
    await releaseGpu();
  });
  return acquireGpu;
}

/** Deterministic PRNG (mulberry32) so random cases are reproducible by seed. */
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

/** A float32 tensor of `dims` with values uniform in [-scale, scale) from `r`. */
export function randomF32(r: () => number, dims: readonly number[], scale = 1): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return makeTensor(
    'float32',
    [...dims],
    Float32Array.from({ length: n }, () => (2 * r() - 1) * scale),
  );
}

/** Random integers in [lo, hi]. */
export function randomInts(rand: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + Math.floor(rand() * (hi - lo + 1)));
}

/** Index of the first difference, or -1: a compact message for bit-exact comparisons. */
export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): string | undefined {
  if (a.length !== b.length) return `length ${a.length} != ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) {
      return `first mismatch at ${i}: got ${a[i]}, expected ${b[i]}`;
    }
  }
  return undefined;
}

/**
 * A GPU int8 kernel's accumulators and statistics equal the reference's, bit for bit; max |acc|
 * as the reference's capped at MAX_ABS_U32 (the GPU keeps it in a u32: accumulator.ts).
 */
export function expectSameAccumulation(got: Int8KernelResult, want: IntAccumulation): void {
  expect(got.dims).toEqual(want.dims);
  expect(firstMismatch(got.acc!, want.acc)).toBeUndefined();
  expect(firstMismatch(got.overflowCount!, want.overflowCount)).toBeUndefined();
  expect(
    firstMismatch(
      got.maxAbs!,
      want.maxAbs.map((v) => Math.min(v, MAX_ABS_U32)),
    ),
  ).toBeUndefined();
}
