// The quant worker: holds one model's quantization session (./quant-engine.ts) off the main
// thread, so calibration and metrics never freeze the page. Requests run one after another; an
// abort message stops the running one between two operators or samples.
import type { FromQuantWorker, ToQuantWorker } from './quant-protocol.js';
import { QuantHost } from './quant-host.js';

const host = new QuantHost();
const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function post(message: FromQuantWorker, transfer: Transferable[] = []): void {
  (self as unknown as { postMessage(m: FromQuantWorker, t: Transferable[]): void }).postMessage(
    message,
    transfer,
  );
}

self.onmessage = (event: MessageEvent<ToQuantWorker>) => {
  const msg = event.data;
  if (msg.type === 'abort') {
    controllers.get(msg.id)?.abort();
    return;
  }
  const controller = new AbortController();
  controllers.set(msg.id, controller);
  queue = queue.then(async () => {
    try {
      controller.signal.throwIfAborted();
      const result = await host.handle(msg.request, controller.signal, (progress) =>
        post({ type: 'progress', id: msg.id, progress }),
      );
      post({ type: 'result', id: msg.id, result });
    } catch (e) {
      const err = e as Error;
      post({ type: 'error', id: msg.id, name: err?.name ?? 'Error', message: err?.message ?? String(e) });
    } finally {
      controllers.delete(msg.id);
    }
  });
};
