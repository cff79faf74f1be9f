// The WebGPU executor: runs a whole model on the GPU with the float WGSL kernels and the int8
// kernels, planned once per (requested outputs, sizes of the symbolic input dims, values of the
// small tensors a shape depends on) by gpu-plan.ts. The sizes come from the fed tensors, or from
// the caller where a plan is wanted before any input exists; an unbound symbolic dim is an error
// naming it, never a guess. Shape-deciding values (fed axes, a computed Reshape shape) are learned
// from ValueNeededError and computed from each run's inputs on the CPU reference. A run writes the
// inputs, records every GPU node into one command encoder (a node without a GPU kernel splits it:
// its inputs are read back, the CPU reference runs, its outputs are written back), appends copies
// of the requested values to staging buffers, submits once and maps them. A lost device (found
// before a run, or during one) is reported and the run repeated once on a fresh device.
import { READBACK_USAGE } from '../../../kernels/gpu/buffers.js';
import { acquireGpu, type GpuContext } from '../../../kernels/gpu/device.js';
import { narrowToFloat16, widenFloat16 } from '../../../kernels/dtypes/round-f16.js';
import { recordDispatches } from '../../../kernels/gpu-float/float-dispatch.js';
import type { Tensor } from '../../../kernels/tensor.js';
import { ModelError } from '../../model/errors.js';
import type { Model } from '../../model/ir.js';
import { bindingsFromInputs, symbolicInputDims, ValueNeededError } from '../../model/shape-inference.js';
import { CpuInterpreter, isCpuSupported } from '../cpu/interpreter.js';
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

/** Sizes of symbolic input dims by name, e.g. `{ N: 1, H: 48, W: 192 }`. */
export type DimBindings = Readonly<Record<string, number>>;

export interface CreateOptions {
  /**
   * Sizes of the symbolic input dims to plan with at once (the page, a benchmark: before any
   * input exists). Without them a model with symbolic inputs is planned at its first run.
   */
  readonly bindings?: DimBindings;
}

/** Plans kept per executor (each holds its GPU buffers); the least recently used goes first. */
const MAX_PLANS = 4;
/** Values computed at run time that shapes may depend on, and their largest size. */
const MAX_NEEDED_VALUES = 64;
const MAX_NEEDED_ELEMENTS = 4096;

interface PlanEntry {
  readonly plan: Promise<GpuPlan>;
  /** Runs using the plan now: an evicted plan is destroyed when the last one ends. */
  users: number;
  evicted: boolean;
}

export class WebGpuExecutor implements Executor {
  readonly backend = 'webgpu' as const;
  /** By plan key, in least-recently-used order (a Map keeps insertion order). */
  private readonly plans = new Map<string, PlanEntry>();
  /** The symbolic sizes of the last run: what summary() describes when given none. */
  private lastBindings: DimBindings | undefined;
  /** Called when the device was lost and the run is repeated (the CLI / page report it). */
  onDeviceLost?: (message: string) => void;

  private constructor(
    private readonly model: Model,
    private gpu: GpuContext,
    private readonly settings: ExecSettings,
  ) {}

  /**
   * Checks the ops (UnsupportedOpsError like the CPU interpreter) and plans the default run when
   * its sizes are known: a model without symbolic input dims, or `options.bindings` given (all of
   * them bound, else an InputError names the input and the dim).
   */
  static async create(
    model: Model,
    settings: ExecSettings = DEFAULT_SETTINGS,
    options: CreateOptions = {},
  ): Promise<WebGpuExecutor> {
    assertSupported(model, isCpuSupported);
    const executor = new WebGpuExecutor(model, await acquireGpu(), settings);
    if (options.bindings || symbolicInputDims(model.graph).length === 0) {
      try {
        await executor.withPlan(executor.defaultOutputs(), options.bindings ?? {}, new Map(), async () => {});
      } catch (e) {
        // Shapes that depend on values computed from the inputs: planned at the first run.
        if (e instanceof ValueNeededError) executor.noteNeeded(e);
        else {
          executor.dispose();
          throw e;
        }
      }
    }
    return executor;
  }

  /** Plans held now (one per set of requested outputs and symbolic sizes, at most MAX_PLANS). */
  get planCount(): number {
    return this.plans.size;
  }

  private defaultOutputs(): string[] {
    return this.model.graph.outputs.map((o) => o.name);
  }

  /**
   * The plan summary for the default outputs (GPU nodes, views, fusions, CPU fallbacks), at the
   * given sizes of the symbolic input dims, else at those of the last run; a model with symbolic
   * inputs, no run yet and no bindings is an InputError naming the input and the dim.
   */
  async summary(bindings?: DimBindings): Promise<PlanSummary> {
    if (this.needed.length && !this.lastValues)
      throw new ModelError(
        `the plan depends on values computed from the inputs ('${this.needed[0]}'): run the model first`,
      );
    return this.withPlan(
      this.defaultOutputs(),
      bindings ?? this.lastBindings ?? {},
      this.lastValues ?? new Map(),
      async (p) => p.summary,
    );
  }

