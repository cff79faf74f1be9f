// The WebGPU executor: runs a whole model on the GPU with the float WGSL kernels and the int8
// kernels, planned once per (requested outputs, input dims) by gpu-plan.ts. A run writes the
// inputs, records every GPU node into one command encoder (a node without a GPU kernel splits it:
// its inputs are read back, the CPU reference runs, its outputs are written back), appends copies
// of the requested values to staging buffers, submits once and maps them. A lost device (found
// before a run, or during one) is reported and the run repeated once on a fresh device.
import { acquireGpu, type GpuContext } from '../../../kernels/gpu/device.js';
import { recordDispatches } from '../../../kernels/gpu-float/float-dispatch.js';
import type { Tensor } from '../../../kernels/tensor.js';
import { ModelError } from '../../model/errors.js';
import type { Model } from '../../model/ir.js';
import { isCpuSupported } from '../cpu/interpreter.js';
import { DEFAULT_SETTINGS, type ExecSettings } from '../cpu/op-types.js';
import type { Executor, RunOptions } from '../executor.js';
import { assertSupported } from '../support.js';
import { validateFeeds } from '../validate-feeds.js';
import { buildPlan, type GpuPlan, type PlanSummary } from './gpu-plan.js';
import { gpuByteLength, tensorBytes, tensorFromBytes } from './gpu-storage.js';

export type { PlanSummary } from './gpu-plan.js';

/** What one run did (tests check one submission per run; the CLI reports restarts). */
export interface RunReport {
  /** queue.submit calls (one per run unless CPU fallbacks split the work). */
  readonly submits: number;
  /** Values copied back to the host (CPU fallback inputs and requested outputs). */
  readonly readbacks: number;
  /** Plan steps run on the CPU reference. */
  readonly hostSteps: number;
  /** Set when the device was lost and the run went to a fresh device: the report line. */
  readonly deviceRestarted?: string;
}

export class WebGpuExecutor implements Executor {
  readonly backend = 'webgpu' as const;
  private readonly plans = new Map<string, Promise<GpuPlan>>();
  /** Called when the device was lost and the run is repeated (the CLI / page report it). */
  onDeviceLost?: (message: string) => void;

  private constructor(
    private readonly model: Model,
    private gpu: GpuContext,
    private readonly settings: ExecSettings,
  ) {}

  /** Checks the ops (UnsupportedOpsError like the CPU interpreter) and plans the default run. */
  static async create(model: Model, settings: ExecSettings = DEFAULT_SETTINGS): Promise<WebGpuExecutor> {
    assertSupported(model, isCpuSupported);
    const executor = new WebGpuExecutor(model, await acquireGpu(), settings);
    await executor.plan(
      model.graph.outputs.map((o) => o.name),
      {},
    );
    return executor;
  }

  /** The plan summary for the default outputs (GPU nodes, views, fusions, CPU fallbacks). */
  async summary(): Promise<PlanSummary> {
    return (
      await this.plan(
        this.model.graph.outputs.map((o) => o.name),
        {},
      )
    ).summary;
  }

  private plan(outputs: readonly string[], bindings: Record<string, number>): Promise<GpuPlan> {
    const key = JSON.stringify([outputs, bindings]);
    let p = this.plans.get(key);
    if (!p) {
      p = buildPlan(this.gpu, this.model, outputs, this.settings, bindings);
      p.catch(() => this.plans.delete(key));
      this.plans.set(key, p);
    }
    return p;
  }

  /** Symbolic input dims bound to the fed sizes (so a batch of 4 gets its own plan). */
  private bindingsFor(feeds: ReadonlyMap<string, Tensor>): Record<string, number> {
    const bindings: Record<string, number> = {};
    for (const input of this.model.graph.inputs) {
      const t = feeds.get(input.name);
      input.dims?.forEach((d, i) => {
        if (typeof d === 'string' && t) bindings[d] = t.dims[i];
      });
    }
    return bindings;
  }

  /** What the last successful run did: submissions, readbacks, host steps, device restart. */
  lastRun: RunReport | undefined;

  async run(feeds: ReadonlyMap<string, Tensor>, options: RunOptions = {}): Promise<Map<string, Tensor>> {
    validateFeeds(this.model.graph, feeds);
    let restarted: string | undefined;
    // A device lost since the last run (or destroyed) is replaced before anything is recorded.
    if (this.gpu.lost) restarted = await this.restart();
    try {
      return await this.runOnce(feeds, options, restarted);
    } catch (e) {
      // Cancelled by the caller (a mapAsync on a lost device also rejects with an AbortError).
      if (options.signal?.aborted) throw e;
      // The lost promise resolves asynchronously: give it a turn before deciding.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (!this.gpu.lost) throw e;
      restarted = await this.restart();
      return this.runOnce(feeds, options, restarted);
    }
  }

