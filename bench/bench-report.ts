// Result types of a benchmark run, the statistics (median, geometric mean) and the text table.
// Pure code: the page fills a BenchReport, the Node driver prints it and writes it as JSON.

/** One timed implementation of one case: a few seconds of samples, summarised. */
export interface Timing {
  /** Median of the timed runs, milliseconds. */
  readonly median_ms: number;
  readonly min_ms: number;
  readonly max_ms: number;
  readonly runs: number;
}

/** One table row: our int8 kernel against one peer on the same shape. */
export interface KernelRow {
  readonly name: string;
  readonly shape: string;
  readonly macs: number;
  readonly ours_ms: number;
  /** [min, max] of the timed runs: the spread says how much to trust the median on a shared machine. */
  readonly ours_range_ms: readonly [number, number];
  readonly peer: string;
  /** null when the peer could not run (see `peer_error`). */
  readonly peer_ms: number | null;
  readonly peer_range_ms?: readonly [number, number];
  /** peer_ms / ours_ms: above 1 means our int8 kernel is faster. */
  readonly ratio: number | null;
  readonly peer_error?: string;
  /** The same two measured with host IO (upload, run, readback), where measured. */
  readonly ours_io_ms?: number;
  readonly peer_io_ms?: number | null;
  /** Largest |ours - quantize(peer's float output)| in output steps: both computed the same layer. */
  readonly max_diff_steps?: number;
}

/** A whole model: ours (affine int8 simulation on WebGPU) against a peer running the float model. */
export interface ModelRow {
  readonly model: string;
  readonly convs: number;
  /** Median ms per input, CPU input in and output read back (null: ours failed, see error). */
  readonly ours_ms: number | null;
  readonly ours_range_ms?: readonly [number, number];
  readonly peer: string;
  readonly peer_ms: number | null;
  readonly peer_range_ms?: readonly [number, number];
  readonly peer_error?: string;
  /** peer_ms / ours_ms: above 1, ours is faster. */
  readonly ratio: number | null;
  /** Nodes of our plan that ran on the CPU reference inside the WebGPU run, and which. */
  readonly ours_cpu_nodes?: number;
  readonly ours_cpu_fallbacks?: readonly string[];
  /** max |ours - float| / max |float| on the timed input (the quantization error, a sanity check). */
  readonly max_rel_error_vs_float?: number;
  /** Calibration (operators on the CPU interpreter, statistics on the GPU) per sample. */
  readonly calibration_ms_per_sample?: number;
  /** One float inference of our CPU interpreter. */
  readonly float_cpu_ms?: number;
  readonly error?: string;
}

export interface BenchReport {
  readonly adapter: string;
  readonly date: string;
  readonly browser: string;
  readonly dot4I8Packed: boolean;
  readonly wasmThreads: number;
  readonly warmup: number;
  readonly runs: number;
  /** Timed runs of the "with IO" pair (after one warm-up run). */
  readonly io_runs: number;
  /** What the timed region holds on each side, in words. */
  readonly timing: Readonly<Record<string, string>>;
  readonly kernels: KernelRow[];
  /** Geometric mean of peer_ms / ours_ms over the cases, per peer (null: the peer never ran). */
  readonly geomean_ratio: Readonly<Record<string, number | null>>;
  readonly models: ModelRow[];
  /** Things not benchmarked, with the reason. */
  readonly notes: string[];
}

/** One implementation of a case, ready to run: `step` is one timed run. */
export interface Contender {
  readonly label: string;
  step(): Promise<void>;
}

/** Timing of a contender, or why it stopped. */
export type TimingOutcome =
  | { readonly ok: true; readonly timing: Timing }
  | { readonly ok: false; readonly error: string };

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
}

/**
 * Times contenders round-robin (warm-up rounds, then `runs` timed rounds, each contender once per
 * round; wall clock, performance.now()). Interleaving matters on a shared machine: a burst of
 * load from elsewhere slows every contender of the round, not just the one that happened to be
 * running then. The order rotates every round, so each contender follows each other one alike
 * (whatever a heavy run leaves behind is spread evenly). A contender that throws is dropped and
 * reported.
 */
