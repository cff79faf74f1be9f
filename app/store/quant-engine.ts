// One model's quantization session, as the quant worker (./worker-quant.ts) holds it: the
// engine's resumable Calibration (or the parameters of an imported QDQ model or session
// document), the passthrough set, the metrics, and what the page asks about a tensor. It only
// calls app/quant; it computes no quantization itself. Unit tests drive it in-thread.
import type { Tensor } from '../../kernels/tensor.js';
import { metricsJson } from '../cli/report-format.js';
import { CpuInterpreter } from '../exec/cpu/interpreter.js';
import { execSettingsFor } from '../exec/quant-settings.js';
import { encodeModel } from '../model/encode.js';
import type { Model } from '../model/ir.js';
import { Calibration, type CalibrationProgress } from '../quant/calibrate.js';
import type { QuantConfig, TensorOverride } from '../quant/config.js';
import { importQdqModel } from '../quant/import-qdq.js';
import { IncrementalRunner } from '../quant/incremental.js';
import { computeMetrics } from '../quant/metrics.js';
import { tensorQuantOverrides } from '../quant/overrides-export.js';
import { effectiveRole, paramsFromRange, type QParams } from '../quant/params.js';
import { prepareModel } from '../quant/prepare-model.js';
import { planQuantization, type QuantPlan } from '../quant/quant-plan.js';
import { defaultRangeChooser } from '../quant/range-chooser.js';
import { paramSetFromEntries, sessionEntries } from '../quant/session-params.js';
import { executionGraph } from '../quant/simulate.js';
import { buildSimulatedModel, type ParamSet } from '../quant/simulated-model.js';
import { checkModelIdentity, checkSessionAgainstModel, parseSession } from '../session/session.js';
import { serializeSession, type SessionDocument } from '../session/session.js';
import { sha256Hex } from '../session/sha256.js';
import { quickMetrics } from './quant-quick.js';
import type {
  CalibrationOverview,
  ExportFiles,
  MetricsView,
  NodeTensors,
  SimulationMode,
  StrategyInput,
  TensorDetail,
} from './quant-types.js';
import { concatValues, layerRows, outputViews, strategyInput, tensorDetail } from './quant-views.js';

/** Parameters that came from elsewhere (a QDQ model, a session document): nothing to calibrate. */
interface FixedParams {
  readonly model: Model;
  readonly plan: QuantPlan;
  params: ParamSet;
  readonly what: string;
}

/** The full metrics: the page's view and the session document's JSON (computed by a second worker). */
export interface MetricsResult {
  readonly view: MetricsView;
  readonly json: object;
}

/** What a second engine needs to compute the metrics of this one's parameters. */
export interface ParamSnapshot {
  readonly config: QuantConfig;
  readonly params: ParamSet;
}

export interface ProgressSink {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: CalibrationProgress) => void;
}

export class QuantEngine {
  private cal: Calibration | null = null;
  private fixed: FixedParams | null;
  private config: QuantConfig;
  private samples: readonly ReadonlyMap<string, Tensor>[] = [];
  private description = '';
  private passthrough = new Set<string>();
  private floatRuns: Map<string, Tensor>[] | null = null;
  private runners = new Map<SimulationMode, IncrementalRunner>();
  /** The last full metrics: the view, and the session document's JSON of them. */
  private last: { json: object; view: MetricsView } | null = null;
  private notes: string[] = [];

  constructor(
    private readonly source: Model,
    readonly fileName: string,
    private readonly bytes: Uint8Array,
    config: QuantConfig,
  ) {
    this.config = config;
    const imported = importQdqModel(source);
    this.fixed = imported
      ? { model: imported.model, plan: imported.plan, params: imported.params, what: 'quantized model' }
      : null;
    if (imported) {
      this.config = { ...imported.config, accumulator: config.accumulator, rounding: config.rounding };
      this.passthrough = new Set(imported.params.passthrough);
    }
  }

  get imported(): boolean {
    return this.fixed !== null;
  }

