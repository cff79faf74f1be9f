// Shared by the extra-ops*.test.ts files (the lowerings of app/exec/webgpu/lower-extra.ts): a
// one-node model on the WebGPU executor against the CPU reference; the node must run on a GPU
// kernel (summary().cpuFallbacks empty) and its outputs equal the reference's (exact) or lie within
// 1e-4 relative + 1e-7 absolute of them (expectNear).
import { expect } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Tensor } from '../../kernels/tensor.js';
import {
  expectNear,
  expectSameTensor,
  type OneNode,
  oneNodeModel,
  runOurs,
} from '../unit/tensor-oracle.helper.js';

/** Runs `c` on the WebGPU executor; every output equals (or is near) the CPU reference's. */
export async function compareOnGpu(c: OneNode, exact: boolean, what: string): Promise<void> {
  const executor = await WebGpuExecutor.create(decodeModel(oneNodeModel(c)));
  try {
    const consts = new Set(c.constants ?? []);
    const feeds = new Map(
      c.inputs.filter((i): i is [string, Tensor] => i[1] !== undefined && !consts.has(i[0])),
    );
    const ours = await executor.run(feeds);
    const { cpuFallbacks, kernelErrors } = await executor.summary();
    expect(cpuFallbacks, `${what}: runs on the GPU (${kernelErrors.join('; ')})`).toEqual([]);
    const want = runOurs(c);
    c.outputs.forEach((o, i) => {
      const got = ours.get(o.name)!;
      if (exact) expectSameTensor(got, want[i], what);
      else expectNear(got, want[i], what);
    });
  } finally {
    executor.dispose();
  }
}
