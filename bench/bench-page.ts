// The benchmark page (bench/index.html), driven by bench/run.ts through `window.qplayBench.run`.
// Everything runs in this one browser tab on the browser's WebGPU adapter: our int8 kernels, our
// float kernels, and onnxruntime-web (WebGPU EP and wasm EP) on the float op of the same shape.
//
// What is timed (wall clock, performance.now(), median of `runs` after `warmup` runs; per case the
// contenders run round-robin, so load from other processes on this shared machine hits all alike):
// - ours int8:   record the prepared op (recordConv2dInt8 / recordDenseInt8: clear of the packed
//                int8 output, then the dispatch, requantize epilogue fused) into a new encoder,
//                submit, await queue.onSubmittedWorkDone(). x, weights and y stay on the GPU.
// - ours f32:    the same for our float conv2d / matmul dispatch (float operands on the GPU).
// - ort webgpu:  session.run with the input as a GPU buffer (Tensor.fromGpuBuffer) and the output
//                kept on the GPU (preferredOutputLocation 'gpu-buffer'), then await
//                onSubmittedWorkDone() on ort-web's device; the output tensor is disposed inside.
// - with IO:     ours = pack x, writeBuffer, record, submit, read y back; ort webgpu =
//                session.run on CPU tensors (upload x, run, read y back). Weights resident on both.
// - ort wasm:    session.run on CPU tensors (nothing to upload); intra-op spinning off.
import { acquireGpu, type GpuContext } from '../kernels/gpu/device.js';
import { BENCH_CASES, type BenchCase, caseData, describeShape, macCount } from './bench-cases.js';
import {
  type BenchReport,
  type Contender,
  geomeanByPeer,
  type KernelRow,
  timeInterleaved,
} from './bench-report.js';
import { floatModel } from './float-models.js';
import { benchModels } from './bench-models.js';
import { errorText, prepareOrtWasm, prepareOrtWebGpu, setUpOrt } from './ort-runners.js';
import { prepareOursF32, prepareOursInt8 } from './ours-runners.js';

export interface BenchOptions {
  readonly warmup: number;
  readonly runs: number;
  /** Also time ours and ort-web webgpu with host IO (upload x, read y back). */
  readonly io: boolean;
  /** Case names to run (default all). */
  readonly only?: readonly string[];
  /** Also time whole models (mnist-8, a MobileNetV2-like net): bench-models.ts. */
  readonly models: boolean;
  /** Time the kernel cases (off: models only). */
  readonly kernels: boolean;
}

export const PEER_ORT_WEBGPU = 'ort-web webgpu f32';
export const PEER_ORT_WASM = 'ort-web wasm f32';
export const PEER_OURS_F32 = 'ours webgpu f32';

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

/** Largest distance, in output steps, between our int8 output and a float output quantized. */
function maxDiffSteps(q: Int8Array, y: Float32Array, scale: number): number {
  if (q.length !== y.length) throw new Error(`output sizes differ: ours ${q.length}, peer ${y.length}`);
  let worst = 0;
  for (let i = 0; i < q.length; i++) {
    const want = Math.max(-128, Math.min(127, Math.round(y[i] / scale)));
    worst = Math.max(worst, Math.abs(q[i] - want));
  }
  return worst;
}

/** A peer of one case, prepared (or why it could not be). */
interface Peer {
  readonly name: string;
  readonly main?: Contender;
  readonly io?: Contender;
  output?(): Promise<Float32Array>;
  dispose?(): unknown;
  readonly error?: string;
}

async function preparePeer(name: string, prepare: () => Promise<Omit<Peer, 'name'>>): Promise<Peer> {
  try {
    return { name, ...(await prepare()) };
  } catch (e) {
    return { name, error: errorText(e) };
  }
}

/** Runs for the "with IO" pair: half the main runs, enough for a median (it only gives context). */
export function ioRuns(runs: number): number {
  return Math.max(3, Math.ceil(runs / 2));
}