export async function timeInterleaved(
  contenders: readonly Contender[],
  warmup: number,
  runs: number,
): Promise<TimingOutcome[]> {
  const n = contenders.length;
  const samples = contenders.map(() => [] as number[]);
  const errors: (string | undefined)[] = contenders.map(() => undefined);
  for (let round = 0; round < warmup + runs; round++) {
    for (let k = 0; k < n; k++) {
      const i = (round + k) % n;
      if (errors[i] !== undefined) continue;
      try {
        const t0 = performance.now();
        await contenders[i].step();
        if (round >= warmup) samples[i].push(performance.now() - t0);
      } catch (e) {
        errors[i] = errorText(e);
      }
    }
  }
  return contenders.map((_, i) =>
    errors[i] !== undefined
      ? { ok: false, error: errors[i] as string }
      : { ok: true, timing: summarise(samples[i]) },
  );
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summarise(samples: readonly number[]): Timing {
  return {
    median_ms: median(samples),
    min_ms: Math.min(...samples),
    max_ms: Math.max(...samples),
    runs: samples.length,
  };
}

/** Geometric mean of positive values; null for none. */
export function geomean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  if (values.some((v) => !(v > 0))) throw new Error(`geometric mean of non-positive values: ${values}`);
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

/** Per peer, the geometric mean of the ratios it has. */
export function geomeanByPeer(rows: readonly KernelRow[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const peer of new Set(rows.map((r) => r.peer))) {
    const ratios = rows.filter((r) => r.peer === peer && r.ratio !== null).map((r) => r.ratio as number);
    out[peer] = geomean(ratios);
  }
  return out;
}

function fmt(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function fmtRatio(r: number | null | undefined): string {
  return r === null || r === undefined ? '—' : `${r.toFixed(2)}x`;
}

/** A Markdown table (it reads fine in a terminal too). */
export function formatTable(report: BenchReport): string {
  const lines =
    report.kernels.length > 0
      ? [
          '| kernel | shape | ours int8 (ms) | peer | peer (ms) | peer / ours |',
          '|---|---|---:|---|---:|---:|',
        ]
      : [];
  const spread = (ms: number | null, range?: readonly [number, number]) =>
    range ? `${fmt(ms)} (${fmt(range[0])}–${fmt(range[1])})` : fmt(ms);
  for (const r of report.kernels) {
    const peerCell =
      r.peer_ms === null ? `not available: ${r.peer_error ?? 'unknown'}` : spread(r.peer_ms, r.peer_range_ms);
    lines.push(
      `| ${r.name} | ${r.shape} | ${spread(r.ours_ms, r.ours_range_ms)} | ${r.peer} | ${peerCell} | ${fmtRatio(r.ratio)} |`,
    );
  }
  lines.push('', 'times: median (min–max) of the timed runs');
  lines.push('');
  for (const [peer, g] of Object.entries(report.geomean_ratio)) {
    lines.push(`geometric mean of ${peer} / ours: ${fmtRatio(g)}`);
  }
  const io = report.kernels.filter((r) => r.ours_io_ms !== undefined);
  if (io.length > 0) {
    lines.push('', '| kernel | peer | ours with IO (ms) | peer with IO (ms) |', '|---|---|---:|---:|');
    for (const r of io) lines.push(`| ${r.name} | ${r.peer} | ${fmt(r.ours_io_ms)} | ${fmt(r.peer_io_ms)} |`);
  }
  if (report.models.length > 0) {
    lines.push(
      '',
      '| model | convs | ours affine int8 webgpu (ms) | peer | peer (ms) | peer / ours | ours CPU nodes | calibration per sample (ms) | float inference, our CPU (ms) |',
      '|---|---:|---:|---|---:|---:|---:|---:|---:|',
    );
    for (const m of report.models) {
      if (m.ours_ms === null) {
        lines.push(`| ${m.model} | ${m.convs} | failed: ${m.error} | ${m.peer} | | | | | |`);
        continue;
      }
      const peer = m.peer_ms === null ? `failed: ${m.peer_error}` : fmt(m.peer_ms);
      lines.push(
        `| ${m.model} | ${m.convs} | ${fmt(m.ours_ms)} | ${m.peer} | ${peer} | ${fmtRatio(m.ratio)} | ${m.ours_cpu_nodes ?? ''} | ${fmt(m.calibration_ms_per_sample)} | ${fmt(m.float_cpu_ms)} |`,
      );
    }
  }
  return lines.join('\n');
}
