// Calibration operator by operator, in topological order (docs/architecture.md): step k fixes the
// parameters of the tensors quantized operator k writes (and of the graph inputs it is the first
// to read), from statistics gathered with every operator before k already quantized — each
// sample's quantized activations are kept at the frontier, so a whole calibration costs about
// one quantized inference per sample (plus one float inference when error propagation is off).
//
// The values at the frontier are exactly those of the simulated graph run in real space
// (fake-quant; onnxruntime 'disabled'): a quantized tensor carries dequantize(quantize(x)),
// weights their dequantized int8 values, a bias its dequantized int32 value.
//
// The state is resumable: step once, run to the end, pause (stop between steps), cancel
// (AbortSignal), rewind to a step after an override and run again.
import type { Tensor } from '../../kernels/tensor.js';
import { makeTensor, toFloat32 } from '../../kernels/tensor.js';
import { CpuInterpreter } from '../exec/cpu/interpreter.js';
import type { GraphNode, Model } from '../model/ir.js';
import type { ObserverName, QuantConfig } from './config.js';
import { runNode } from './node-runner.js';
import {
  dequantizedBias,
  effectiveRole,
  fakeQuantize,
  manualParams,
  paramsFromRange,
  type QParams,
  quantizeBias,
  weightParamsFor,
} from './params.js';
import { prepareModel } from './prepare-model.js';
import { planQuantization, type QuantPlan } from './quant-plan.js';
import type { ParamSet } from './simulated-model.js';

/** How a range is chosen from one tensor's values over the calibration samples. */
export type RangeChooser = (
  values: readonly Float32Array[],
  observer: ObserverName,
  q: { qmin: number; qmax: number; symmetric: boolean },
  config: QuantConfig,
) => [number, number];

/**
 * The same choice with its statistics gathered elsewhere (the GPU observers): used by `step` and
 * `run` for every tensor an operator writes; graph inputs, fixed when the calibration is created,
 * are observed again at the first step so they come from the same source.
 */
export type AsyncRangeChooser = (...args: Parameters<RangeChooser>) => Promise<[number, number]>;

export type ParamSource = ObserverName | 'manual' | 'shared' | 'fixed';

export interface ActivationResult {
  readonly params: QParams;
  readonly source: ParamSource;
  /** The range the parameters were computed from (for 'manual' scale/zero point: what they span). */
  readonly range: readonly [number, number];
}

export interface CalibrationProgress {
  /** Operator k of N (1-based) being calibrated, and its node. */
  readonly step: number;
  readonly steps: number;
  readonly node: string;
  /** Sample j of M (1-based). */
  readonly sample: number;
  readonly samples: number;
}

export interface CalibrationInput {
  readonly model: Model;
  readonly config: QuantConfig;
  readonly samples: readonly ReadonlyMap<string, Tensor>[];
  readonly chooseRange: RangeChooser;
  readonly gatherRange?: AsyncRangeChooser;
}

/** An activation the step's operators wrote: its values on each sample's quantized path. */
interface Written {
  readonly tensor: string;
  readonly raw: readonly Tensor[];
}

interface Step {
  readonly node: string;
  /** The nodes run in this step: those since the previous quantized operator, then it. */
  readonly nodes: readonly GraphNode[];
}

function groupSteps(plan: QuantPlan): Step[] {
  const steps: Step[] = [];
  let pending: GraphNode[] = [];
  const quantized = new Set(plan.quantizedNodes);
  for (const n of plan.order) {
    pending.push(n);
    if (quantized.has(n.name)) {
      steps.push({ node: n.name, nodes: pending });
      pending = [];
    }
  }
  if (pending.length > 0) {
    if (steps.length === 0) steps.push({ node: pending[pending.length - 1].name, nodes: pending });
    else {
      const last = steps.pop()!;
      steps.push({ node: last.node, nodes: [...last.nodes, ...pending] });
    }
  }
  return steps;
}

