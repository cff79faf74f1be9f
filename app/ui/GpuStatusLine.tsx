import { useAppStore } from '../store/index.js';

/** What WebGPU the browser offers and which backend the next run will ask for. */
export function GpuStatusLine() {
  const gpu = useAppStore((s) => s.gpu);
  const backend = useAppStore((s) => s.backend);
  if (gpu.state === 'checking') return <span className="gpu-status muted">checking WebGPU…</span>;
  if (gpu.state === 'unavailable') {
    return (
      <span className="gpu-status gpu-missing" data-testid="gpu-status" title={gpu.reason}>
        No WebGPU · runs on CPU (reference interpreter)
      </span>
    );
  }
  return (
    <span className="gpu-status" data-testid="gpu-status">
      <span className="gpu-dot" />
      WebGPU: {gpu.adapter}
      {gpu.fallback && <span className="tag">fallback adapter</span>} ·{' '}
      {backend === 'webgpu' ? 'runs on WebGPU' : 'runs on CPU (reference interpreter)'}
    </span>
  );
}
