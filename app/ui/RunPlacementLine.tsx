import { type RunPlacement, useAppStore } from '../store/index.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The details behind the one-line summary, for the tooltip. */
function details(p: RunPlacement): string {
  const lines = [
    `${p.viewNodes} views, ${p.fusedNodes} fused, ${p.foldedNodes} folded on the CPU before the run`,
  ];
  if (p.readbacks !== null) lines.push(plural(p.readbacks, 'readback'));
  if (p.cpuFallbacks.length) lines.push(`CPU fallbacks: ${p.cpuFallbacks.join(', ')}`);
  return lines.join('\n');
}

/** Where the last run went: "WebGPU · adapter · 10 nodes on GPU, 0 on CPU · 1 submit". */
export function RunPlacementLine() {
  const placement = useAppStore((s) => s.run.placement);
  const fallbackAdapter = useAppStore((s) => s.gpu.state === 'available' && s.gpu.fallback);
  if (!placement) return null;
  if (placement.backend === 'cpu') {
    return (
      <div className="run-placement small" data-testid="run-placement" data-backend="cpu">
        CPU reference interpreter · {plural(placement.cpuNodes, 'node')} on CPU
      </div>
    );
  }
  return (
    <div
      className="run-placement small"
      data-testid="run-placement"
      data-backend="webgpu"
      title={details(placement)}
    >
      <span className="gpu-dot" />
      WebGPU · {placement.adapter}
      {fallbackAdapter && ' (fallback adapter)'} · {plural(placement.gpuNodes, 'node')} on GPU,{' '}
      {placement.cpuNodes} on CPU
      {placement.submits !== null && ` · ${plural(placement.submits, 'submit')}`}
    </div>
  );
}

/** One line when WebGPU was asked for but the run went to the CPU, with the reason. */
export function RunFallbackNotice() {
  const fallback = useAppStore((s) => s.run.placement?.fallback ?? null);
  if (!fallback) return null;
  return (
    <div className="run-fallback" role="status" data-testid="run-fallback" title={fallback}>
      {fallback}
    </div>
  );
}