  /** Drops the plans of the lost device and acquires a fresh one; returns the report line. */
  private async restart(): Promise<string> {
    const lost = this.gpu.lost;
    const message = `WebGPU device lost (${lost?.message || lost?.reason || 'unknown'}); running again on a fresh device`;
    this.onDeviceLost?.(message);
    this.dispose();
    this.gpu = await acquireGpu();
    return message;
  }

  private async runOnce(
    feeds: ReadonlyMap<string, Tensor>,
    options: RunOptions,
    restarted: string | undefined,
  ): Promise<Map<string, Tensor>> {
    const wanted = options.outputs ?? this.model.graph.outputs.map((o) => o.name);
    const plan = await this.plan(wanted, this.bindingsFor(feeds));
    const { device } = this.gpu;
    const report = { submits: 0, readbacks: 0, hostSteps: 0 };
    const host = new Map<string, Tensor>(feeds);
    for (const name of plan.gpuInputs) writeTensor(device, plan.arena.buffer(name), feeds.get(name)!);
    let encoder: GPUCommandEncoder | undefined;
    const submit = () => {
      if (encoder) {
        device.queue.submit([encoder.finish()]);
        report.submits++;
      }
      encoder = undefined;
    };
    /** Reads GPU values back: copies appended to the pending work, one submit, then mapping. */
    const readBack = async (names: readonly string[]) => {
      const staged = names.map((name) => {
        const s = plan.shapes.values.get(name);
        if (!s || !plan.arena.has(name)) throw new ModelError(`value '${name}' was not computed`);
        const bytes = gpuByteLength(s.dtype, s.dims);
        const staging = device.createBuffer({
          label: `webgpu.${name}.readback`,
          size: bytes,
          usage: 0x01 | 0x08,
        });
        encoder ??= device.createCommandEncoder({ label: 'webgpu-executor.encoder' });
        encoder.copyBufferToBuffer(plan.arena.buffer(name), 0, staging, 0, bytes);
        return { name, s, staging };
      });
      if (staged.length === 0) return;
      submit();
      report.readbacks += staged.length;
      try {
        await Promise.all(staged.map((r) => r.staging.mapAsync(0x0001)));
        for (const r of staged)
          host.set(r.name, tensorFromBytes(r.s.dtype, r.s.dims, r.staging.getMappedRange()));
      } finally {
        for (const r of staged) r.staging.destroy();
      }
    };
    const onHost = (name: string) => !name || host.has(name) || plan.constants.has(name);
    const hostValue = (name: string): Tensor | undefined =>
      name ? (host.get(name) ?? plan.constants.get(name)) : undefined;
    for (const [k, step] of plan.steps.entries()) {
      if (options.signal?.aborted) throw new DOMException('run cancelled', 'AbortError');
      if (step.kind === 'gpu') {
        encoder ??= device.createCommandEncoder({ label: 'webgpu-executor.encoder' });
        if (step.work.dispatches)
          recordDispatches(encoder, step.work.dispatches, `${step.node.opType}.${step.node.name}`);
        if (step.work.record) await step.work.record(encoder);
      } else {
        report.hostSteps++;
        await readBack([...new Set(step.inputs.filter((n) => !onHost(n)))]);
        let outputs: Tensor[];
        try {
          outputs = await step.run(step.inputs.map(hostValue));
        } catch (e) {
          if (e instanceof ModelError) throw e;
          throw new ModelError(`node '${step.node.name}' (${step.node.opType}): ${(e as Error).message}`);
        }
        submit(); // queue.writeBuffer runs at once: earlier GPU work must be submitted first
        step.node.outputs.forEach((name, i) => {
          if (!name || !outputs[i]) return;
          host.set(name, outputs[i]);
          if (plan.arena.has(name)) writeTensor(device, plan.arena.buffer(name), outputs[i]);
        });
      }
      options.onProgress?.(k + 1, plan.steps.length);
    }
    await readBack([...new Set(wanted.filter((n) => !onHost(n)))]);
    submit();
    // Per-node results the GPU work left for the host (accumulator statistics), in plan order.
    const collected = plan.steps.map((s) => (s.kind === 'gpu' ? s.work.collect?.() : undefined));
    for (const report of await Promise.all(collected)) report?.();
    const result = new Map<string, Tensor>();
    for (const name of wanted) {
      const t = hostValue(name);
      if (!t) throw new ModelError(`value '${name}' was not computed`);
      result.set(name, t);
    }
    if (this.gpu.lost) throw new Error('WebGPU device lost during the run');
    this.lastRun = { ...report, deviceRestarted: restarted };
    return result;
  }

  dispose(): void {
    for (const p of this.plans.values()) p.then((plan) => plan.destroy()).catch(() => {});
    this.plans.clear();
  }
}

function writeTensor(device: GPUDevice, buffer: GPUBuffer, t: Tensor): void {
  const bytes = tensorBytes(t);
  const padded = bytes.byteLength % 4 === 0 ? bytes : new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  if (padded !== bytes) padded.set(bytes);
  if (padded.byteLength > 0) device.queue.writeBuffer(buffer, 0, padded);
}