  private get model(): Model {
    return this.cal?.model ?? this.fixed?.model ?? this.source;
  }
  private get plan(): QuantPlan | null {
    return this.cal?.plan ?? this.fixed?.plan ?? null;
  }
  private get done(): boolean {
    return this.fixed !== null || (this.cal?.done ?? false);
  }

  /** (Re)starts the session on a configuration and calibration set; parameters start empty. */
  start(config: QuantConfig, samples: readonly ReadonlyMap<string, Tensor>[], description: string): void {
    if (samples.length === 0) throw new Error('the calibration set is empty');
    this.samples = samples;
    this.description = description;
    this.clearDerived();
    if (this.fixed) {
      // An imported model keeps its parameters; only how the integer kernels sum and round changes.
      this.config = { ...this.config, accumulator: config.accumulator, rounding: config.rounding };
      this.notes = [`parameters imported from the ${this.fixed.what}; nothing to calibrate`];
      return;
    }
    this.config = config;
    this.cal = new Calibration({ model: this.source, config, samples, chooseRange: defaultRangeChooser });
    this.passthrough = new Set(this.cal.paramSet().passthrough);
    this.notes = [...this.cal.notes];
  }

  private clearDerived(): void {
    this.floatRuns = null;
    this.adoptedKey = '';
    this.runners.clear();
    this.last = null;
  }

  private requireStarted(): void {
    if (!this.cal && !this.fixed) throw new Error('calibration has not been set up yet');
    if (this.samples.length === 0) throw new Error('no calibration data yet');
  }

  async step(sink: ProgressSink = {}): Promise<void> {
    this.requireStarted();
    await this.cal?.step(sink);
  }

  async run(sink: ProgressSink = {}): Promise<void> {
    this.requireStarted();
    await this.cal?.run(sink);
  }

  /** Back to before the first operator (parameters forgotten, manual overrides kept). */
  reset(): void {
    this.cal?.rewind(0);
    this.last = null;
    this.runners.clear();
  }

  overview(): CalibrationOverview {
    const cal = this.cal;
    const plan = this.plan;
    return {
      step: cal ? cal.currentStep : 0,
      steps: cal ? cal.stepCount : 0,
      nextNode: cal && !cal.done ? cal.stepNode(cal.currentStep) : null,
      lastNode: cal && cal.currentStep > 0 ? cal.stepNode(cal.currentStep - 1) : null,
      done: this.done,
      notes: this.notes,
      samples: this.samples.length,
      activations: plan?.activations.size ?? 0,
      weights: plan?.weights.size ?? 0,
      imported: this.fixed !== null && this.fixed.what === 'quantized model',
      quantized: plan ? [...plan.activations.keys()] : [],
      passthrough: [...this.passthrough],
    };
  }

  params(): ParamSet {
    const base = this.cal ? this.cal.paramSet() : this.fixed!.params;
    return { ...base, passthrough: new Set(this.passthrough) };
  }

  private settings() {
    return execSettingsFor(this.config, 'exact');
  }

  /** Float values of every quantized activation and graph output, per sample (computed once). */
  private floats(): Map<string, Tensor>[] {
    if (!this.floatRuns) {
      const plan = this.plan;
      const names = [...(plan?.activations.keys() ?? []), ...this.model.graph.outputs.map((o) => o.name)];
      const interpreter = new CpuInterpreter(this.model);
      this.floatRuns = this.samples.map((feeds) => {
        const r = interpreter.runSync(feeds, { outputs: [...new Set(names)] });
        for (const [k, v] of feeds) r.set(k, v);
        return r;
      });
    }
    return this.floatRuns;
  }

  private requireDone(what: string): QuantPlan {
    this.requireStarted();
    if (!this.done) throw new Error(`${what} needs a finished calibration: press Calibrate first`);
    return this.plan!;
  }

