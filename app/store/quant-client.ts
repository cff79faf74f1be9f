// The page side of the quant worker: typed calls with progress and abort. Where there is no
// Worker (unit tests in Node) the same host runs in this thread. terminateQuantWorker() is the
// hard stop for work that does not reach an abort point; the session is then lost.
import type { QuantHost } from './quant-host.js';
import type { FromQuantWorker, QuantProgress, QuantRequest, ToQuantWorker } from './quant-protocol.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (p: QuantProgress) => void;
}

let worker: Worker | null = null;
let inline: Promise<QuantHost> | null = null;
const pending = new Map<number, Pending>();
let nextId = 1;
/** Bumped when the worker is replaced: its session (model, calibration) is gone. */
let generation = 0;

export function quantWorkerGeneration(): number {
  return generation;
}

function startWorker(): Worker {
  const w = new Worker(new URL('./worker-quant.ts', import.meta.url), {
    type: 'module',
    name: 'qplay-quant',
  });
  w.onmessage = (event: MessageEvent<FromQuantWorker>) => {
    const msg = event.data;
    const p = pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    pending.delete(msg.id);
    if (msg.type === 'result') p.resolve(msg.result);
    else {
      const e = new Error(msg.message);
      e.name = msg.name;
      p.reject(e);
    }
  };
  w.onerror = (event) => {
    event.preventDefault();
    failAll(new Error(`the quantization worker failed: ${event.message || 'unknown error'}`));
    w.terminate();
    if (worker === w) {
      worker = null;
      generation++;
    }
  };
  return w;
}

function failAll(e: Error): void {
  const all = [...pending.values()];
  pending.clear();
  for (const p of all) p.reject(e);
}

export interface QuantCall<T> {
  readonly promise: Promise<T>;
  /** Asks the request to stop at its next abort point (rejects with an AbortError). */
  abort(): void;
}

export function quantCall<T>(request: QuantRequest, onProgress?: (p: QuantProgress) => void): QuantCall<T> {
  const id = nextId++;
  if (typeof Worker === 'undefined') {
    const controller = new AbortController();
    inline ??= import('./quant-host.js').then((m) => new m.QuantHost());
    const promise = inline.then((host) =>
      host.handle(request, controller.signal, (p) => onProgress?.(p)),
    ) as Promise<T>;
    return { promise, abort: () => controller.abort() };
  }
  worker ??= startWorker();
  const w = worker;
  const promise = new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
    const msg: ToQuantWorker = { type: 'call', id, request };
    w.postMessage(msg);
  });
  return {
    promise,
    abort: () => {
      const msg: ToQuantWorker = { type: 'abort', id };
      w.postMessage(msg);
    },
  };
}

/** Stops the worker at once (a step that takes too long); every pending call rejects. */
export function terminateQuantWorker(): void {
  if (worker) {
    worker.terminate();
    worker = null;
    generation++;
    const e = new Error('stopped');
    e.name = 'AbortError';
    failAll(e);
  }
}

/** Unit tests: a fresh in-thread host. */
export function resetInlineQuantHost(): void {
  inline = null;
}
