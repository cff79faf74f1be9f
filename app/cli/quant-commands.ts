// `qplay calibrate | simulate | export | report`: the quantization engine headless.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../../kernels/tensor.js';
import { acquireGpu, releaseGpu } from '../../kernels/gpu/device.js';
import { gpuRangeChooser } from '../quant/gpu-statistics.js';
import type { BackendName } from '../exec/executor.js';
import { type AccumulatorChoice, execSettingsFor } from '../exec/quant-settings.js';
import { encodeModel } from '../model/encode.js';
import type { Model } from '../model/ir.js';
import { encodeTensorFile } from '../model/tensor-proto.js';
import { Calibration, type CalibrationProgress } from '../quant/calibrate.js';
import { DEFAULT_CONFIG, OBSERVER_NAMES, type ObserverName, type QuantConfig } from '../quant/config.js';
import { parseConfigText } from '../quant/config-parse.js';
import { computeMetrics, type QuantMetrics } from '../quant/metrics.js';
import { tensorQuantOverrides } from '../quant/overrides-export.js';
import { defaultRangeChooser } from '../quant/range-chooser.js';
import { sessionEntries } from '../quant/session-params.js';
import { createExecutor, executionGraph, type SimulationMode } from '../quant/simulate.js';
import { buildSimulatedModel } from '../quant/simulated-model.js';
import { serializeSession, type SessionDocument } from '../session/session.js';
import { sha256Hex } from '../session/sha256.js';
import { loadCalibrationData, parseImageOptions } from './calibration-data.js';
import { CliError, UsageError } from './cli-errors.js';
import { formatMetrics, metricsJson } from './report-format.js';
import { loadSession, readSessionFile, writeTextFile } from './quant-session.js';
import { matchInputs, readInputFile, resolveAccumulation } from './run-model.js';

export interface QuantIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Draw a progress bar on stderr (a terminal); silent otherwise. */
  readonly progress?: boolean;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value as T;
}

function backendOf(command: string, v: string | undefined): BackendName {
  const b = v ?? 'cpu';
  if (b !== 'cpu' && b !== 'webgpu')
    throw new UsageError(`${command}: --backend must be cpu or webgpu, not '${b}'`);
  return b;
}

/** Progress on stderr, redrawn in place; only for a terminal. */
function progressBar(io: QuantIo) {
  let last = 0;
  return {
    update(p: CalibrationProgress) {
      if (!io.progress) return;
      const now = Date.now();
      if (now - last < 100 && p.sample < p.samples) return;
      last = now;
      const width = 24;
      const done = Math.round((width * (p.step - 1 + p.sample / p.samples)) / p.steps);
      io.stderr(
        `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] operator ${p.step}/${p.steps} sample ${p.sample}/${p.samples} ${p.node.slice(0, 40).padEnd(40)}`,
      );
    },
    end() {
      if (io.progress) io.stderr(`\r${' '.repeat(100)}\r`);
    },
  };
}

/** Samples the metrics stored by `calibrate` are measured on (report measures on all). */
const CALIBRATE_METRIC_SAMPLES = 2;

export interface CalibrateFlags {
  data?: string;
  config?: string;
  observer?: string;
  perChannel?: boolean;
  perTensor?: boolean;
  activationDtype?: string;
  range?: string;
  noErrorPropagation?: boolean;
  backend?: string;
  out?: string;
  size?: string;
  layout?: string;
  mean?: string;
  std?: string;
  scale?: string;
  channelOrder?: string;
}

