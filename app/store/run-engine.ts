// What the run worker does with one model: runs it on the WebGPU executor when asked (created
// lazily, kept for the next run) or on the CPU reference interpreter, and falls back to the CPU
// for a run whose WebGPU plan or run fails, saying why. The GPU side is injected (./worker.ts
// passes the real WebGpuExecutor) so the fallback rules are testable without a browser.
import type { Tensor } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../exec/cpu/interpreter.js';
import type { RunOptions } from '../exec/executor.js';
import type { PlanSummary } from '../exec/webgpu/webgpu-executor.js';
import type { Model } from '../model/ir.js';
import { oneLine } from './one-line.js';
import type { Backend, RunPlacement } from './types.js';

/** The plan-summary fields the page shows (the executor's summary has more). */
export type PlacementSummary = Pick<
  PlanSummary,
  'gpuNodes' | 'gpuHostNodes' | 'viewNodes' | 'fusedNodes' | 'foldedNodes' | 'cpuFallbacks'
>;

/** The part of WebGpuExecutor the engine uses. */
export interface GpuExecutorLike {
  run(feeds: ReadonlyMap<string, Tensor>, options?: RunOptions): Promise<Map<string, Tensor>>;
  summary(): Promise<PlacementSummary>;
  dispose(): void;
}

/** Submit/readback counts of the work done inside `during`, and the adapter that did it. */
export interface GpuWorkCount {
  readonly adapter: string;
  readonly submits: number;
  readonly readbacks: number;
}

export interface GpuBackendFactory {
  create(model: Model): Promise<GpuExecutorLike>;
  /** Runs `during` while counting the GPU work it submits. */
  counting<T>(during: () => Promise<T>): Promise<{ result: T; count: GpuWorkCount }>;
}

export interface EngineResult {
  readonly outputs: Map<string, Tensor>;
  readonly placement: RunPlacement;
}

/** How many CPU fallbacks are named in the placement (the count is always exact). */
const FALLBACKS_NAMED = 5;

function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError';
}

export class RunEngine {
  private cpu: CpuInterpreter | null = null;
  private gpu: Promise<GpuExecutorLike> | null = null;

  constructor(
    readonly model: Model,
    private readonly gpuFactory: GpuBackendFactory | null,
  ) {}

  async run(
    feeds: ReadonlyMap<string, Tensor>,
    backend: Backend,
    options: RunOptions = {},
  ): Promise<EngineResult> {
    let fallback: string | null = null;
    if (backend === 'webgpu') {
      if (!this.gpuFactory) fallback = 'WebGPU is not available in this context';
      else {
        try {
          return await this.runGpu(this.gpuFactory, feeds, options);
        } catch (e) {
          if (isAbort(e)) throw e;
          // Drop the executor: the next WebGPU run starts from a fresh plan (and device).
          this.disposeGpu();
          fallback = oneLine(`WebGPU failed (${(e as Error).message ?? String(e)}); ran on the CPU`, 240);
        }
      }
    }
    this.cpu ??= new CpuInterpreter(this.model);
    const outputs = await this.cpu.run(feeds, options);
    return {
      outputs,
      placement: {
        backend: 'cpu',
        adapter: null,
        gpuNodes: 0,
        cpuNodes: this.model.graph.nodes.length,
        viewNodes: 0,
        fusedNodes: 0,
        foldedNodes: 0,
        cpuFallbacks: [],
        submits: null,
        readbacks: null,
        prepareMs: null,
        fallback,
      },
    };
  }

  private async runGpu(
    factory: GpuBackendFactory,
    feeds: ReadonlyMap<string, Tensor>,
    options: RunOptions,
  ): Promise<EngineResult> {
    let prepareMs: number | null = null;
    if (!this.gpu) {
      const started = performance.now();
      this.gpu = factory.create(this.model);
      try {
        await this.gpu;
      } finally {
        prepareMs = performance.now() - started;
      }
    }
    const executor = await this.gpu;
    const { result: outputs, count } = await factory.counting(() => executor.run(feeds, options));
    const s = await executor.summary();
    return {
      outputs,
      placement: {
        backend: 'webgpu',
        adapter: count.adapter,
        gpuNodes: s.gpuNodes + s.gpuHostNodes,
        cpuNodes: s.cpuFallbacks.length,
        viewNodes: s.viewNodes,
        fusedNodes: s.fusedNodes,
        foldedNodes: s.foldedNodes,
        cpuFallbacks: s.cpuFallbacks.slice(0, FALLBACKS_NAMED),
        submits: count.submits,
        readbacks: count.readbacks,
        prepareMs,
        fallback: null,
      },
    };
  }

  private disposeGpu(): void {
    const gpu = this.gpu;
    this.gpu = null;
    gpu?.then((g) => g.dispose()).catch(() => {});
  }

  dispose(): void {
    this.disposeGpu();
  }
}
