// The run worker's engine without a browser: which backend a run asks for and where it went, and
// the CPU fallback when the WebGPU executor cannot be created or fails mid-run (the model stays
// runnable, the reason is one line, the next run tries WebGPU again).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Model } from '../../app/model/ir.js';
import {
  type GpuBackendFactory,
  type GpuExecutorLike,
  type PlacementSummary,
  RunEngine,
} from '../../app/store/run-engine.js';
import { seededRandom } from '../../app/store/sample-input.js';

const MODELS = new URL('../fixtures/models', import.meta.url).pathname;
const mnist = decodeModel(new Uint8Array(readFileSync(`${MODELS}/mnist-8.onnx`)));

function randomImage(seed: number): Map<string, Tensor> {
  const next = seededRandom(seed);
  const data = Float32Array.from({ length: 28 * 28 }, () => Math.floor(next() * 256));
  return new Map([[mnist.graph.inputs[0].name, makeTensor('float32', [1, 1, 28, 28], data)]]);
}

const SUMMARY: PlacementSummary = {
  gpuNodes: 9,
  viewNodes: 1,
  fusedNodes: 0,
  foldedNodes: 1,
  gpuHostNodes: 1,
  cpuFallbacks: ['A (a)', 'B (b)', 'C (c)', 'D (d)', 'E (e)', 'F (f)'],
};

/**
 * A stand-in GPU backend: runs the CPU interpreter (so outputs are real) and fails where told.
 * `plan` lists what each successive create/run does: 'ok', 'create' (throws), 'run' (throws) or 'abort' (a cancelled run).
 */
function fakeGpu(plan: ('ok' | 'create' | 'run' | 'abort')[]) {
  const log = { creates: 0, runs: 0, disposed: 0 };
  const factory: GpuBackendFactory = {
    async create(model: Model): Promise<GpuExecutorLike> {
      log.creates++;
      const what = plan.shift() ?? 'ok';
      if (what === 'create') throw new Error('WGSL validation error:\n  bad shader');
      const cpu = new CpuInterpreter(model);
      return {
        async run(feeds, options) {
          log.runs++;
          if (what === 'run') throw new Error('WebGPU device lost (destroyed)');
          if (what === 'abort') throw new DOMException('run cancelled', 'AbortError');
          return cpu.run(feeds, options);
        },
        summary: async () => SUMMARY,
        dispose: () => {
          log.disposed++;
        },
      };
    },
    async counting(during) {
      const result = await during();
      return { result, count: { adapter: 'test adapter', submits: 2, readbacks: 1 } };
    },
  };
  return { factory, log };
}

describe('RunEngine', () => {
  it('runs on the CPU when asked, with every node on the CPU', async () => {
    const engine = new RunEngine(mnist, fakeGpu([]).factory);
    const { outputs, placement } = await engine.run(randomImage(1), 'cpu');
    const expected = await new CpuInterpreter(mnist).run(randomImage(1));
    expect([...outputs.keys()]).toEqual([...expected.keys()]);
    expect(outputs.get(mnist.graph.outputs[0].name)!.data).toEqual(
      expected.get(mnist.graph.outputs[0].name)!.data,
    );
    expect(placement).toMatchObject({ backend: 'cpu', gpuNodes: 0, cpuNodes: 12, fallback: null });
  });

  it('reports the plan summary of a WebGPU run, and creates the executor once', async () => {
    const { factory, log } = fakeGpu(['ok']);
    const engine = new RunEngine(mnist, factory);
    const first = await engine.run(randomImage(2), 'webgpu');
    expect(first.placement).toMatchObject({
      backend: 'webgpu',
      adapter: 'test adapter',
      gpuNodes: 10, // GPU kernels plus int8 hosts
      cpuNodes: 6,
      viewNodes: 1,
      foldedNodes: 1,
      submits: 2,
      readbacks: 1,
      fallback: null,
    });
    expect(first.placement.cpuFallbacks).toHaveLength(5); // named up to 5; the count is exact
    expect(first.placement.prepareMs).toBeGreaterThanOrEqual(0);
    const second = await engine.run(randomImage(3), 'webgpu');
    expect(second.placement.prepareMs).toBeNull(); // the executor was kept
    expect(log).toMatchObject({ creates: 1, runs: 2 });
  });

  it.each([
    ['plan time (create fails)', 'create' as const, /WGSL validation error: bad shader/],
    ['run time (device lost)', 'run' as const, /device lost/],
  ])(
    'falls back to the CPU at %s, says why in one line, and tries WebGPU again next run',
    async (_, fail, why) => {
      const { factory, log } = fakeGpu([fail, 'ok']);
      const engine = new RunEngine(mnist, factory);
      const feeds = randomImage(4);
      const expected = await new CpuInterpreter(mnist).run(feeds);
      const fell = await engine.run(feeds, 'webgpu');
      expect(fell.placement.backend).toBe('cpu');
      expect(fell.placement.fallback).toMatch(why);
      expect(fell.placement.fallback).toMatch(/^WebGPU failed \(.*\); ran on the CPU$/);
      expect(fell.placement.fallback).not.toMatch(/\n/);
      const name = mnist.graph.outputs[0].name;
      expect(fell.outputs.get(name)!.data).toEqual(expected.get(name)!.data);
      expect(log.disposed).toBe(fail === 'run' ? 1 : 0); // a failed executor is dropped
      const again = await engine.run(feeds, 'webgpu');
      expect(again.placement).toMatchObject({ backend: 'webgpu', fallback: null });
      expect(log.creates).toBe(2);
    },
  );

  it('a cancelled WebGPU run is not retried on the CPU', async () => {
    const engine = new RunEngine(mnist, fakeGpu(['abort']).factory);
    await expect(engine.run(randomImage(5), 'webgpu')).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('without a GPU backend (Node, inline runs) a WebGPU request runs on the CPU and says so', async () => {
    const engine = new RunEngine(mnist, null);
    const { placement } = await engine.run(randomImage(6), 'webgpu');
    expect(placement.backend).toBe('cpu');
    expect(placement.fallback).toMatch(/not available/);
  });
});
