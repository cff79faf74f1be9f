// The run worker: decodes the model once and runs it off the main thread on the backend the page
// asks for (./run-engine.ts: WebGPU executor with a CPU fallback, or the CPU reference
// interpreter), so the page stays responsive and a run can be cancelled by terminating it.
// Chromium exposes navigator.gpu in dedicated workers, so the WebGPU executor runs here too.
import { decodeModel } from '../model/decode.js';
import { RunEngine } from './run-engine.js';
import { webGpuFactory } from './worker-gpu.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

let held: { modelId: string; engine: RunEngine } | null = null;

function post(message: FromWorker): void {
  (self as unknown as { postMessage(m: FromWorker): void }).postMessage(message);
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  try {
    if (!held || held.modelId !== msg.modelId) {
      if (!msg.modelBytes) throw new Error('the worker was sent a run for a model it does not hold');
      held?.engine.dispose();
      held = { modelId: msg.modelId, engine: new RunEngine(decodeModel(msg.modelBytes), webGpuFactory) };
    }
    // Progress is throttled to about 30 messages a second so big graphs do not flood the page.
    let lastPost = 0;
    const { outputs, placement } = await held.engine.run(new Map(msg.feeds), msg.backend, {
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - lastPost > 33 || done === total) {
          lastPost = now;
          post({ type: 'progress', runId: msg.runId, done, total });
        }
      },
    });
    post({ type: 'result', runId: msg.runId, outputs: [...outputs], placement });
  } catch (e) {
    const err = e as Error;
    post({ type: 'error', runId: msg.runId, name: err.name ?? 'Error', message: err.message ?? String(e) });
  }
};
