// The peers: onnxruntime-web's WebGPU EP and wasm EP running the float op of each case, and
// whole models for context. See bench-page.ts for what each timed region holds.
import * as ort from 'onnxruntime-web';
import type { CaseData } from './bench-cases.js';
import { type ModelRow, type Timing, timeSamples } from './bench-report.js';
import { INPUT_NAME, OUTPUT_NAME } from './float-models.js';
import type { RunOptions } from './ours-runners.js';

/** Served by the bench's Vite server straight from node_modules. */
const ORT_DIST = '/node_modules/onnxruntime-web/dist/';

/** Configures ort-web once; returns the wasm thread count it will use. */
export function setUpOrt(): number {
  ort.env.wasm.wasmPaths = ORT_DIST;
  // Threads need cross-origin isolation (the bench server sends COOP/COEP). Use every core, as
  // SwiftShader does for the WebGPU side.
  const threads = crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'error';
  return threads;
}

export interface OrtWebGpuTiming {
  /** GPU-resident input and output. */
  readonly gpu: Timing;
  /** CPU tensors in and out. */
  readonly io?: Timing;
  /** The float output, for the cross-check. */
  readonly y: Float32Array;
}

export async function benchOrtWebGpu(
  model: Uint8Array,
  d: CaseData,
  o: RunOptions,
): Promise<OrtWebGpuTiming> {
  const cpuInput = new ort.Tensor('float32', d.xF, [...d.xDims]);
  // CPU IO session first: it gives the output for the cross-check and the "with IO" timing.
  const ioSession = await ort.InferenceSession.create(model, { executionProviders: ['webgpu'] });
  let y: Float32Array;
  let io: Timing | undefined;
  try {
    const first = await ioSession.run({ [INPUT_NAME]: cpuInput });
    y = (await first[OUTPUT_NAME].getData()) as Float32Array;
    if (o.io) {
      io = await timeSamples(
        async () => {
          const out = await ioSession.run({ [INPUT_NAME]: cpuInput });
          await out[OUTPUT_NAME].getData();
        },
        o.warmup,
        o.runs,
      );
    }
  } finally {
    await ioSession.release();
  }
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['webgpu'],
    preferredOutputLocation: 'gpu-buffer',
  });
  const device = (await ort.env.webgpu.device) as GPUDevice;
  const input = device.createBuffer({
    label: 'bench.ort.input',
    size: d.xF.byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  try {
    device.queue.writeBuffer(input, 0, d.xF);
    const feeds = {
      [INPUT_NAME]: ort.Tensor.fromGpuBuffer(input, { dataType: 'float32', dims: [...d.xDims] }),
    };
    const gpu = await timeSamples(
      async () => {
        const out = await session.run(feeds);
        await device.queue.onSubmittedWorkDone();
        out[OUTPUT_NAME].dispose();
      },
      o.warmup,
      o.runs,
    );
    return { gpu, io, y };
  } finally {
    await session.release();
    input.destroy();
  }
}

export async function benchOrtWasm(model: Uint8Array, d: CaseData, o: RunOptions): Promise<Timing> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  try {
    const feeds = { [INPUT_NAME]: new ort.Tensor('float32', d.xF, [...d.xDims]) };
    return await timeSamples(
      async () => {
        await session.run(feeds);
      },
      o.warmup,
      o.runs,
    );
  } finally {
    await session.release();
  }
}

/** mnist-8 (the page's default sample) through ort-web, CPU tensors in and out. */
export async function benchMnist(o: RunOptions, log: (m: string) => void): Promise<ModelRow[]> {
  const response = await fetch('/samples/mnist-8.onnx');
  if (!response.ok) throw new Error(`mnist-8.onnx: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const rows: ModelRow[] = [];
  for (const [runner, ep] of [
    ['ort-web webgpu (CPU IO)', 'webgpu'],
    ['ort-web wasm', 'wasm'],
  ] as const) {
    log(`mnist-8: ${runner}`);
    try {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: [ep] });
      try {
        // A vertical bar: any input times the same; this one is at least a plausible digit.
        const x = Float32Array.from({ length: 28 * 28 }, (_, i) => (i % 28 > 12 && i % 28 < 16 ? 255 : 0));
        const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', x, [1, 1, 28, 28]) };
        const t = await timeSamples(
          async () => {
            const out = await session.run(feeds);
            await out[session.outputNames[0]].getData();
          },
          o.warmup,
          o.runs,
        );
        rows.push({ model: 'mnist-8', runner, ms: t.median_ms });
      } finally {
        await session.release();
      }
    } catch (e) {
      rows.push({ model: 'mnist-8', runner, ms: null, error: errorText(e) });
    }
  }
  return rows;
}

export function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
}