  /**
   * The full metrics in a simulation mode (float, fake-quant and the mode's run; CPU backend);
   * `preview` adds the x86 / other-weight-range accumulator preview (three more affine runs).
   */
  async metrics(
    mode: SimulationMode,
    sensitivity: boolean,
    preview: boolean,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number, what: string) => void,
  ): Promise<MetricsResult> {
    const plan = this.requireDone('metrics');
    const params = this.params();
    const metrics = await computeMetrics({
      model: this.model,
      plan,
      params,
      config: this.config,
      samples: this.samples,
      mode,
      backend: 'cpu',
      settings: this.settings(),
      accumulatorPreview: preview,
      sensitivity,
      signal,
      onProgress,
    });
    const quick = this.runQuick(mode, params, signal);
    const view: MetricsView = {
      mode,
      layers: layerRows(metrics),
      outputs: outputViews(metrics.outputs, this.floats()[0], quick.firstOutputs),
      sensitivity: metrics.sensitivity.map((s) => ({ ...s })),
      rerun: null,
      full: true,
    };
    this.last = { json: metricsJson(metrics), view };
    return this.last;
  }

  /** Runs the mode's execution graph incrementally: only nodes whose inputs or constants changed. */
  private runQuick(mode: SimulationMode, params: ParamSet, signal?: AbortSignal) {
    let runner = this.runners.get(mode);
    if (!runner) {
      runner = new IncrementalRunner(this.samples, this.settings());
      this.runners.set(mode, runner);
    }
    const graph = executionGraph(buildSimulatedModel(this.model, this.plan!, params), mode);
    const result = runner.run(graph, signal);
    return quickMetrics({
      model: this.model,
      params,
      floats: this.floats(),
      values: result.values,
      layers: this.last?.view.layers ?? [],
      ran: result.ran,
      total: result.total,
    });
  }

  /**
   * Switches a tensor's simulated quantize on or off and re-runs only what depends on it: the
   * cumulative metrics and outputs update from the incremental run; local SQNR, clip rates and
   * accumulators keep the last full pass (the page asks for one next).
   */
  setPassthrough(tensor: string, on: boolean, mode: SimulationMode): MetricsView | null {
    const plan = this.requireDone('passthrough');
    if (!plan.activations.has(tensor) && !plan.weights.has(tensor))
      throw new Error(`'${tensor}' is not a quantized tensor of this model`);
    if (on) this.passthrough.add(tensor);
    else this.passthrough.delete(tensor);
    if (!this.last) return null;
    const quick = this.runQuick(mode, this.params());
    const view: MetricsView = {
      ...this.last.view,
      mode,
      layers: quick.layers,
      outputs: this.last.view.outputs.map((o) => {
        const q = quick.outputs.get(o.name);
        return q
          ? {
              ...o,
              sqnr: q.sqnr,
              top1Agreement: q.top1Agreement,
              top: o.top.map((t) => ({ ...t, quantized: q.first[t.index] })),
            }
          : o;
      }),
      rerun: { ran: quick.ran, total: quick.total },
      full: false,
    };
    this.last = { ...this.last, view };
    return view;
  }

  /**
   * Sets (or clears, with null) manual overrides: a range {min, max} or parameters {scale,
   * zeroPoint}. Calibration restarts on the new configuration and replays to where it was, so
   * with error propagation every later range follows the change.
   */
  setOverrides(changes: Readonly<Record<string, TensorOverride | null>>): void {
    this.requireStarted();
    const overrides: Record<string, TensorOverride> = { ...this.config.overrides };
    for (const [t, o] of Object.entries(changes)) {
      const rest = { ...overrides[t] };
      delete rest.min;
      delete rest.max;
      delete rest.scale;
      delete rest.zeroPoint;
      const merged = { ...rest, ...(o ?? {}) };
      if (Object.keys(merged).length === 0) delete overrides[t];
      else overrides[t] = merged;
    }
    this.config = { ...this.config, overrides };
    this.clearDerived();
    if (this.fixed) {
      this.applyFixedOverrides(changes);
      return;
    }
    const at = this.cal?.currentStep ?? 0;
    this.cal = new Calibration({
      model: this.source,
      config: this.config,
      samples: this.samples,
      chooseRange: defaultRangeChooser,
    });
    this.cal.rewind(at);
  }

  private applyFixedOverrides(changes: Readonly<Record<string, TensorOverride | null>>): void {
    const fixed = this.fixed!;
    const activations = new Map(fixed.params.activations);
    for (const [t, o] of Object.entries(changes)) {
      const old = activations.get(t);
      if (!old || !o) continue;
      const role = { dtype: old.dtype, symmetric: false, range: 'full' as const };
      if (o.min !== undefined && o.max !== undefined)
        activations.set(t, paramsFromRange([o.min, o.max], role));
      else if (o.scale !== undefined && o.zeroPoint !== undefined)
        activations.set(t, { ...old, scale: [Math.fround(o.scale)], zeroPoint: [o.zeroPoint] });
    }
    fixed.params = { ...fixed.params, activations };
  }

  /** The quantized tensors a node reads and writes (activations and weights). */
  nodeTensors(node: string): NodeTensors | null {
    const plan = this.plan;
    const n = this.model.graph.nodes.find((x) => x.name === node);
    if (!plan || !n) return null;
    const tensors: NodeTensors['tensors'][number][] = [];
    n.inputs.forEach((i, k) => {
      if (plan.activations.has(i)) tensors.push({ name: i, kind: 'activation', role: `input ${k}` });
      else if (plan.weights.has(i)) tensors.push({ name: i, kind: 'weight', role: `input ${k} (weight)` });
    });
    n.outputs.forEach((o, k) => {
      if (plan.activations.has(o)) tensors.push({ name: o, kind: 'activation', role: `output ${k}` });
    });
    return { node, opType: n.opType, tensors };
  }

  tensorDetail(name: string): TensorDetail | null {
    const plan = this.plan;
    if (!plan || this.samples.length === 0) return null;
    const params = this.params();
    if (plan.weights.has(name)) {
      const p = params.weights.get(name);
      const w = this.model.graph.initializers.get(name);
      if (!p || !w) return null;
      const values = concatValues([w]);
      return tensorDetail({
        name,
        kind: 'weight',
        params: p,
        values,
        dims: w.dims,
        perSample: [values],
        source: this.fixed ? 'imported' : 'weights',
        passthrough: params.passthrough.has(name),
        config: this.config,
      });
    }
    const p = params.activations.get(name);
    if (!plan.activations.has(name) || !p) return null;
    const perSample = this.floats().map((r) => concatValues([r.get(name)!]));
    const result = this.cal?.activations.get(name);
    return tensorDetail({
      name,
      kind: 'activation',
      params: p,
      values: concatValues(this.floats().map((r) => r.get(name)!)),
      dims: [],
      perSample,
      result,
      source: result?.source ?? (this.fixed ? 'imported' : 'manual'),
      passthrough: params.passthrough.has(name),
      config: this.config,
    });
  }

  /** Every calibrated activation and weight, as a user strategy function receives them. */
  strategyInputs(): StrategyInput[] {
    const plan = this.requireDone('a strategy');
    const params = this.params();
    const out: StrategyInput[] = [];
    for (const t of plan.activations.keys()) {
      const p = params.activations.get(t);
      if (!p || this.plan!.activations.get(t)?.sharedWith) continue;
      const role = effectiveRole(this.config.activations, this.config.overrides[t]);
      out.push(
        strategyInput(
          t,
          'activation',
          p,
          role.symmetric,
          this.floats().map((r) => concatValues([r.get(t)!])),
          this.config,
        ),
      );
    }
    for (const w of plan.weights.keys()) {
      const p = params.weights.get(w);
      const t = this.model.graph.initializers.get(w);
      if (!p || !t) continue;
      const role = effectiveRole(this.config.weights, this.config.overrides[w]);
      out.push(strategyInput(w, 'weight', p, role.symmetric, [concatValues([t])], this.config));
    }
    return out;
  }

  /** The QDQ model, the session document and onnxruntime's TensorQuantOverrides. */
  async exportFiles(): Promise<ExportFiles> {
    const plan = this.requireDone('export');
    const params = this.params();
    const qdq = buildSimulatedModel(this.model, plan, params);
    const bytes = encodeModel({ ...qdq, producerName: 'qplay', producerVersion: '0.1.0' });
    const { tensors, weights } = sessionEntries(plan, params, this.config, this.cal?.activations);
    const doc = {
      format: 'qplay-session',
      version: 1,
      model: { name: this.fileName, bytes: this.bytes.length, sha256: await sha256Hex(this.bytes) },
      config: this.config,
      tensors,
      weights,
      calibration: {
        description: this.description,
        samples: this.samples.length,
        step: this.cal?.currentStep ?? 0,
        steps: this.cal?.stepCount ?? 0,
        errorPropagation: this.config.errorPropagation,
      },
      metrics: this.last?.json ?? {},
    } as SessionDocument;
    const baseName = this.fileName.replace(/\.onnx$/i, '');
    return {
      qdq: bytes,
      session: serializeSession(doc),
      overrides: `${JSON.stringify(tensorQuantOverrides(plan, params), null, 2)}\n`,
      baseName,
      quantizeOps: qdq.graph.nodes.filter((n) => n.opType === 'QuantizeLinear').length,
    };
  }

  /**
   * Opens a session document on this model: read strictly, checked against the model (names,
   * channels, overrides), its parameters taken as they are. Returns notes (a different file).
   */
  async loadSession(text: string, where: string): Promise<string[]> {
    const doc = parseSession(text, where);
    const config = doc.config;
    const model = prepareModel(this.fixed ? this.fixed.model : this.source, config).model;
    checkSessionAgainstModel(doc, model, where);
    const notes: string[] = [];
    try {
      await checkModelIdentity(doc, this.bytes, where);
    } catch (e) {
      notes.push(`${(e as Error).message} (its parameters fit this model, so they are used)`);
    }
    const plan = planQuantization(model, config);
    const params = paramSetFromEntries(model, plan, config, doc.tensors, doc.weights);
    this.fixed = { model, plan, params, what: `session ${where}` };
    this.cal = null;
    this.config = config;
    this.passthrough = new Set(params.passthrough);
    this.clearDerived();
    this.notes = [`parameters from the session ${where}`, ...notes];
    return notes;
  }

  /** The configuration and parameters now, for the metrics engine (./quant-metrics-actions.ts). */
  snapshot(): ParamSnapshot {
    this.requireDone('metrics');
    return { config: this.config, params: this.params() };
  }

  /**
   * Takes another engine's parameters as fixed (the metrics engine): on the model prepared for
   * their config, as calibration prepared it (an imported QDQ model keeps its float model).
   */
  adopt(s: ParamSnapshot): void {
    this.requireStarted();
    if (this.fixed?.what === 'quantized model') {
      this.fixed.params = s.params;
    } else {
      const model = prepareModel(this.source, s.config).model;
      this.fixed = { model, plan: planQuantization(model, s.config), params: s.params, what: 'calibration' };
    }
    // The float values stay while the prepared model and plan stay (the same op types and weights).
    const key = JSON.stringify([s.config.opTypes, s.config.weights.perChannel]);
    if (key !== this.adoptedKey) this.floatRuns = null;
    this.adoptedKey = key;
    this.cal = null;
    this.config = s.config;
    this.passthrough = new Set(s.params.passthrough);
    this.runners.clear();
    this.last = null;
  }

  private adoptedKey = '';

  /** Metrics computed elsewhere become this engine's last (the passthrough quick path starts from them). */
  setMetrics(m: MetricsResult): void {
    this.last = m;
    // Prime the incremental runner on the current parameters, so a toggle re-runs only its part.
    this.runQuick(m.view.mode, this.params());
  }

  /** The current configuration (with overrides), for the page's form. */
  currentConfig(): QuantConfig {
    return this.config;
  }

  /** The parameters a tensor has now (tests). */
  paramsOf(tensor: string): QParams | undefined {
    const p = this.params();
    return p.activations.get(tensor) ?? p.weights.get(tensor);
  }
}