function configFrom(flags: CalibrateFlags): QuantConfig {
  let base: QuantConfig = DEFAULT_CONFIG;
  if (flags.config) {
    let text: string;
    try {
      text = readFileSync(flags.config, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliError(
        `cannot read config '${flags.config}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
    base = parseConfigText(text, flags.config);
  }
  if (flags.perChannel && flags.perTensor)
    throw new UsageError('calibrate: --per-channel and --per-tensor exclude each other');
  const observer = oneOf<ObserverName>('--observer', flags.observer, OBSERVER_NAMES);
  const dtype = oneOf('--activation-dtype', flags.activationDtype, ['int8', 'uint8'] as const);
  const range = oneOf('--range', flags.range, ['full', 'restricted', 'reduced'] as const);
  return {
    ...base,
    activations: {
      ...base.activations,
      ...(observer ? { observer } : {}),
      ...(dtype ? { dtype } : {}),
      ...(range ? { range } : {}),
    },
    weights: {
      ...base.weights,
      ...(flags.perChannel ? { perChannel: true } : flags.perTensor ? { perChannel: false } : {}),
      ...(range ? { range: range === 'full' ? 'restricted' : range } : {}),
    },
    errorPropagation: flags.noErrorPropagation ? false : base.errorPropagation,
  };
}

export async function calibrateCommand(
  modelPath: string,
  modelBytes: Uint8Array,
  model: Model,
  flags: CalibrateFlags,
  io: QuantIo,
): Promise<number> {
  if (!flags.data) throw new UsageError('calibrate: missing --data DIR');
  if (!flags.out) throw new UsageError('calibrate: missing --out SESSION.json');
  const backend = backendOf('calibrate', flags.backend);
  const config = configFrom(flags);
  const imageOptions = parseImageOptions({
    size: flags.size,
    layout: flags.layout,
    mean: flags.mean,
    std: flags.std,
    scale: flags.scale,
    channelOrder: flags.channelOrder,
  });
  const { samples, description } = loadCalibrationData(model, flags.data, imageOptions);
  // On webgpu the observers' statistics (min/max, histograms) are gathered by the GPU kernels;
  // the operators themselves still run on the CPU reference.
  const cal = new Calibration({
    model,
    config,
    samples: samples.map((s) => s.feeds),
    chooseRange: defaultRangeChooser,
    gatherRange: backend === 'webgpu' ? gpuRangeChooser(await acquireGpu()) : undefined,
  });
  for (const w of cal.notes) io.stderr(`note: ${w}\n`);
  const bar = progressBar(io);
  const started = Date.now();
  try {
    await cal.run({ onProgress: (p) => bar.update(p) });
  } catch (e) {
    if (backend === 'webgpu') await releaseGpu();
    throw e;
  }
  bar.end();
  const seconds = (Date.now() - started) / 1000;
  const params = cal.paramSet();
  const settings = execSettingsFor(config, resolveAccumulation('auto'));
  // The session's metrics are a first look, on the first samples only: every metric costs whole
  // inferences on the CPU reference (seconds each for a 224x224 CNN); `qplay report` measures on
  // the whole set, with the sensitivity ranking and the accumulator preview.
  const metricSamples = cal.samples.slice(0, CALIBRATE_METRIC_SAMPLES);
  let metrics: QuantMetrics;
  try {
    metrics = await computeMetrics({
      model: cal.model,
      plan: cal.plan,
      params,
      config,
      samples: metricSamples,
      mode: 'affine',
      backend,
      settings,
      sensitivity: false,
    });
  } finally {
    if (backend === 'webgpu') await releaseGpu();
  }
  const { tensors, weights } = sessionEntries(cal.plan, params, config, cal.activations);
  const doc: SessionDocument = {
    format: 'qplay-session',
    version: 1,
    model: {
      name: modelPath.split(/[\\/]/).pop() ?? modelPath,
      bytes: modelBytes.length,
      sha256: await sha256Hex(modelBytes),
    },
    config,
    tensors,
    weights,
    calibration: {
      description,
      samples: samples.length,
      step: cal.currentStep,
      steps: cal.stepCount,
      errorPropagation: config.errorPropagation,
    },
    metrics: metricsJson(metrics),
  } as SessionDocument;
  writeTextFile(flags.out, serializeSession(doc), 'session');
  const out = metrics.outputs[0];
  const sqnr = out && Number.isFinite(out.sqnr) ? `${out.sqnr.toFixed(1)} dB` : 'exact';
  io.stdout(
    `calibrated ${cal.stepCount} operators on ${samples.length} samples in ${seconds.toFixed(1)} s ` +
      `(${Object.keys(tensors).length} activations, ${Object.keys(weights).length} weights); ` +
      `on the first ${metricSamples.length}: output SQNR ${sqnr}${out?.top1Agreement !== undefined ? `, top-1 agreement ${(100 * out.top1Agreement).toFixed(0)}%` : ''}\n` +
      `wrote ${flags.out}\n`,
  );
  return 0;
}

export interface SimulateFlags {
  session?: string;
  input?: string[];
  mode?: string;
  accumulator?: string;
  passthrough?: string[];
  backend?: string;
  out?: string;
}

function passthroughList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function simulateCommand(model: Model, flags: SimulateFlags, io: QuantIo): Promise<number> {
  if (!flags.session) throw new UsageError('simulate: missing --session SESSION.json');
  if (!flags.out) throw new UsageError('simulate: missing --out DIR');
  const mode = oneOf<SimulationMode>('--mode', flags.mode, ['affine', 'fake']) ?? 'affine';
  const backend = backendOf('simulate', flags.backend);
  const s = loadSession(
    model,
    readSessionFile(flags.session),
    passthroughList(flags.passthrough),
    flags.session,
  );
  // Default: what onnxruntime does on this CPU when the session asks for int32 sums (so simulate
  // equals onnxruntime 'all' here); a session's simulated accumulator (wrap16, ...) otherwise.
  const accumulator = (flags.accumulator ??
    (s.config.accumulator === 'int32' ? 'auto' : s.config.accumulator)) as AccumulatorChoice;
  const settings = execSettingsFor({ accumulator, rounding: s.config.rounding }, resolveAccumulation('auto'));
  const graph = executionGraph(buildSimulatedModel(s.model, s.plan, s.params), mode);
  const files = (flags.input ?? []).map(readInputFile);
  const matched = matchInputs(graph, files);
  const feeds = new Map<string, Tensor>();
  for (const i of graph.graph.inputs) feeds.set(i.name, matched.get(i.name)!.tensor);
  let results: Map<string, Tensor>;
  try {
    const executor = await createExecutor(graph, backend, settings);
    results = await executor.run(feeds);
    executor.dispose();
  } finally {
    if (backend === 'webgpu') await releaseGpu();
  }
  try {
    mkdirSync(flags.out, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create output directory '${flags.out}': ${(e as Error).message}`);
  }
  const lines = graph.graph.outputs.map((o, k) => {
    const t = results.get(o.name)!;
    const file = join(flags.out!, `output_${k}.pb`);
    try {
      writeFileSync(file, encodeTensorFile(t, o.name));
    } catch (e) {
      throw new CliError(`cannot write '${file}': ${(e as Error).message}`);
    }
    return `output_${k}.pb  ${o.name}  ${t.dtype} [${t.dims.join(', ')}]`;
  });
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

export function exportCommand(
  model: Model,
  flags: { session?: string; out?: string; overrides?: string },
  io: QuantIo,
): number {
  if (!flags.session) throw new UsageError('export: missing --session SESSION.json');
  if (!flags.out) throw new UsageError('export: missing --out MODEL.qdq.onnx');
  const s = loadSession(model, readSessionFile(flags.session), [], flags.session);
  const qdq = buildSimulatedModel(s.model, s.plan, s.params);
  const bytes = encodeModel({ ...qdq, producerName: 'qplay', producerVersion: '0.1.0' });
  try {
    writeFileSync(flags.out, bytes);
  } catch (e) {
    throw new CliError(`cannot write '${flags.out}': ${(e as Error).message}`);
  }
  if (flags.overrides) {
    writeTextFile(
      flags.overrides,
      `${JSON.stringify(tensorQuantOverrides(s.plan, s.params), null, 2)}\n`,
      'overrides',
    );
  }
  const q = qdq.graph.nodes.filter((n) => n.opType === 'QuantizeLinear').length;
  const dq = qdq.graph.nodes.filter((n) => n.opType === 'DequantizeLinear').length;
  io.stdout(
    `wrote ${flags.out} (${bytes.length} bytes, ${q} QuantizeLinear, ${dq} DequantizeLinear)${flags.overrides ? `\nwrote ${flags.overrides}` : ''}\n`,
  );
  return 0;
}

export async function reportCommand(
  model: Model,
  flags: CalibrateFlags & { session?: string; json?: boolean; mode?: string; samples?: string },
  io: QuantIo,
): Promise<number> {
  if (!flags.session) throw new UsageError('report: missing --session SESSION.json');
  const s = loadSession(model, readSessionFile(flags.session), [], flags.session);
  const mode = oneOf<SimulationMode>('--mode', flags.mode, ['affine', 'fake']) ?? 'affine';
  let metrics: QuantMetrics | undefined;
  if (flags.data) {
    const backend = backendOf('report', flags.backend);
    const limit = flags.samples === undefined ? Number.POSITIVE_INFINITY : Number(flags.samples);
    if (!(Number.isInteger(limit) || limit === Number.POSITIVE_INFINITY) || limit < 1) {
      throw new UsageError(`report: --samples must be a positive integer, not '${flags.samples}'`);
    }
    const { samples: all } = loadCalibrationData(
      model,
      flags.data,
      parseImageOptions({
        size: flags.size,
        layout: flags.layout,
        mean: flags.mean,
        std: flags.std,
        scale: flags.scale,
        channelOrder: flags.channelOrder,
      }),
    );
    try {
      metrics = await computeMetrics({
        model: s.model,
        plan: s.plan,
        params: s.params,
        config: s.config,
        accumulatorPreview: true,
        samples: all.slice(0, limit).map((x) => x.feeds),
        mode,
        backend,
        settings: execSettingsFor(s.config, resolveAccumulation('auto')),
        sensitivity: true,
      });
    } finally {
      if (backend === 'webgpu') await releaseGpu();
    }
  }
  const json = metrics ? metricsJson(metrics) : s.doc.metrics;
  if (!json || !Array.isArray((json as { layers?: unknown }).layers)) {
    throw new CliError('report: the session holds no metrics; give --data DIR to compute them');
  }
  io.stdout(
    flags.json
      ? `${JSON.stringify(json, null, 2)}\n`
      : formatMetrics(json as ReturnType<typeof metricsJson>, !metrics),
  );
  return 0;
}
