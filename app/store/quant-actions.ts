// Quantization actions: open the current model in the quant worker, choose calibration data,
// step / calibrate / pause / reset, switch mode, toggle passthrough, set manual ranges. Every
// failure ends as one readable line in the slice's `error` and the status message.
import type { QuantConfig, TensorOverride } from '../quant/config.js';
import { dimsFailureHint } from './actions-dims.js';
import { oneLine } from './one-line.js';
import { getModelEntry } from './registry.js';
import { quantCall, terminateQuantWorkers } from './quant-client.js';
import type { ParamSnapshot } from './quant-engine.js';
import { abortMetrics, metricsPass } from './quant-metrics-actions.js';
import type { QuantProgress, QuantRequest } from './quant-protocol.js';
import { getQuant, type QuantBusy, setQuant } from './quant-store.js';
import type {
  CalibrationOverview,
  MetricsView,
  NodeTensors,
  SimulationMode,
  TensorDetail,
} from './quant-types.js';
import { getState, useAppStore } from './store.js';

/** Models with up to this many operators get the sensitivity ranking with their metrics. */
const SENSITIVITY_AUTO_STEPS = 40;

/** Whether the user asked for the accumulator preview on this model. */
let previewAsked = false;

/** A model small enough for the costly extras (sensitivity ranking, accumulator preview) by default. */
function small(o: CalibrationOverview): boolean {
  return (o.steps || o.activations) <= SENSITIVITY_AUTO_STEPS;
}

/** The running call, so pause / cancel can reach it. */
let running: { abort(): void } | null = null;
/** Bumped by every model change: answers for an older model are dropped. */
let session = 0;

export function modelName(): string {
  return getModelEntry(getQuant().modelId)?.fileName ?? 'the model';
}

function fail(e: unknown, what: string): void {
  const err = e as Error;
  if (err?.name === 'AbortError') return;
  // Random data takes the page's input dimensions: a shape failure there points at them.
  const hint = getQuant().data.kind === 'random' ? dimsFailureHint() : '';
  const text = oneLine(`${what}: ${err?.message ?? String(e)}${hint}`, 400);
  setQuant({ error: text, message: text });
}

function onProgress(p: QuantProgress): void {
  if (p.kind === 'calibration') setQuant({ progress: p.progress });
  else setQuant({ metricsProgress: { done: p.done, total: p.total, what: p.what } });
}

/** Runs one worker call for the current model; null when it failed, was aborted or is stale. */
async function call<T>(
  busy: QuantBusy,
  request: QuantRequest,
  what: string,
  abortable = false,
): Promise<T | null> {
  const mine = session;
  const c = quantCall<T>(request, onProgress);
  if (abortable) running = c;
  if (busy) setQuant({ busy, error: null });
  try {
    const r = await c.promise;
    return mine === session ? r : null;
  } catch (e) {
    if (mine === session) fail(e, what);
    return null;
  } finally {
    if (abortable && running === c) running = null;
    if (mine === session && busy && getQuant().busy === busy) setQuant({ busy: null });
  }
}

function readyMessage(o: CalibrationOverview): string {
  if (o.imported) return `${modelName()}: quantized parameters imported; metrics below`;
  if (o.done) return `Calibrated ${modelName()}`;
  if (o.step === 0)
    return `Ready: ${o.steps} operators of ${modelName()} to calibrate on ${o.samples} samples`;
  return `Paused at operator ${o.step} of ${o.steps} of ${modelName()}`;
}

function setOverview(o: CalibrationOverview): void {
  setQuant({
    overview: o,
    phase: o.done ? 'done' : o.step > 0 ? 'paused' : 'ready',
    message: readyMessage(o),
    progress: null,
  });
}

