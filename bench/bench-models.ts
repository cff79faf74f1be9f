// Whole models: our affine int8 simulation of a quantized model on WebGPU (the graph `qplay
// simulate --backend webgpu` runs: calibrated QDQ model, QDQ groups fused into int8 kernels)
// against onnxruntime-web's WebGPU EP running the float model, per input, on the same adapter in
// the same tab, round-robin. Both sides take the input from the CPU and read the output back.
// Also: calibration time per sample against one float inference of our CPU interpreter (the
// engine calibration runs the operators on) and against ort-web's float run.
import * as ort from 'onnxruntime-web';
import { CpuInterpreter } from '../app/exec/cpu/interpreter.js';
import { execSettingsFor } from '../app/exec/quant-settings.js';
import type { WebGpuExecutor } from '../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../app/model/decode.js';
import { Calibration } from '../app/quant/calibrate.js';
import { DEFAULT_CONFIG } from '../app/quant/config.js';
import { gpuRangeChooser } from '../app/quant/gpu-statistics.js';
import { defaultRangeChooser } from '../app/quant/range-chooser.js';
import { createExecutor, executionGraph } from '../app/quant/simulate.js';
import { buildSimulatedModel } from '../app/quant/simulated-model.js';
import type { GpuContext } from '../kernels/gpu/device.js';
import { makeTensor, type Tensor, toFloat32 } from '../kernels/tensor.js';
import { type ModelRow, timeInterleaved } from './bench-report.js';
import { type BenchModel, mobilenetV2 } from './mobilenet-v2.js';
import { errorText } from './ort-runners.js';

export const PEER_MODEL = 'ort-web webgpu f32 (float model)';
const CALIBRATION_SAMPLES = 4;

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

/** Seeded inputs in [0, scale). */
function inputs(m: BenchModel, count: number, scale: number): Tensor[] {
  const n = m.dims.reduce((a, b) => a * b, 1);
  return Array.from({ length: count }, (_, k) => {
    let s = 1234 + k;
    const data = Float32Array.from({ length: n }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s / 4294967296) * scale;
    });
    return makeTensor('float32', m.dims, data);
  });
}

async function mnist8(): Promise<BenchModel> {
  const response = await fetch('/samples/mnist-8.onnx');
  if (!response.ok) throw new Error(`mnist-8.onnx: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { name: 'mnist-8', bytes, input: 'Input3', dims: [1, 1, 28, 28], convs: 2 };
}

async function median(times: number, f: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

async function benchModel(
  ctx: GpuContext,
  m: BenchModel,
  scale: number,
  warmup: number,
  runs: number,
): Promise<ModelRow> {
  const model = decodeModel(m.bytes);
  const samples = inputs(m, CALIBRATION_SAMPLES, scale).map((x) => new Map([[m.input, x]]));
  const test = samples[0];
  log(`${m.name}: float inference on the CPU interpreter`);
  const cpu = new CpuInterpreter(model);
  const floatCpuMs = await median(3, () => cpu.run(test));
  log(`${m.name}: calibrating on ${CALIBRATION_SAMPLES} samples (statistics on the GPU)`);
  const t0 = performance.now();
  const cal = new Calibration({
    model,
    config: DEFAULT_CONFIG,
    samples,
    chooseRange: defaultRangeChooser,
    gatherRange: gpuRangeChooser(ctx),
  });
  await cal.run();
  const calibrationMs = (performance.now() - t0) / CALIBRATION_SAMPLES;
  const graph = executionGraph(buildSimulatedModel(cal.model, cal.plan, cal.paramSet()), 'affine');
  // In the browser onnxruntime's integer sums are exact (no VPMADDUBSW): int32 accumulators.
  const executor = (await createExecutor(
    graph,
    'webgpu',
    execSettingsFor(DEFAULT_CONFIG, 'exact'),
  )) as WebGpuExecutor;
  const session = await ort.InferenceSession.create(m.bytes, { executionProviders: ['webgpu'] });
  try {
    const x = test.get(m.input)!;
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', toFloat32(x), [...m.dims]) };
    const [oursOut] = (await executor.run(test)).values();
    const floatOut = (await session.run(feeds))[session.outputNames[0]];
    const f = (await floatOut.getData()) as Float32Array;
    const q = toFloat32(oursOut);
    const maxAbs = Math.max(...Array.from(f, Math.abs));
    const relErr = Math.max(...Array.from(f, (v, i) => Math.abs(v - q[i]))) / maxAbs;
    const summary = await executor.summary();
    log(`${m.name}: timing ours affine int8 and ${PEER_MODEL} (interleaved)`);
    const [ours, peer] = await timeInterleaved(
      [
        {
          label: 'ours affine int8 webgpu',
          async step() {
            await executor.run(test);
          },
        },
        {
          label: PEER_MODEL,
          async step() {
            const out = await session.run(feeds);
            await out[session.outputNames[0]].getData();
          },
        },
      ],
      warmup,
      runs,
    );
    if (!ours.ok) throw new Error(`ours failed: ${ours.error}`);
    const peerMs = peer.ok ? peer.timing.median_ms : null;
    const row: ModelRow = {
      model: m.name,
      convs: m.convs,
      ours_ms: ours.timing.median_ms,
      ours_range_ms: [ours.timing.min_ms, ours.timing.max_ms],
      peer: PEER_MODEL,
      peer_ms: peerMs,
      ...(peer.ok
        ? { peer_range_ms: [peer.timing.min_ms, peer.timing.max_ms] as [number, number] }
        : { peer_error: peer.error }),
      ratio: peerMs === null ? null : peerMs / ours.timing.median_ms,
      ours_cpu_nodes: summary.cpuFallbacks.length,
      ours_cpu_fallbacks: [...summary.cpuFallbacks],
      max_rel_error_vs_float: relErr,
      calibration_ms_per_sample: calibrationMs,
      float_cpu_ms: floatCpuMs,
    };
    log(`${m.name}: ours ${ours.timing.median_ms.toFixed(1)} ms, peer ${peerMs?.toFixed(1) ?? '—'} ms`);
    return row;
  } finally {
    executor.dispose();
    await session.release();
  }
}

/** The model rows: mnist-8 and a MobileNetV2-like net (52 convs, 17 depthwise). */
export async function benchModels(ctx: GpuContext, warmup: number, runs: number): Promise<ModelRow[]> {
  const rows: ModelRow[] = [];
  const cases: [() => Promise<BenchModel>, number][] = [
    [mnist8, 255],
    [async () => mobilenetV2(128), 1],
  ];
  for (const [make, scale] of cases) {
    let name = 'model';
    try {
      const m = await make();
      name = m.name;
      rows.push(await benchModel(ctx, m, scale, warmup, runs));
    } catch (e) {
      rows.push({
        model: name,
        convs: 0,
        ours_ms: null,
        peer: PEER_MODEL,
        peer_ms: null,
        ratio: null,
        error: errorText(e),
      });
    }
  }
  return rows;
}
