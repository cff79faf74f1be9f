// com.microsoft QLinearWhere on the WebGPU executor (two byte maps over the condition and X / Y,
// with the reference's requantization tables) against the CPU interpreter and onnxruntime-node,
// bit for bit: uint8 and int8, random three-way broadcast shapes, requantizing and copying
// parameters; the node runs on the GPU (no CPU fallback).
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { QUIET } from '../helpers/ort-quiet.js';
import { randInt, rng } from '../unit/tensor-oracle.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

type Q = 'uint8' | 'int8';

function bytes(r: () => number, type: Q, dims: number[]): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const [lo, hi] = type === 'uint8' ? [0, 255] : [-128, 127];
  return makeTensor(
    type,
    dims,
    Array.from({ length: n }, () => randInt(r, lo, hi)),
  );
}

/** A broadcastable suffix of `out` with some axes set to 1. */
function broadcastable(r: () => number, out: number[]): number[] {
  const rank = randInt(r, 0, out.length);
  return out.slice(out.length - rank).map((d) => (r() < 0.3 ? 1 : d));
}

async function check(r: () => number, type: Q, copy: boolean): Promise<void> {
  const out = Array.from({ length: randInt(r, 1, 4) }, () => randInt(r, 1, 6));
  const [cd, xd, yd] = [broadcastable(r, out), broadcastable(r, out), out];
  const scale = (v: number) => makeTensor('float32', [], [v]);
  const zp = () => bytes(r, type, []);
  const zz = zp();
  const cond = makeTensor(
    'bool',
    cd,
    Array.from({ length: cd.reduce((a, b) => a * b, 1) }, () => (r() < 0.5 ? 1 : 0)),
  );
  const x = bytes(r, type, xd);
  const y = bytes(r, type, yd);
  const model = buildModel({
    opset: 13,
    msOpset: 1,
    inputs: [
      { name: 'c', dtype: 'bool', dims: cd },
      { name: 'x', dtype: type, dims: xd },
      { name: 'y', dtype: type, dims: yd },
    ],
    outputs: [{ name: 'z', dtype: type }],
    initializers: {
      xs: scale(copy ? 0.05 : 0.02 + r() * 0.05),
      xz: copy ? zz : zp(),
      ys: scale(copy ? 0.05 : 0.02 + r() * 0.05),
      yz: copy ? zz : zp(),
      zs: scale(0.05),
      zz,
    },
    nodes: [
      {
        op: 'QLinearWhere',
        domain: 'com.microsoft',
        inputs: ['c', 'x', 'xs', 'xz', 'y', 'ys', 'yz', 'zs', 'zz'],
        outputs: ['z'],
      },
    ],
  });
  const feeds = new Map([
    ['c', cond],
    ['x', x],
    ['y', y],
  ]);
  const what = `${type} cond [${cd}] x [${xd}] y [${yd}]${copy ? ' (copy)' : ''}`;
  const gpu = await WebGpuExecutor.create(decodeModel(model));
  try {
    const got = (await gpu.run(feeds)).get('z')!;
    expect((await gpu.summary()).cpuFallbacks, what).toEqual([]);
    const cpu = new CpuInterpreter(decodeModel(model)).runSync(feeds).get('z')!;
    const session = await ort.InferenceSession.create(model, QUIET);
    const theirs = (
      await session.run({
        c: new ort.Tensor('bool', cond.data as Uint8Array, cd),
        x: new ort.Tensor(type, x.data as Uint8Array, xd),
        y: new ort.Tensor(type, y.data as Uint8Array, yd),
      })
    ).z;
    await session.release();
    expect([...got.dims], what).toEqual([...theirs.dims]);
    expect(Array.from(got.data as Uint8Array), `${what}: GPU vs CPU`).toEqual(
      Array.from(cpu.data as Uint8Array),
    );
    expect(Array.from(got.data as Uint8Array), `${what}: GPU vs onnxruntime`).toEqual(
      Array.from(theirs.data as Uint8Array),
    );
  } finally {
    gpu.dispose();
  }
}

describe('QLinearWhere on the WebGPU executor', () => {
  for (const type of ['uint8', 'int8'] as const)
    it(`${type}: random broadcast shapes, requantizing and copying`, async () => {
      const r = rng(type === 'uint8' ? 3 : 4);
      for (let t = 0; t < 8; t++) await check(r, type, t % 4 === 0);
    });
});