async function benchCase(ctx: GpuContext, c: BenchCase, o: BenchOptions): Promise<KernelRow[]> {
  const d = caseData(c);
  const base = { name: c.name, shape: describeShape(c.shape), macs: macCount(c.shape) };
  log(`${c.name} (${base.shape}): preparing`);
  const ours = await prepareOursInt8(ctx, c, d);
  const model = floatModel(c, d);
  const peers = [
    await preparePeer(PEER_ORT_WEBGPU, async () => {
      const p = await prepareOrtWebGpu(model, d);
      return { main: p.gpu, io: p.io, output: async () => p.y, dispose: p.dispose };
    }),
    await preparePeer(PEER_ORT_WASM, async () => {
      const p = await prepareOrtWasm(model, d);
      return { main: p.cpu, dispose: p.dispose };
    }),
    await preparePeer(PEER_OURS_F32, async () => {
      const p = await prepareOursF32(ctx, c, d);
      return { main: p.gpu, output: p.output, dispose: p.dispose };
    }),
  ];
  try {
    const running = peers.filter((p) => p.main);
    log(`${c.name}: timing ours int8, ${running.map((p) => p.name).join(', ')} (interleaved)`);
    const [oursTiming, ...peerTimings] = await timeInterleaved(
      [ours.gpu, ...running.map((p) => p.main as Contender)],
      o.warmup,
      o.runs,
    );
    if (!oursTiming.ok) throw new Error(`${c.name}: ours int8 failed: ${oursTiming.error}`);
    const ioPeer = peers.find((p) => p.io);
    let io: { ours?: number; peer?: number | null } = {};
    if (o.io && ioPeer?.io) {
      log(`${c.name}: timing with IO`);
      const [oi, pi] = await timeInterleaved([ours.io, ioPeer.io], 1, ioRuns(o.runs));
      io = { ours: oi.ok ? oi.timing.median_ms : undefined, peer: pi.ok ? pi.timing.median_ms : null };
    }
    const q = await ours.output();
    const oursMs = oursTiming.timing.median_ms;
    const rows: KernelRow[] = [];
    for (const p of peers) {
      const t = p.main ? peerTimings[running.indexOf(p)] : undefined;
      const row: KernelRow = {
        ...base,
        ours_ms: oursMs,
        ours_range_ms: [oursTiming.timing.min_ms, oursTiming.timing.max_ms],
        peer: p.name,
        peer_ms: null,
        ratio: null,
      };
      if (t === undefined || !t.ok) {
        rows.push({ ...row, peer_error: p.error ?? t?.error ?? 'not run' });
        continue;
      }
      const peerMs = t.timing.median_ms;
      rows.push({
        ...row,
        peer_ms: peerMs,
        peer_range_ms: [t.timing.min_ms, t.timing.max_ms],
        ratio: peerMs / oursMs,
        ...(p === ioPeer && o.io ? { ours_io_ms: io.ours, peer_io_ms: io.peer } : {}),
        ...(p.output ? { max_diff_steps: maxDiffSteps(q, await p.output(), d.outScale) } : {}),
      });
    }
    const summary = rows.map((r) => `${r.peer} ${r.peer_ms?.toFixed(2) ?? '—'}`).join('; ');
    log(`${c.name}: ours int8 ${oursMs.toFixed(2)} ms; ${summary}`);
    return rows;
  } finally {
    ours.dispose();
    for (const p of peers) await p.dispose?.();
  }
}

async function run(o: BenchOptions): Promise<BenchReport> {
  const wasmThreads = setUpOrt();
  const ctx = await acquireGpu();
  const cases = o.kernels ? BENCH_CASES.filter((c) => !o.only || o.only.includes(c.name)) : [];
  if (o.kernels && cases.length === 0)
    throw new Error(`no case named ${o.only}; cases: ${BENCH_CASES.map((c) => c.name)}`);
  const kernels: KernelRow[] = [];
  for (const c of cases) kernels.push(...(await benchCase(ctx, c, o)));
  const models = o.models ? await benchModels(ctx, o.warmup, o.runs) : [];
  return {
    adapter: ctx.adapterDescription,
    date: new Date().toISOString(),
    browser: navigator.userAgent,
    dot4I8Packed: ctx.hasDot4I8Packed,
    wasmThreads,
    warmup: o.warmup,
    runs: o.runs,
    io_runs: o.io ? ioRuns(o.runs) : 0,
    timing: {
      ours: 'record the prepared int8 op (clear of the packed output + dispatch, requantize epilogue fused, int8 in/out) into a new encoder, submit, await onSubmittedWorkDone; x, weights, y resident on the GPU',
      [PEER_OURS_F32]: 'the same for our float conv2d / matmul dispatch (float operands resident)',
      [PEER_ORT_WEBGPU]:
        'session.run with the input as a GPU buffer and the output kept on the GPU, then await onSubmittedWorkDone on ort-web’s device',
      [PEER_ORT_WASM]:
        'session.run on CPU tensors (threads: wasmThreads; intra-op spinning off, so idle workers do not steal the CPU from the contender timed next)',
      io: 'ours: pack x, writeBuffer, record, submit, read y back; ort-web webgpu: session.run on CPU tensors (upload x, run, read y back); weights resident on both',
      order:
        'per case, the contenders run round-robin (one run each per round) so load from other processes hits them alike; the IO pair is timed the same way afterwards',
      max_diff_steps:
        'largest |ours int8 - round(peer float output / output scale)|, clamped to int8: both computed the same layer',
      models:
        'ours: the calibrated model (4 seeded inputs, default config) as its QDQ graph fused for integer execution, run by our WebGPU executor (input uploaded, output read back); peer: ort-web webgpu session.run of the float model on CPU tensors (upload, run, read back); round-robin; calibration per sample: operators on our CPU interpreter, observer statistics on the GPU',
    },
    kernels,
    geomean_ratio: geomeanByPeer(kernels),
    models,
    notes: [],
  };
}

declare global {
  interface Window {
    qplayBench?: { run(o: BenchOptions): Promise<BenchReport> };
  }
}
window.qplayBench = { run };
log('ready');