const yieldNow = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class Calibration {
  readonly model: Model;
  readonly plan: QuantPlan;
  readonly config: QuantConfig;
  /** What preparing and planning changed or could not do (opset raised, per-tensor fallback). */
  readonly notes: readonly string[];
  readonly samples: readonly ReadonlyMap<string, Tensor>[];
  private readonly chooseRange: RangeChooser;
  private readonly gatherRange?: AsyncRangeChooser;
  private readonly steps: readonly Step[];
  private stepIndex = 0;
  private frontier: Map<string, Tensor>[] = [];
  private readonly lastUse = new Map<string, number>();
  private floatValues?: Map<string, Tensor>[];
  readonly activations = new Map<string, ActivationResult>();
  readonly weights = new Map<string, QParams>();
  private readonly fakeWeights = new Map<string, Tensor>();

  constructor(input: CalibrationInput) {
    if (input.samples.length === 0) throw new Error('calibration needs at least one sample');
    const prepared = prepareModel(input.model, input.config);
    this.model = prepared.model;
    this.config = input.config;
    this.samples = input.samples;
    this.chooseRange = input.chooseRange;
    this.gatherRange = input.gatherRange;
    this.plan = planQuantization(this.model, this.config);
    this.notes = [...prepared.notes, ...this.plan.warnings];
    this.steps = groupSteps(this.plan);
    this.steps.forEach((s, k) => {
      for (const n of s.nodes) for (const i of n.inputs) if (i) this.lastUse.set(i, k);
    });
    for (const o of this.model.graph.outputs) this.lastUse.set(o.name, Number.POSITIVE_INFINITY);
    this.computeWeights();
    this.rewind(0);
  }

  get stepCount(): number {
    return this.steps.length;
  }
  get currentStep(): number {
    return this.stepIndex;
  }
  get done(): boolean {
    return this.stepIndex >= this.steps.length;
  }
  /** The quantized operator that step k calibrates. */
  stepNode(k: number): string {
    return this.steps[k].node;
  }

  private passthrough(t: string): boolean {
    return this.config.overrides[t]?.passthrough === true;
  }

  private computeWeights(): void {
    const g = this.model.graph;
    for (const [w, role] of this.plan.weights) {
      const t = g.initializers.get(w)!;
      const p = weightParamsFor(t, role.axis, this.config.weights, this.config.overrides[w]);
      this.weights.set(w, p);
      if (!this.passthrough(w))
        this.fakeWeights.set(w, makeTensor('float32', t.dims, fakeQuantize(toFloat32(t), t.dims, p)));
    }
  }

  /** Back to the start of step k: parameters of later steps are forgotten, the frontier replayed. */
  rewind(k: number): void {
    if (k < 0 || k > this.steps.length) throw new Error(`no step ${k}`);
    const keep = new Set<string>();
    for (let s = 0; s < k; s++) for (const n of this.steps[s].nodes) for (const o of n.outputs) keep.add(o);
    for (const i of this.model.graph.inputs) keep.add(i.name);
    for (const t of [...this.activations.keys()]) if (!keep.has(t)) this.activations.delete(t);
    this.frontier = this.samples.map((feeds) => new Map(feeds));
    this.stepIndex = 0;
    this.fixInputs();
    while (this.stepIndex < k) {
      for (const w of this.stepWrites()) this.fixActivation(w.tensor, w.raw, w.raw, true);
    }
  }

  /** The graph inputs observed again through the async source (before the first operator). */
  private async refixInputs(gather: AsyncRangeChooser): Promise<void> {
    for (const input of this.model.graph.inputs) {
      if (!this.plan.activations.has(input.name)) continue;
      const raw = this.samples.map((s) => s.get(input.name)!);
      await this.fixActivationAsync(input.name, raw, gather);
    }
  }

  /** Graph inputs that are quantized: fixed before any operator reads them. */
  private fixInputs(): void {
    for (const input of this.model.graph.inputs) {
      if (!this.plan.activations.has(input.name)) continue;
      const raw = this.samples.map((s) => s.get(input.name)!);
      this.fixActivation(input.name, raw, raw, true);
    }
  }

  private floatValuesOf(t: string): Tensor[] {
    if (!this.floatValues) {
      const names = [...this.plan.activations.keys()];
      const interpreter = new CpuInterpreter(this.model);
      this.floatValues = this.samples.map((feeds) => interpreter.runSync(feeds, { outputs: names }));
    }
    return this.floatValues.map((v) => v.get(t)!);
  }

  /**
   * Fixes one activation's parameters (unless replaying) and puts its quantized value at the
   * frontier. `raw`: its values with the operators before it quantized.
   */
  private fixActivation(t: string, raw: readonly Tensor[], stats: readonly Tensor[], replay: boolean): void {
    if (!replay || !this.activations.has(t)) this.activations.set(t, this.chooseParams(t, stats));
    this.putAtFrontier(t, raw);
  }

  /** As fixActivation, with the observer's statistics from the async source. */
  private async fixActivationAsync(
    t: string,
    raw: readonly Tensor[],
    gather: AsyncRangeChooser,
  ): Promise<void> {
    const fixed = this.paramsWithoutObserver(t);
    if (fixed) this.activations.set(t, fixed);
    else {
      const { observer, values, q, role } = this.observerInput(t, raw);
      const range = await gather(values, observer, q, this.config);
      this.activations.set(t, { params: paramsFromRange(range, role), source: observer, range });
    }
    this.putAtFrontier(t, raw);
  }

  /** The activation's quantized value (or its raw one under passthrough) on each sample's path. */
  private putAtFrontier(t: string, raw: readonly Tensor[]): void {
    const p = this.activations.get(t)!.params;
    raw.forEach((v, s) => {
      const value = this.passthrough(t)
        ? v
        : makeTensor('float32', v.dims, fakeQuantize(toFloat32(v), [], p));
      this.frontier[s].set(t, value);
    });
  }

  private chooseParams(t: string, values: readonly Tensor[]): ActivationResult {
    const fixed = this.paramsWithoutObserver(t);
    if (fixed) return fixed;
    const { observer, values: source, q, role } = this.observerInput(t, values);
    const range = this.chooseRange(source, observer, q, this.config);
    return { params: paramsFromRange(range, role), source: observer, range };
  }

  /** Parameters that need no statistics (manual override, shared, fixed range), else null. */
  private paramsWithoutObserver(t: string): ActivationResult | null {
    const role = this.plan.activations.get(t)!;
    const o = this.config.overrides[t];
    const r = effectiveRole(this.config.activations, o);
    if (o?.scale !== undefined && o.zeroPoint !== undefined) {
      const params = manualParams(o.scale, o.zeroPoint, r);
      const span: [number, number] = [
        (params.qmin - params.zeroPoint[0]) * params.scale[0],
        (params.qmax - params.zeroPoint[0]) * params.scale[0],
      ];
      return { params, source: 'manual', range: span };
    }
    if (o?.min !== undefined && o.max !== undefined) {
      return { params: paramsFromRange([o.min, o.max], r), source: 'manual', range: [o.min, o.max] };
    }
    if (role.sharedWith) {
      const shared = this.activations.get(role.sharedWith);
      if (shared) return { ...shared, source: 'shared' };
    }
    if (role.fixedRange) {
      return {
        params: paramsFromRange(role.fixedRange, r),
        source: 'fixed',
        range: [...role.fixedRange] as [number, number],
      };
    }
    return null;
  }

  /** What the observer of activation t sees: its values (quantized path or float) and range. */
  private observerInput(t: string, values: readonly Tensor[]) {
    const o = this.config.overrides[t];
    const role = effectiveRole(this.config.activations, o);
    const observer = o?.observer ?? this.config.activations.observer;
    const source = this.config.errorPropagation ? values : this.floatValuesOf(t);
    const { qmin, qmax } = paramsFromRange([0, 0], role);
    return {
      observer,
      values: source.map((v) => toFloat32(v)),
      q: { qmin, qmax, symmetric: role.symmetric },
      role,
    };
  }

  /** The value a node input reads on the quantized path of sample s. */
  private inputValue(s: number, name: string): Tensor | undefined {
    if (!name) return undefined;
    const f = this.frontier[s].get(name);
    if (f) return f;
    const w = this.fakeWeights.get(name);
    if (w) return w;
    const bias = this.fakeBias(name);
    if (bias) return bias;
    return this.model.graph.initializers.get(name);
  }

  private readonly biasCache = new Map<string, Tensor>();
  private fakeBias(name: string): Tensor | undefined {
    const role = this.plan.biases.get(name);
    if (!role || this.passthrough(name) || this.passthrough(role.input) || this.passthrough(role.weight))
      return undefined;
    const x = this.activations.get(role.input);
    const w = this.weights.get(role.weight);
    if (!x || !w) return undefined;
    const key = `${name}\u0000${x.params.scale[0]}`;
    let t = this.biasCache.get(key);
    if (!t) {
      const b = this.model.graph.initializers.get(name)!;
      t = makeTensor('float32', b.dims, dequantizedBias(quantizeBias(b, x.params.scale[0], w.scale)));
      this.biasCache.set(key, t);
    }
    return t;
  }

  /** In the simulated graph an input is a constant initializer only when it was not replaced. */
  private isConstantInput(name: string): boolean {
    if (!name || !this.model.graph.initializers.has(name)) return false;
    return !this.fakeWeights.has(name) && this.fakeBias(name) === undefined;
  }

  /**
   * Runs step k's operators on every sample. Each activation they write is yielded for the caller
   * to fix (its parameters, then its quantized value at the frontier) before the next operator
   * reads it; other values go to the frontier directly.
   */
  private *stepWrites(onProgress?: (p: CalibrationProgress) => void): Generator<Written> {
    const k = this.stepIndex;
    const step = this.steps[k];
    for (const node of step.nodes) {
      const constant = node.inputs.map((i) => this.isConstantInput(i));
      const outputs: Tensor[][] = [];
      for (let s = 0; s < this.samples.length; s++) {
        onProgress?.({
          step: k + 1,
          steps: this.steps.length,
          node: step.node,
          sample: s + 1,
          samples: this.samples.length,
        });
        const inputs = node.inputs.map((i) => this.inputValue(s, i));
        outputs.push(runNode(this.model, node, inputs, constant));
      }
      for (let j = 0; j < node.outputs.length; j++) {
        const o = node.outputs[j];
        if (!o) continue;
        const raw = outputs.map((out) => out[j]);
        if (this.plan.activations.has(o)) yield { tensor: o, raw };
        else
          raw.forEach((v, s) => {
            this.frontier[s].set(o, v);
          });
      }
    }
    // Values nothing later reads leave the frontier.
    for (const f of this.frontier)
      for (const name of [...f.keys()]) if ((this.lastUse.get(name) ?? -1) <= k) f.delete(name);
    this.stepIndex++;
  }

  /** Calibrates the next operator. */
  async step(
    options: { signal?: AbortSignal; onProgress?: (p: CalibrationProgress) => void } = {},
  ): Promise<void> {
    if (this.done) return;
    options.signal?.throwIfAborted();
    const gather = this.gatherRange;
    if (!gather)
      for (const w of this.stepWrites(options.onProgress)) this.fixActivation(w.tensor, w.raw, w.raw, false);
    else {
      if (this.stepIndex === 0) await this.refixInputs(gather);
      for (const w of this.stepWrites(options.onProgress))
        await this.fixActivationAsync(w.tensor, w.raw, gather);
    }
    await yieldNow();
  }

  /** Calibrates every remaining operator (cancel with the signal; the state stays resumable). */
  async run(
    options: { signal?: AbortSignal; onProgress?: (p: CalibrationProgress) => void } = {},
  ): Promise<void> {
    while (!this.done) await this.step(options);
  }

  /** The parameters as the simulated graph takes them (passthrough from the config's overrides). */
  paramSet(): ParamSet {
    const passthrough = new Set(
      Object.entries(this.config.overrides)
        .filter(([, o]) => o.passthrough)
        .map(([t]) => t),
    );
    return {
      activations: new Map([...this.activations].map(([t, a]) => [t, a.params])),
      weights: this.weights,
      passthrough,
    };
  }

  /** The graph outputs of each sample on the quantized path (after the last step). */
  outputs(): Map<string, Tensor>[] {
    return this.frontier.map((f) => new Map(this.model.graph.outputs.map((o) => [o.name, f.get(o.name)!])));
  }
}