/** The calibrated status line, with the output's SQNR once metrics exist. */
function doneMessage(m: MetricsView | null): string {
  const o = getQuant().overview;
  const head = o?.imported ? `Imported ${modelName()}` : `Calibrated ${modelName()}`;
  const out = m?.outputs[0];
  if (!out) return head;
  const sqnr = Number.isFinite(out.sqnr) ? `${out.sqnr.toFixed(1)} dB` : 'exact';
  const top1 = out.top1Agreement !== null ? `, top-1 agreement ${(100 * out.top1Agreement).toFixed(0)}%` : '';
  return `${head}: output SQNR ${sqnr}${top1} (${m.mode === 'affine' ? 'affine' : 'fake-quant'})`;
}

/** Bumped by every metrics request: an older pass's answer is dropped. */
let metricsRequest = 0;

/**
 * Recomputes the metrics in the metrics worker on a snapshot of the current parameters (a newer
 * request aborts an older one); the inspector and stepper keep answering meanwhile.
 */
export async function refreshMetrics(sensitivity = false): Promise<void> {
  if (!getQuant().overview?.done) return;
  const mine = ++metricsRequest;
  const s = session;
  setQuant({ metricsBusy: true, metricsProgress: { done: 0, total: 4, what: 'float reference' } });
  let m: MetricsView | null = null;
  try {
    const snapshot = await call<ParamSnapshot>(null, { method: 'snapshot' }, 'Metrics failed');
    const result = snapshot && mine === metricsRequest ? await metricsPass(snapshot, sensitivity) : null;
    if (result && mine === metricsRequest && s === session) {
      await call(null, { method: 'setMetrics', result }, 'Metrics failed');
      m = result.view;
    }
  } catch (e) {
    if (mine === metricsRequest && s === session) fail(e, 'Metrics failed');
  } finally {
    if (mine === metricsRequest) setQuant({ metricsBusy: false, metricsProgress: null });
  }
  if (!m || mine !== metricsRequest || s !== session) return;
  // A refresh without the (costly) ranking keeps the last one, marked as from before the change.
  const old = getQuant().metrics?.sensitivity ?? [];
  const keep = !sensitivity && m.sensitivity.length === 0 && old.length > 0;
  setQuant({
    metrics: keep ? { ...m, sensitivity: old } : m,
    sensitivityStale: keep,
    message: doneMessage(m),
  });
  await refreshTensor();
  // The session as it is now survives a reload.
  const { persistCurrentSession } = await import('./persist-actions.js');
  void persistCurrentSession();
}

/** Opens the current page model in the quant worker (a QDQ model opens as an imported session). */
export async function openForQuant(modelId: string | null): Promise<void> {
  session++;
  running = null;
  metricsRequest++;
  abortMetrics();
  const entry = getModelEntry(modelId);
  for (const url of getQuant().data.thumbnails) URL.revokeObjectURL?.(url);
  setQuant({
    modelId,
    phase: 'none',
    busy: null,
    metricsBusy: false,
    metricsProgress: null,
    overview: null,
    metrics: null,
    progress: null,
    nodeTensors: null,
    selectedTensor: null,
    tensor: null,
    error: null,
    exportNote: null,
    data: { kind: 'none', description: '', count: 0, thumbnails: [], note: null },
    message: entry ? `Opening ${entry.fileName} for quantization…` : 'No model open',
  });
  if (!entry) return;
  const unsupported = getState().unsupported;
  if (unsupported) {
    setQuant({
      message: oneLine(`${entry.fileName} cannot run here, so it cannot be quantized: ${unsupported}`, 400),
    });
    return;
  }
  const o = await call<CalibrationOverview>(
    'open',
    { method: 'open', bytes: entry.bytes, fileName: entry.fileName, config: getQuant().config },
    `Could not prepare ${entry.fileName} for quantization`,
  );
  if (!o) return;
  previewAsked = false;
  setQuant({ sensitivityStale: false });
  const { chooseDefaultData } = await import('./quant-data-actions.js');
  await chooseDefaultData();
  // A share link waiting for this model restores its session now (not when another model has
  // been opened meanwhile).
  if (getState().modelId !== modelId) return;
  const { applyPendingLink } = await import('./share-actions.js');
  await applyPendingLink();
}