  /**
   * Values computed at run time that the shapes depend on (learned from ValueNeededError): each
   * run computes them from its inputs on the CPU reference (only the nodes they need) and plans
   * with them, one plan per set of values.
   */
  private readonly needed: string[] = [];
  private lastValues: ReadonlyMap<string, Tensor> | undefined;
  private valueInterpreter: CpuInterpreter | undefined;

  private noteNeeded(e: ValueNeededError): void {
    if (this.needed.includes(e.value) || this.needed.length >= MAX_NEEDED_VALUES) throw e;
    this.needed.push(e.value);
  }

  /** The needed values for these inputs (small shape-like tensors), or an error naming one too big. */
  private neededValues(feeds: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
    if (this.needed.length === 0) return new Map();
    this.valueInterpreter ??= new CpuInterpreter(this.model, this.settings);
    const values = this.valueInterpreter.runSync(feeds, { outputs: this.needed });
    for (const [name, t] of values)
      if (t.data.length > MAX_NEEDED_ELEMENTS)
        throw new ModelError(
          `value '${name}' decides a shape but has ${t.data.length} elements (at most ${MAX_NEEDED_ELEMENTS})`,
        );
    return values;
  }

  /** Runs `use` with the plan for (outputs, bindings), built on first use and kept while used. */
  private async withPlan<T>(
    outputs: readonly string[],
    bindings: DimBindings,
    values: ReadonlyMap<string, Tensor>,
    use: (plan: GpuPlan) => Promise<T>,
  ): Promise<T> {
    // Only the symbolic dims of the inputs matter; sorted, so equal sizes give one key.
    const relevant = symbolicInputDims(this.model.graph)
      .filter((d) => Object.hasOwn(bindings, d))
      .sort()
      .map((d) => [d, bindings[d]]);
    const valueKey = [...values].map(([name, t]) => [name, t.dtype, t.dims, Array.from(t.data, String)]);
    const key = JSON.stringify([outputs, relevant, valueKey]);
    let entry = this.plans.get(key);
    if (entry) {
      this.plans.delete(key); // re-inserted below: now the most recently used
    } else {
      const plan = buildPlan(
        this.gpu,
        this.model,
        outputs,
        this.settings,
        Object.fromEntries(relevant),
        values,
      );
      entry = { plan, users: 0, evicted: false };
      const failed = entry;
      plan.catch(() => {
        if (this.plans.get(key) === failed) this.plans.delete(key);
      });
    }
    this.plans.set(key, entry);
    this.evictOldPlans();
    entry.users++;
    try {
      return await use(await entry.plan);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) destroyPlan(entry);
    }
  }

  private evictOldPlans(): void {
    for (const [key, entry] of this.plans) {
      if (this.plans.size <= MAX_PLANS) return;
      this.plans.delete(key);
      entry.evicted = true;
      if (entry.users === 0) destroyPlan(entry);
    }
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
    const wanted = options.outputs ?? this.defaultOutputs();
    const bindings = bindingsFromInputs(this.model.graph, (name) => feeds.get(name)?.dims);
    for (;;) {
      const values = this.neededValues(feeds);
      try {
        const outputs = await this.withPlan(wanted, bindings, values, (plan) =>
          this.runPlan(plan, feeds, wanted, options, restarted),
        );
        this.lastBindings = bindings;
        this.lastValues = values;
        return outputs;
      } catch (e) {
        if (!(e instanceof ValueNeededError)) throw e;
        this.noteNeeded(e); // rethrows when it cannot help
      }
    }
  }

  /** One run on one plan: writes, records, submits and reads back (see the file comment). */
  private async runPlan(
    plan: GpuPlan,
    feeds: ReadonlyMap<string, Tensor>,
    wanted: readonly string[],
    options: RunOptions,
    restarted: string | undefined,
  ): Promise<Map<string, Tensor>> {
    const { device } = this.gpu;
    const report = { submits: 0, readbacks: 0, hostSteps: 0 };
    // float16 inputs the plan stores as float32 (widen-float16.ts) are converted once, here.
    const host = new Map<string, Tensor>(
      [...feeds].map(([name, t]) => [name, plan.widened.has(name) ? widenFloat16(t) : t]),
    );
    for (const name of plan.gpuInputs) writeTensor(device, plan.arena.buffer(name), host.get(name)!);
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
          usage: READBACK_USAGE,
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
      result.set(name, plan.widened.has(name) ? narrowToFloat16(t) : t);
    }
    if (this.gpu.lost) throw new Error('WebGPU device lost during the run');
    this.lastRun = { ...report, deviceRestarted: restarted };
    return result;
  }

  dispose(): void {
    for (const entry of this.plans.values()) {
      entry.evicted = true;
      if (entry.users === 0) destroyPlan(entry);
    }
    this.plans.clear();
  }
}

function destroyPlan(entry: PlanEntry): void {
  entry.plan.then((plan) => plan.destroy()).catch(() => {});
}

function writeTensor(device: GPUDevice, buffer: GPUBuffer, t: Tensor): void {
  const bytes = tensorBytes(t);
  const padded = bytes.byteLength % 4 === 0 ? bytes : new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  if (padded !== bytes) padded.set(bytes);
  if (padded.byteLength > 0) device.queue.writeBuffer(buffer, 0, padded);
}
