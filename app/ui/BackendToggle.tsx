import { type Backend, setBackend, useAppStore } from '../store/index.js';

const LABELS: Record<Backend, string> = { webgpu: 'WebGPU', cpu: 'CPU' };

/** WebGPU / CPU for the next run; WebGPU is offered only when the page found an adapter. */
export function BackendToggle() {
  const backend = useAppStore((s) => s.backend);
  const gpu = useAppStore((s) => s.gpu);
  const running = useAppStore((s) => s.run.status === 'running');
  return (
    // biome-ignore lint/a11y/useSemanticElements: a segmented pair of buttons, not a form fieldset
    <div className="backend-toggle" role="group" aria-label="Backend" data-testid="backend-toggle">
      {(['webgpu', 'cpu'] as const).map((b) => {
        const unavailable = b === 'webgpu' && gpu.state !== 'available';
        return (
          <button
            key={b}
            type="button"
            className={backend === b ? 'toggle on' : 'toggle'}
            aria-pressed={backend === b}
            disabled={running || unavailable}
            title={
              unavailable
                ? gpu.state === 'unavailable'
                  ? gpu.reason
                  : 'checking WebGPU…'
                : b === 'webgpu'
                  ? 'WebGPU executor (CPU reference for nodes without a GPU kernel)'
                  : 'CPU reference interpreter'
            }
            onClick={() => setBackend(b)}
            data-testid={`backend-${b}`}
          >
            {LABELS[b]}
          </button>
        );
      })}
    </div>
  );
}
