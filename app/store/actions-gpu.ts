// WebGPU detection for the status line. The WebGPU executor comes later; for now the page only
// reports what the browser offers, and every run goes to the CPU reference interpreter.
import { oneLine } from './one-line.js';
import { setState } from './store.js';

export async function detectGpu(): Promise<void> {
  const gpu = typeof navigator !== 'undefined' ? navigator.gpu : undefined;
  if (!gpu) {
    setState({
      gpu: { state: 'unavailable', reason: 'this browser does not expose WebGPU (navigator.gpu is missing)' },
    });
    return;
  }
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      setState({ gpu: { state: 'unavailable', reason: 'WebGPU is present but no adapter was found' } });
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
  } catch (e) {
    setState({
      gpu: {
        state: 'unavailable',
        reason: oneLine(`requesting a WebGPU adapter failed: ${(e as Error).message}`),
      },
    });
  }
}
