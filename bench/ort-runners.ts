// The peers: onnxruntime-web's WebGPU EP and wasm EP running the float op of each case (whole
// models: bench-models.ts). See bench-page.ts for what each timed region holds.
import * as ort from 'onnxruntime-web';
import type { CaseData } from './bench-cases.js';
import type { Contender } from './bench-report.js';
import { INPUT_NAME, OUTPUT_NAME } from './float-models.js';

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

export interface OrtWebGpu {
  /** Input as a GPU buffer, output kept on the GPU, then onSubmittedWorkDone on ort's device. */
  readonly gpu: Contender;
  /** session.run on CPU tensors (upload, run, read back). */
  readonly io: Contender;
  /** The float output of a CPU-IO run, for the cross-check. */
  readonly y: Float32Array;
  dispose(): Promise<void>;
}

export async function prepareOrtWebGpu(model: Uint8Array, d: CaseData): Promise<OrtWebGpu> {
  const cpuFeeds = { [INPUT_NAME]: new ort.Tensor('float32', d.xF, [...d.xDims]) };
  const ioSession = await ort.InferenceSession.create(model, { executionProviders: ['webgpu'] });
  const first = await ioSession.run(cpuFeeds);
  const y = (await first[OUTPUT_NAME].getData()) as Float32Array;
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
  device.queue.writeBuffer(input, 0, d.xF);
  const gpuFeeds = {
    [INPUT_NAME]: ort.Tensor.fromGpuBuffer(input, { dataType: 'float32', dims: [...d.xDims] }),
  };
  return {
    gpu: {
      label: 'ort-web webgpu',
      async step() {
        const out = await session.run(gpuFeeds);
        await device.queue.onSubmittedWorkDone();
        out[OUTPUT_NAME].dispose();
      },
    },
    io: {
      label: 'ort-web webgpu with IO',
      async step() {
        const out = await ioSession.run(cpuFeeds);
        await out[OUTPUT_NAME].getData();
      },
    },
    y,
    async dispose() {
      await session.release();
      await ioSession.release();
      input.destroy();
    },
  };
}

export interface OrtWasm {
  readonly cpu: Contender;
  dispose(): Promise<void>;
}

export async function prepareOrtWasm(model: Uint8Array, d: CaseData): Promise<OrtWasm> {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['wasm'],
    // Its worker threads would otherwise spin after each run and steal the CPU that SwiftShader
    // needs for the contender timed next (the contenders are interleaved).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const feeds = { [INPUT_NAME]: new ort.Tensor('float32', d.xF, [...d.xDims]) };
  return {
    cpu: {
      label: 'ort-web wasm',
      async step() {
        await session.run(feeds);
      },
    },
    dispose: () => session.release(),
  };
}

export function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
}
