// Symbolic input sizes on the WebGPU executor (Dawn): a CNN with symbolic N, H and W is created
// without a guess (it used to be planned at 1x3x1x1 and fail at its first 2x2 MaxPool), planned
// from the fed sizes with one plan per set of sizes, and matches the CPU interpreter and
// onnxruntime at two sizes in one session; sizes asked for before any input (summary, create
// with bindings) come from the caller or fail naming the input and the dim; `qplay run
// --backend webgpu` runs the model too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { InputError } from '../../app/model/errors.js';
import { qplayRunner } from '../helpers/qplay-run.js';
import {
  cnnFeeds,
  expectClose,
  randomTensor,
  runOrt,
  sharedBatchModel,
  symbolicCnn,
} from '../unit/symbolic-dims.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();
const cnnBytes = symbolicCnn();
const cnn = decodeModel(cnnBytes);
const SIZES: Array<[number, number, number]> = [
  [1, 12, 20],
  [2, 9, 14],
];

describe('WebGpuExecutor with symbolic N, H, W', () => {
  it('creates without planning, then runs two sizes (and the first again) like the CPU and onnxruntime', async () => {
    const gpu = await WebGpuExecutor.create(cnn);
    const cpu = new CpuInterpreter(cnn);
    try {
      expect(gpu.planCount).toBe(0);
      for (const [k, [n, h, w]] of [...SIZES, SIZES[0]].entries()) {
        const feeds = cnnFeeds(n, h, w, 20 + k);
        const ours = await gpu.run(feeds);
        const cpuOut = await cpu.run(feeds);
        const ort = await runOrt(cnnBytes, feeds);
        for (const name of ['logits', 'pooled']) {
          expectClose(ours.get(name), cpuOut.get(name), `${name} vs CPU at ${n}x${h}x${w}`);
          expectClose(ours.get(name), ort.get(name), `${name} vs onnxruntime at ${n}x${h}x${w}`);
        }
        expect(gpu.lastRun!.hostSteps, 'no CPU fallback').toBe(0);
        // The summary describes the plan of the last run: its buffers scale with the sizes.
        const s = await gpu.summary();
        expect(s.cpuFallbacks).toEqual([]);
        expect(s.valueBytes).toBeGreaterThan(4 * n * 3 * h * w);
      }
      expect(gpu.planCount, 'one plan per set of sizes; the third run reused the first').toBe(2);
    } finally {
      gpu.dispose();
      cpu.dispose();
    }
  });

  it('summary before any run needs the sizes: from the caller, else an error naming input and dim', async () => {
    const gpu = await WebGpuExecutor.create(cnn);
    try {
      await expect(gpu.summary()).rejects.toThrow(InputError);
      await expect(gpu.summary()).rejects.toThrow(
        "input 'input' has symbolic dim 'N' (axis 0) with no size given",
      );
      await expect(gpu.summary({ N: 1, H: 16 })).rejects.toThrow(
        /input 'input' has symbolic dim 'W' \(axis 3\)/,
      );
      const small = await gpu.summary({ N: 1, H: 8, W: 8 });
      const big = await gpu.summary({ N: 1, H: 32, W: 32 });
      expect(big.valueBytes).toBeGreaterThan(small.valueBytes);
      expect(small.cpuFallbacks).toEqual([]);
    } finally {
      gpu.dispose();
    }
  });

  it('create with bindings plans at once; missing ones fail naming the input and dim', async () => {
    await expect(WebGpuExecutor.create(cnn, undefined, { bindings: { N: 1, H: 8 } })).rejects.toThrow(
      /input 'input' has symbolic dim 'W' \(axis 3\) with no size given/,
    );
    const gpu = await WebGpuExecutor.create(cnn, undefined, { bindings: { N: 2, H: 9, W: 14 } });
    try {
      expect(gpu.planCount).toBe(1);
      const feeds = cnnFeeds(2, 9, 14, 5);
      expectClose(
        (await gpu.run(feeds)).get('logits'),
        (await runOrt(cnnBytes, feeds)).get('logits'),
        'logits',
      );
      expect(gpu.planCount, 'the run used the plan made at create').toBe(1);
    } finally {
      gpu.dispose();
    }
  });

  it('keeps at most 4 plans (least recently used dropped) and still runs every size right', async () => {
    const gpu = await WebGpuExecutor.create(cnn);
    try {
      for (const h of [4, 6, 8, 10, 12, 4]) {
        const feeds = cnnFeeds(1, h, h + 2, h);
        expectClose(
          (await gpu.run(feeds)).get('logits'),
          (await runOrt(cnnBytes, feeds)).get('logits'),
          `H=${h}`,
        );
        expect(gpu.planCount).toBeLessThanOrEqual(4);
      }
      expect(gpu.planCount).toBe(4);
    } finally {
      gpu.dispose();
    }
  });

  it('a dim shared by two inputs: runs two batch sizes, and refuses feeds that disagree', async () => {
    const bytes = sharedBatchModel();
    const gpu = await WebGpuExecutor.create(decodeModel(bytes));
    try {
      for (const [n, k] of [
        [1, 5],
        [3, 2],
      ]) {
        const feeds = new Map([
          ['a', randomTensor([n, 4], n)],
          ['b', randomTensor([n, k], k)],
        ]);
        expectClose((await gpu.run(feeds)).get('y'), (await runOrt(bytes, feeds)).get('y'), `N=${n} K=${k}`);
      }
      const bad = new Map([
        ['a', randomTensor([2, 4], 1)],
        ['b', randomTensor([3, 5], 2)],
      ]);
      await expect(gpu.run(bad)).rejects.toThrow(
        "symbolic dim 'N' is 2 in input 'a' axis 0 but 3 in input 'b' axis 0",
      );
    } finally {
      gpu.dispose();
    }
  });
});

describe('qplay run --backend webgpu', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qplay-symbolic-gpu-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const { writeCase, qplay } = qplayRunner(dir);

  it.each(SIZES)('runs the symbolic CNN at N=%i H=%i W=%i like onnxruntime', async (n, h, w) => {
    const feeds = cnnFeeds(n, h, w, n * 100 + h);
    const outputs = await qplay(writeCase(cnnBytes, feeds.get('input')!), ['--backend', 'webgpu']);
    const ort = await runOrt(cnnBytes, feeds);
    expectClose(outputs[0], ort.get('logits'), 'logits');
    expectClose(outputs[1], ort.get('pooled'), 'pooled');
  });
});