/** Starts (or restarts) the session on the current config and data (calibration from the top). */
export async function restartSession(samples: QuantRequest & { method: 'start' }): Promise<boolean> {
  dropMetrics();
  const mine = session;
  const o = await call<CalibrationOverview>('data', samples, 'Could not set up calibration');
  if (!o) {
    // A null answer for an older model (another one opened meanwhile) is not this model's error.
    if (mine === session) setQuant({ phase: 'error' });
    return false;
  }
  // The accumulator preview costs three more affine runs per sample: automatic on small models.
  setQuant({ metrics: null, tensor: null, preview: previewAsked || small(o) });
  setOverview(o);
  if (o.done) await refreshMetrics(small(o));
  return true;
}

async function advance(method: 'step' | 'run'): Promise<void> {
  const q = getQuant();
  if (!q.overview || q.busy) return;
  if (q.overview.done) {
    setQuant({ message: doneMessage(q.metrics) });
    return;
  }
  setQuant({ phase: 'running', message: method === 'step' ? 'Calibrating one operator…' : 'Calibrating…' });
  const o = await call<CalibrationOverview>(
    method === 'step' ? 'step' : 'calibrate',
    { method },
    'Calibration failed',
    true,
  );
  const now = await call<CalibrationOverview>(null, { method: 'overview' }, 'Calibration failed');
  if (now) setOverview(now);
  else if (!o) setQuant({ phase: 'error', progress: null });
  // The sensitivity ranking costs one inference per layer and sample: automatic on small models only.
  if (now?.done) {
    // The selected tensor's parameters first (one float run), then the metrics (several runs).
    await refreshTensor();
    await refreshMetrics(small(now));
  }
}

/** Calibrates the next operator. */
export function stepCalibration(): Promise<void> {
  return advance('step');
}

/** Calibrates every remaining operator. */
export function calibrate(): Promise<void> {
  return advance('run');
}

/** Stops the running calibration or metrics between two operators (resumable). */
export function pauseCalibration(): void {
  running?.abort();
  if (getQuant().metricsBusy) dropMetrics();
}

/** Stops the metrics pass in flight (its parameters are stale); its answer is dropped. */
function dropMetrics(): void {
  metricsRequest++;
  abortMetrics();
  setQuant({ metricsBusy: false, metricsProgress: null });
}

/** The hard stop: the worker is ended (the session is rebuilt from the start). */
export async function stopWorker(): Promise<void> {
  terminateQuantWorkers();
  await openForQuant(getQuant().modelId);
  setQuant({ message: 'Stopped; calibration starts over' });
}

export async function resetCalibration(): Promise<void> {
  if (getQuant().busy) pauseCalibration();
  dropMetrics();
  const o = await call<CalibrationOverview>('update', { method: 'reset' }, 'Reset failed');
  if (!o) return;
  setQuant({ metrics: null, tensor: null });
  setOverview(o);
}

/** A new configuration: calibration starts over on the same data. */
export async function setConfig(update: (c: QuantConfig) => QuantConfig): Promise<void> {
  const config = update(getQuant().config);
  setQuant({ config });
  const { restartWithCurrentData } = await import('./quant-data-actions.js');
  await restartWithCurrentData();
}

export async function setMode(mode: SimulationMode): Promise<void> {
  if (getQuant().mode === mode) return;
  setQuant({ mode });
  await refreshMetrics(false);
}

export function setSqnrKind(kind: 'local' | 'cumulative'): void {
  setQuant({ sqnrKind: kind });
}

/** Asks for the accumulator preview (x86 pairwise sums, the other weight range) and recomputes. */
export async function computePreview(): Promise<void> {
  previewAsked = true;
  setQuant({ preview: true });
  await refreshMetrics(false);
}

export function setLogCount(on: boolean): void {
  setQuant({ logCount: on });
}

