// The user-defined strategy: a function typed in the page, run only on an explicit click in a
// dedicated Web Worker made from a Blob. The worker has no DOM and no page state; network and
// storage APIs are removed before the user's code is evaluated, and it is ended after a time
// limit. Its answers become per-tensor manual overrides ({min, max} or {scale, zeroPoint}).
import { checkStrategyResult } from '../quant/strategy.js';
import { setOverrides } from './quant-actions.js';
import { quantCall } from './quant-client.js';
import { getQuant, setQuant } from './quant-store.js';
import type { StrategyInput, TensorOverride } from './quant-types.js';

export const STRATEGY_TIME_LIMIT_MS = 10_000;

const WORKER_SOURCE = `
'use strict';
for (const k of ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'importScripts', 'indexedDB', 'caches', 'BroadcastChannel', 'Worker', 'SharedWorker']) {
  try { Object.defineProperty(self, k, { value: undefined, configurable: false, writable: false }); } catch {}
}
self.onmessage = (event) => {
  const { source, inputs } = event.data;
  let fn;
  try {
    fn = (0, eval)('(' + source + '\\n)');
  } catch (e) {
    self.postMessage({ type: 'fatal', message: 'the strategy does not parse: ' + (e && e.message || e) });
    return;
  }
  if (typeof fn !== 'function') {
    self.postMessage({ type: 'fatal', message: 'the strategy must be a function: (input) => ({min, max}) or ({scale, zeroPoint})' });
    return;
  }
  const results = [];
  const errors = [];
  for (const input of inputs) {
    try {
      const r = fn(input);
      if (r === null || r === undefined) continue;
      results.push({ name: input.name, result: { min: r.min, max: r.max, scale: r.scale, zeroPoint: r.zeroPoint } });
    } catch (e) {
      errors.push(input.name + ': ' + (e && e.message || String(e)));
    }
  }
  self.postMessage({ type: 'done', results, errors });
};
`;

type Answer =
  | { type: 'fatal'; message: string }
  | {
      type: 'done';
      results: {
        name: string;
        result: { min?: unknown; max?: unknown; scale?: unknown; zeroPoint?: unknown };
      }[];
      errors: string[];
    };

/** Checks one answer (the engine's rule); a string says what is wrong with it. */
export function overrideFrom(
  input: Pick<StrategyInput, 'name' | 'qmin' | 'qmax'>,
  r: { min?: unknown; max?: unknown; scale?: unknown; zeroPoint?: unknown },
): TensorOverride | string {
  const checked = checkStrategyResult(input, r);
  if (checked === null) return `${input.name}: no answer`;
  return checked;
}

export function setStrategySource(source: string): void {
  setQuant({ strategy: { ...getQuant().strategy, source } });
}

function finish(messages: string[]): void {
  setQuant({ strategy: { ...getQuant().strategy, running: false, messages } });
}

/** Runs the typed strategy over every calibrated tensor and applies its answers as overrides. */
export async function runStrategy(): Promise<void> {
  const q = getQuant();
  if (q.strategy.running) return;
  if (!q.overview?.done) {
    finish(['calibrate first: the strategy sees each tensor’s calibrated values']);
    return;
  }
  if (typeof Worker === 'undefined' || typeof Blob === 'undefined') {
    finish(['this browser cannot run a strategy worker']);
    return;
  }
  setQuant({ strategy: { ...q.strategy, running: true, messages: ['running…'] } });
  let inputs: StrategyInput[];
  try {
    inputs = await quantCall<StrategyInput[]>({ method: 'strategyInputs' }).promise;
  } catch (e) {
    finish([(e as Error).message]);
    return;
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: 'qplay-strategy' });
  URL.revokeObjectURL(url);
  const answer = await new Promise<Answer>((resolve) => {
    const timer = setTimeout(() => {
      worker.terminate();
      resolve({
        type: 'fatal',
        message: `the strategy ran over ${STRATEGY_TIME_LIMIT_MS / 1000} s and was stopped`,
      });
    }, STRATEGY_TIME_LIMIT_MS);
    worker.onmessage = (e: MessageEvent<Answer>) => {
      clearTimeout(timer);
      resolve(e.data);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      clearTimeout(timer);
      resolve({ type: 'fatal', message: e.message || 'the strategy failed' });
    };
    worker.postMessage({ source: getQuant().strategy.source, inputs });
  });
  worker.terminate();
  if (answer.type === 'fatal') {
    finish([answer.message]);
    return;
  }
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const changes: Record<string, TensorOverride> = {};
  const messages = [...answer.errors];
  for (const { name, result } of answer.results) {
    const o = overrideFrom(byName.get(name)!, result);
    if (typeof o === 'string') messages.push(o);
    else changes[name] = o;
  }
  const n = Object.keys(changes).length;
  messages.unshift(
    `${n} tensor${n === 1 ? '' : 's'} set by the strategy, ${inputs.length - n} left as they were`,
  );
  finish(messages.slice(0, 20));
  if (n > 0) await setOverrides(changes);
}
