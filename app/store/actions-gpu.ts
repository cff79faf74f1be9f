// WebGPU detection and the backend choice. An adapter found on the page makes 'webgpu' the
// default backend (runs go to the WebGPU executor in the worker); without one, runs use the CPU
// reference interpreter and the page says so. The user's own choice is never overridden.
import { oneLine } from './one-line.js';
import { getState, setState } from './store.js';
import type { Backend } from './types.js';

let detection: Promise<void> | null = null;
let userChose = false;

/** Detects the adapter once; later calls return the same promise (runs wait on it). */
export function detectGpu(): Promise<void> {
  detection ??= detect();
  return detection;
}

/** Resolves once detection has finished (at once when it was never started, as in Node tests). */
export function gpuDetected(): Promise<void> {
  return detection ?? Promise.resolve();
}

async function detect(): Promise<void> {
  const gpu = typeof navigator !== 'undefined' ? navigator.gpu : undefined;
  if (!gpu) {
    unavailable('this browser does not expose WebGPU (navigator.gpu is missing)');
    return;
  }
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      unavailable('WebGPU is present but no adapter was found');
      return;
    }
    const info = adapter.info;
    const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
    // isFallbackAdapter moved from the adapter to its info; read whichever this browser has.
    const fallback =
      info.isFallbackAdapter ??
      (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
      false;
    setState({ gpu: { state: 'available', adapter: oneLine(name || 'unnamed adapter', 80), fallback } });
    if (!userChose) setState({ backend: 'webgpu' });
  } catch (e) {
    unavailable(`requesting a WebGPU adapter failed: ${(e as Error).message}`);
  }
}

function unavailable(reason: string): void {
  setState({ gpu: { state: 'unavailable', reason: oneLine(reason) } });
  if (getState().backend === 'webgpu') setState({ backend: 'cpu' });
}

/** The Run panel's toggle. WebGPU can only be chosen when an adapter was found. */
export function setBackend(backend: Backend): void {
  if (backend === 'webgpu' && getState().gpu.state !== 'available') return;
  userChose = true;
  if (getState().backend !== backend) setState({ backend });
}
