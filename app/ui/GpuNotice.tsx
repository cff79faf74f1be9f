import { useAppStore } from '../store/index.js';

/** A visible banner when there is no WebGPU adapter (the status line alone is easy to miss). */
export function GpuNotice() {
  const gpu = useAppStore((s) => s.gpu);
  if (gpu.state !== 'unavailable') return null;
  return (
    <div className="notice notice-warning" role="status" data-testid="gpu-notice">
      <span className="notice-text" title={gpu.reason}>
        No WebGPU adapter: running on the CPU reference interpreter ({gpu.reason})
      </span>
    </div>
  );
}
