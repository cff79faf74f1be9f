// The page side of the quant workers: typed calls with progress and abort. Two channels, each
// its own worker and engine: 'main' holds the calibration; 'metrics' computes the metrics of a
// snapshot of its parameters, so the inspector and the stepper stay answerable meanwhile.
// Where there is no Worker (unit tests in Node) each channel's host runs in this thread.
// terminateQuantWorkers() is the hard stop; the sessions are then lost.
import type { QuantHost } from './quant-host.js';
import type { FromQuantWorker, QuantProgress, QuantRequest, ToQuantWorker } from './quant-protocol.js';

export type QuantChannel = 'main' | 'metrics';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (p: QuantProgress) => void;
}

class Channel {
  private worker: Worker | null = null;
  private inline: Promise<QuantHost> | null = null;
  private readonly pending = new Map<number, Pending>();
  /** Bumped when the worker is replaced: its engine (model, calibration) is gone. */
  generation = 0;

  constructor(private readonly name: QuantChannel) {}

  private start(): Worker {
    const w = new Worker(new URL('./worker-quant.ts', import.meta.url), {
      type: 'module',
      name: `qplay-quant-${this.name}`,
    });
    w.onmessage = (event: MessageEvent<FromQuantWorker>) => {
      const msg = event.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'progress') {
        p.onProgress?.(msg.progress);
        return;
      }
      this.pending.delete(msg.id);
      if (msg.type === 'result') p.resolve(msg.result);
      else {
        const e = new Error(msg.message);
        e.name = msg.name;
        p.reject(e);
      }
    };
    w.onerror = (event) => {
      event.preventDefault();
      this.failAll(new Error(`the quantization worker failed: ${event.message || 'unknown error'}`));
      w.terminate();
      if (this.worker === w) {
        this.worker = null;
        this.generation++;
      }
    };
    return w;
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }

  call<T>(id: number, request: QuantRequest, onProgress?: (p: QuantProgress) => void): QuantCall<T> {
    if (typeof Worker === 'undefined') {
      const controller = new AbortController();
      this.inline ??= import('./quant-host.js').then((m) => new m.QuantHost());
      const promise = this.inline.then((host) =>
        host.handle(request, controller.signal, (p) => onProgress?.(p)),
      ) as Promise<T>;
      return { promise, abort: () => controller.abort() };
    }
    this.worker ??= this.start();
    const w = this.worker;
    const promise = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
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

  terminate(): void {
    if (this.worker) {
      this.worker.terminate();
      this.worker = null;
      const e = new Error('stopped');
      e.name = 'AbortError';
      this.failAll(e);
    }
    this.inline = null;
    this.generation++;
  }
}

const channels: Record<QuantChannel, Channel> = {
  main: new Channel('main'),
  metrics: new Channel('metrics'),
};
let nextId = 1;

export interface QuantCall<T> {
  readonly promise: Promise<T>;
  /** Asks the request to stop at its next abort point (rejects with an AbortError). */
  abort(): void;
}

export function quantCall<T>(
  request: QuantRequest,
  onProgress?: (p: QuantProgress) => void,
  channel: QuantChannel = 'main',
): QuantCall<T> {
  return channels[channel].call<T>(nextId++, request, onProgress);
}

/** Bumped whenever a channel's engine is replaced (its model must be sent again). */
export function quantChannelGeneration(channel: QuantChannel): number {
  return channels[channel].generation;
}

/** Stops both workers at once (a step that takes too long); every pending call rejects. */
export function terminateQuantWorkers(): void {
  channels.main.terminate();
  channels.metrics.terminate();
}

/** Ends the metrics worker only (its pass is stale); the next pass starts a fresh one. */
export function terminateMetricsWorker(): void {
  channels.metrics.terminate();
}
