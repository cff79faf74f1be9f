import { useAppStore } from '../store/index.js';

/** What WebGPU the browser offers; runs use the CPU reference interpreter in this stage. */
export function GpuStatusLine() {
  const gpu = useAppStore((s) => s.gpu);
  if (gpu.state === 'checking') return <span className="gpu-status muted">checking WebGPU…</span>;
  if (gpu.state === 'unavailable') {
    return (
      <span className="gpu-status gpu-missing" data-testid="gpu-status" title={gpu.reason}>
        No WebGPU · runs on CPU (reference interpreter)
      </span>
    );
  }
  return (
    <span
      className="gpu-status"
      data-testid="gpu-status"
      title="The WebGPU executor arrives in the next stage"
    >
      <span className="gpu-dot" />
      WebGPU: {gpu.adapter}
      {gpu.fallback && <span className="tag">fallback adapter</span>} · runs on CPU (reference interpreter)
    </span>
  );
}
