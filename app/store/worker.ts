// The run worker: decodes the model once and runs it on the CPU reference interpreter off the
// main thread, so the page stays responsive and a run can be cancelled by terminating it.
import { CpuInterpreter } from '../exec/cpu/interpreter.js';
import { decodeModel } from '../model/decode.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

let held: { modelId: string; interpreter: CpuInterpreter } | null = null;

function post(message: FromWorker): void {
  (self as unknown as { postMessage(m: FromWorker): void }).postMessage(message);
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  try {
    if (!held || held.modelId !== msg.modelId) {
      if (!msg.modelBytes) throw new Error('the worker was sent a run for a model it does not hold');
      held = { modelId: msg.modelId, interpreter: new CpuInterpreter(decodeModel(msg.modelBytes)) };
    }
    // Progress is throttled to about 30 messages a second so big graphs do not flood the page.
    let lastPost = 0;
    const outputs = await held.interpreter.run(new Map(msg.feeds), {
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - lastPost > 33 || done === total) {
          lastPost = now;
          post({ type: 'progress', runId: msg.runId, done, total });
        }
      },
    });
    post({ type: 'result', runId: msg.runId, outputs: [...outputs] });
  } catch (e) {
    const err = e as Error;
    post({ type: 'error', runId: msg.runId, name: err.name ?? 'Error', message: err.message ?? String(e) });
  }
};