/** Loads the quantized tensors of the selected node and shows one (its output, else the first). */
export async function inspectNode(node: string | null): Promise<void> {
  if (!node || !getQuant().overview) {
    setQuant({ nodeTensors: null, selectedTensor: null, tensor: null });
    return;
  }
  const t = await call<NodeTensors | null>(
    null,
    { method: 'nodeTensors', node },
    'Could not inspect the node',
  );
  if (getState().selectedNode !== node) return;
  const pick = t?.tensors.find((x) => x.role.startsWith('output'))?.name ?? t?.tensors[0]?.name ?? null;
  setQuant({ nodeTensors: t, selectedTensor: pick, tensor: null });
  await refreshTensor();
}

export async function selectTensor(name: string): Promise<void> {
  setQuant({ selectedTensor: name });
  await refreshTensor();
}

export async function refreshTensor(): Promise<void> {
  const name = getQuant().selectedTensor;
  if (!name) {
    const node = getState().selectedNode;
    if (node && !getQuant().nodeTensors) await inspectNode(node);
    return;
  }
  const d = await call<TensorDetail | null>(
    null,
    { method: 'tensorDetail', name },
    'Could not read the tensor',
  );
  if (getQuant().selectedTensor === name) setQuant({ tensor: d });
}

/** Passthrough on a tensor: only what depends on it re-runs; metrics and colours update. */
export async function setPassthrough(tensor: string, on: boolean): Promise<void> {
  const m = await call<MetricsView | null>(
    'update',
    { method: 'passthrough', tensor, on, mode: getQuant().mode },
    'Passthrough failed',
  );
  if (m) {
    setQuant({
      metrics: m,
      message: `${doneMessage(m)}; ${tensor} ${on ? 'passes through in float' : 'quantized again'} (re-ran ${m.rerun?.ran ?? '?'} of ${m.rerun?.total ?? '?'} nodes)`,
    });
  }
  // The graph draws passthrough edges differently: it reads the set from the overview.
  const o = await call<CalibrationOverview>(null, { method: 'overview' }, 'Passthrough failed');
  if (o) setQuant({ overview: o });
  await refreshTensor();
  await refreshMetrics(false);
}

/** Manual overrides (null clears a tensor's manual range); calibration replays to where it was. */
export async function setOverrides(changes: Readonly<Record<string, TensorOverride | null>>): Promise<void> {
  const o = await call<CalibrationOverview>(
    'update',
    { method: 'overrides', changes },
    'Could not set the range',
  );
  if (!o) return;
  const config = await call<QuantConfig>(null, { method: 'config' }, 'Could not read the configuration');
  if (config) setQuant({ config });
  setOverview(o);
  if (o.done) await refreshMetrics(false);
  else await refreshTensor();
}

export function setManualRange(tensor: string, min: number, max: number): Promise<void> {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) {
    setQuant({ error: `a range needs min <= max, got [${min}, ${max}]` });
    return Promise.resolve();
  }
  return setOverrides({ [tensor]: { min, max } });
}

export function clearManualRange(tensor: string): Promise<void> {
  return setOverrides({ [tensor]: null });
}

let unsubscribe: (() => void) | null = null;

/** Follows the page store: a new model opens in the quant worker, a new selection is inspected. */
export function startQuantSync(): () => void {
  unsubscribe?.();
  const u = useAppStore.subscribe((s, prev) => {
    if (s.modelId !== prev.modelId) void openForQuant(s.modelId);
    else if (s.selectedNode !== prev.selectedNode) {
      void inspectNode(s.selectedNode);
      void import('./persist-actions.js').then((p) => p.persistSelection());
    }
  });
  unsubscribe = u;
  if (getState().modelId && getState().modelId !== getQuant().modelId) void openForQuant(getState().modelId);
  return () => {
    u();
    if (unsubscribe === u) unsubscribe = null;
  };
}

export function dismissQuantError(): void {
  setQuant({ error: null });
}
