// Shared by the GPU tests of one-node models (first the extra-ops*.test.ts files, the lowerings of
// app/exec/webgpu/lower-extra.ts; also misc-ops, bitwise, topk, einsum, lp-pool, table-ops-ort):
// a one-node model on the WebGPU executor; the node must run on a GPU kernel (summary().cpuFallbacks
// empty) and its outputs equal the CPU reference's (exact) or lie within 1e-4 relative + 1e-7
// absolute of them (expectNear), or go to the test's own comparison (runOnGpu); and a whole model
// on the WebGPU executor beside the CPU interpreter in one submit (runModelOnGpu).
import { expect } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { type PlanSummary, WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Model } from '../../app/model/ir.js';
import type { Tensor } from '../../kernels/tensor.js';
import {
  expectNear,
  expectSameTensor,
  type OneNode,
  oneNodeModel,
  runOurs,
} from '../unit/tensor-oracle.helper.js';

/**
 * Runs `c` on the WebGPU executor, feeding its inputs that are not constants, and checks that no
 * node fell back to the CPU; returns the outputs by name.
 */
export async function runOnGpu(c: OneNode, what: string): Promise<Map<string, Tensor>> {
  const executor = await WebGpuExecutor.create(decodeModel(oneNodeModel(c)));
  try {
    const consts = new Set(c.constants ?? []);
    const feeds = new Map(
      c.inputs.filter((i): i is [string, Tensor] => i[1] !== undefined && !consts.has(i[0])),
    );
    const ours = await executor.run(feeds);
    const { cpuFallbacks, kernelErrors } = await executor.summary();
    expect(cpuFallbacks, `${what}: runs on the GPU (${kernelErrors.join('; ')})`).toEqual([]);
    return ours;
  } finally {
    executor.dispose();
  }
}

/** Every output of `got` equals (or, not `exact`, is near) the same output of `want`. */
export function expectOutputs(
  c: OneNode,
  got: Map<string, Tensor>,
  want: readonly Tensor[],
  exact: boolean,
  what: string,
): void {
  c.outputs.forEach((o, i) => {
    if (exact) expectSameTensor(got.get(o.name)!, want[i], what);
    else expectNear(got.get(o.name)!, want[i], what);
  });
}

/** Runs `c` on the WebGPU executor; every output equals (or is near) the CPU reference's. */
export async function compareOnGpu(c: OneNode, exact: boolean, what: string): Promise<void> {
  const ours = await runOnGpu(c, what);
  expectOutputs(c, ours, runOurs(c), exact, what);
}

/**
 * Runs a whole model on the WebGPU executor and on the CPU interpreter; the GPU run must have no
 * CPU fallback and take one submit. Returns both results and the GPU plan's summary.
 */
export async function runModelOnGpu(
  model: Model,
  feeds: ReadonlyMap<string, Tensor>,
): Promise<{ got: Map<string, Tensor>; want: Map<string, Tensor>; summary: PlanSummary }> {
  const want = new CpuInterpreter(model).runSync(feeds);
  const executor = await WebGpuExecutor.create(model);
  try {
    const got = await executor.run(feeds);
    const summary = await executor.summary();
    expect(summary.cpuFallbacks, `no CPU fallback (${summary.kernelErrors})`).toEqual([]);
    expect(executor.lastRun?.submits).toBe(1);
    return { got, want, summary };
  } finally {
    executor.dispose();
  }
}
