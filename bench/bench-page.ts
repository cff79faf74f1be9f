// The benchmark page (bench/index.html), driven by bench/run.ts through `window.qplayBench.run`.
// Everything runs in this one browser tab on the browser's WebGPU adapter: our int8 kernels, our
// float kernels, and onnxruntime-web (WebGPU EP and wasm EP) on the float op of the same shape.
//
// What is timed (wall clock, performance.now(), median of `runs` after `warmup` runs):
// - ours int8:   record the prepared op (recordConv2dInt8 / recordDenseInt8: clear of the packed
//                int8 output, then the dispatch, requantize epilogue fused) into a new encoder,
//                submit, await queue.onSubmittedWorkDone(). x, weights and y stay on the GPU.
// - ours f32:    the same for our float conv2d / matmul dispatch (float operands on the GPU).
// - ort webgpu:  session.run with the input as a GPU buffer (Tensor.fromGpuBuffer) and the output
//                kept on the GPU (preferredOutputLocation 'gpu-buffer'), then await
//                onSubmittedWorkDone() on ort-web's device; the output tensor is disposed inside.
// - with IO:     ours = pack x, writeBuffer, record, submit, read y back; ort webgpu =
//                session.run on CPU tensors (upload x, run, read y back). Weights resident on both.
// - ort wasm:    session.run on CPU tensors (nothing to upload).
import { acquireGpu, type GpuContext } from '../kernels/gpu/device.js';
import { BENCH_CASES, type BenchCase, caseData, describeShape, macCount } from './bench-cases.js';
import { type BenchReport, geomeanByPeer, type KernelRow } from './bench-report.js';
import { floatModel } from './float-models.js';
import { benchMnist, benchOrtWasm, benchOrtWebGpu, errorText, setUpOrt } from './ort-runners.js';
import { benchOursF32, benchOursInt8, type RunOptions } from './ours-runners.js';

export interface BenchOptions extends RunOptions {
  /** Case names to run (default all). */
  readonly only?: readonly string[];
  /** Also time whole models (mnist-8). */
  readonly models: boolean;
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

async function benchCase(ctx: GpuContext, c: BenchCase, o: BenchOptions): Promise<KernelRow[]> {
  const d = caseData(c);
  const base = { name: c.name, shape: describeShape(c.shape), macs: macCount(c.shape) };
  log(`${c.name} (${base.shape}): ours int8`);
  const ours = await benchOursInt8(ctx, c, d, o);
  const oursMs = ours.gpu.median_ms;
  const row = (peer: string, peerMs: number, extra?: Partial<KernelRow>): KernelRow => ({
    ...base,
    ours_ms: oursMs,
    peer,
    peer_ms: peerMs,
    ratio: peerMs / oursMs,
    ...extra,
  });
  const failed = (peer: string, e: unknown): KernelRow => ({
    ...base,
    ours_ms: oursMs,
    peer,
    peer_ms: null,
    ratio: null,
    peer_error: errorText(e),
  });
  const model = floatModel(c, d);
  const rows: KernelRow[] = [];
  log(`${c.name}: ${PEER_ORT_WEBGPU}`);
  try {
    const peer = await benchOrtWebGpu(model, d, o);
    rows.push(
      row(PEER_ORT_WEBGPU, peer.gpu.median_ms, {
        ours_io_ms: ours.io?.median_ms,
        peer_io_ms: peer.io?.median_ms,
        max_diff_steps: maxDiffSteps(ours.q, peer.y, d.outScale),
      }),
    );
  } catch (e) {
    rows.push(failed(PEER_ORT_WEBGPU, e));
  }
  log(`${c.name}: ${PEER_ORT_WASM}`);
  try {
    rows.push(row(PEER_ORT_WASM, (await benchOrtWasm(model, d, o)).median_ms));
  } catch (e) {
    rows.push(failed(PEER_ORT_WASM, e));
  }
  log(`${c.name}: ${PEER_OURS_F32}`);
  try {
    const f32 = await benchOursF32(ctx, c, d, o);
    rows.push(
      row(PEER_OURS_F32, f32.gpu.median_ms, { max_diff_steps: maxDiffSteps(ours.q, f32.y, d.outScale) }),
    );
  } catch (e) {
    rows.push(failed(PEER_OURS_F32, e));
  }
  log(
    `${c.name}: ours int8 ${oursMs.toFixed(2)} ms; ${rows.map((r) => `${r.peer} ${r.peer_ms?.toFixed(2) ?? '—'}`).join('; ')}`,
  );
  return rows;
}

async function run(o: BenchOptions): Promise<BenchReport> {
  const wasmThreads = setUpOrt();
  const ctx = await acquireGpu();
  const cases = BENCH_CASES.filter((c) => !o.only || o.only.includes(c.name));
  if (cases.length === 0)
    throw new Error(`no case named ${o.only}; cases: ${BENCH_CASES.map((c) => c.name)}`);
  const kernels: KernelRow[] = [];
  for (const c of cases) kernels.push(...(await benchCase(ctx, c, o)));
  const models = o.models ? await benchMnist(o, log) : [];
  return {
    adapter: ctx.adapterDescription,
    date: new Date().toISOString(),
    browser: navigator.userAgent,
    dot4I8Packed: ctx.hasDot4I8Packed,
    wasmThreads,
    warmup: o.warmup,
    runs: o.runs,
    timing: {
      ours: 'record the prepared int8 op (clear of the packed output + dispatch, requantize epilogue fused, int8 in/out) into a new encoder, submit, await onSubmittedWorkDone; x, weights, y resident on the GPU',
      [PEER_OURS_F32]: 'the same for our float conv2d / matmul dispatch (float operands resident)',
      [PEER_ORT_WEBGPU]:
        'session.run with the input as a GPU buffer and the output kept on the GPU, then await onSubmittedWorkDone on ort-web’s device',
      [PEER_ORT_WASM]: 'session.run on CPU tensors',
      io: 'ours: pack x, writeBuffer, record, submit, read y back; ort-web webgpu: session.run on CPU tensors (upload x, run, read y back); weights resident on both',
      max_diff_steps:
        'largest |ours int8 - round(peer float output / output scale)|, clamped to int8: both computed the same layer',
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
