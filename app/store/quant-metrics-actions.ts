// The metrics pass in the second quant worker: the main engine hands a snapshot of its
// parameters, the metrics engine (same model, same samples) computes float, fake-quant and the
// mode's run on them, and the result goes back to the main engine (the passthrough quick path
// starts from it) and to the store. Meanwhile the main worker still answers the inspector.
import { getModelEntry } from './registry.js';
import { type QuantCall, quantCall, quantChannelGeneration } from './quant-client.js';
import { currentData } from './quant-data-actions.js';
import type { MetricsResult, ParamSnapshot } from './quant-engine.js';
import type { QuantProgress } from './quant-protocol.js';
import { getQuant, setQuant } from './quant-store.js';

/** What the metrics engine holds now: model, data version and worker generation. */
let prepared = '';
let running: QuantCall<MetricsResult> | null = null;

export function abortMetrics(): void {
  running?.abort();
  running = null;
}

function onProgress(p: QuantProgress): void {
  if (p.kind === 'metrics') setQuant({ metricsProgress: { done: p.done, total: p.total, what: p.what } });
}

/** One metrics pass on the snapshot; null when aborted or superseded. Errors are thrown. */
export async function metricsPass(
  snapshot: ParamSnapshot,
  sensitivity: boolean,
): Promise<MetricsResult | null> {
  abortMetrics();
  const q = getQuant();
  const entry = getModelEntry(q.modelId);
  const data = currentData();
  if (!entry || !data) return null;
  const key = `${q.modelId}|${data.version}|${quantChannelGeneration('metrics')}`;
  if (key !== prepared) {
    prepared = '';
    await quantCall(
      { method: 'open', bytes: entry.bytes, fileName: entry.fileName, config: snapshot.config },
      undefined,
      'metrics',
    ).promise;
    await quantCall(
      {
        method: 'start',
        config: snapshot.config,
        samples: data.samples.map((s) => [...s]),
        description: data.description,
      },
      undefined,
      'metrics',
    ).promise;
    prepared = key;
  }
  await quantCall({ method: 'adopt', snapshot }, undefined, 'metrics').promise;
  const c = quantCall<MetricsResult>(
    { method: 'metrics', mode: q.mode, sensitivity, preview: q.preview },
    onProgress,
    'metrics',
  );
  running = c;
  try {
    return await c.promise;
  } catch (e) {
    if ((e as Error).name === 'AbortError') return null;
    throw e;
  } finally {
    if (running === c) running = null;
  }
}
