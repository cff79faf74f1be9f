// The page side of the run worker. One run at a time; cancel() terminates the worker (the
// interpreter runs synchronously inside it, so that is the only way to stop it mid-node) and
// the next run starts a fresh one.
import type { Tensor } from '../../kernels/tensor.js';
import type { Model } from '../model/ir.js';
import { type EngineResult, RunEngine } from './run-engine.js';
import type { Backend } from './types.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

export interface RunRequest {
  readonly modelId: string;
  readonly model: Model;
  readonly modelBytes: Uint8Array;
  readonly feeds: ReadonlyMap<string, Tensor>;
  readonly backend: Backend;
  readonly onProgress: (done: number, total: number) => void;
}

export class RunCancelled extends Error {
  override name = 'AbortError';
}

let worker: Worker | null = null;
let workerModel: string | null = null;
let pending: { runId: number; resolve: (r: EngineResult) => void; reject: (e: Error) => void } | null = null;
let nextRunId = 1;

function startWorker(): Worker {
  const w = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'qplay-run' });
  w.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  w.onerror = (event) => {
    event.preventDefault();
    failPending(new Error(`the run worker failed: ${event.message || 'unknown error'}`));
    w.terminate();
    if (worker === w) worker = null;
  };
  workerModel = null;
  return w;
}

let progressHandler: ((done: number, total: number) => void) | null = null;

function onMessage(msg: FromWorker): void {
  if (!pending || msg.runId !== pending.runId) return;
  if (msg.type === 'progress') {
    progressHandler?.(msg.done, msg.total);
    return;
  }
  const p = pending;
  pending = null;
  if (msg.type === 'result') p.resolve({ outputs: new Map(msg.outputs), placement: msg.placement });
  else {
    const e = new Error(msg.message);
    e.name = msg.name;
    p.reject(e);
  }
}

function failPending(e: Error): void {
  const p = pending;
  pending = null;
  p?.reject(e);
}

export function runInWorker(req: RunRequest): Promise<EngineResult> {
  if (typeof Worker === 'undefined') return runInline(req);
  if (pending) failPending(new RunCancelled('run replaced by a newer one'));
  worker ??= startWorker();
  const runId = nextRunId++;
  progressHandler = req.onProgress;
  const msg: ToWorker = {
    type: 'run',
    runId,
    modelId: req.modelId,
    // The bytes are copied (not transferred): the registry keeps its own for the next worker.
    modelBytes: workerModel === req.modelId ? undefined : req.modelBytes,
    feeds: [...req.feeds],
    backend: req.backend,
  };
  workerModel = req.modelId;
  return new Promise((resolve, reject) => {
    pending = { runId, resolve, reject };
    worker!.postMessage(msg);
  });
}

export function cancelWorkerRun(): void {
  if (!pending) return;
  worker?.terminate();
  worker = null;
  workerModel = null;
  failPending(new RunCancelled('run cancelled'));
}

/**
 * Where there is no Worker (unit tests in Node), run on this thread on the CPU: the WebGPU
 * executor stays out of the page's main bundle, so a WebGPU request falls back and says so.
 */
function runInline(req: RunRequest): Promise<EngineResult> {
  return new RunEngine(req.model, null).run(req.feeds, req.backend, { onProgress: req.onProgress });
}
