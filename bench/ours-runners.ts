// Our side of the benchmark: the int8 kernels (prepared once, weights resident, int8 in/out with
// the requantize epilogue) and, for reference, our float kernels on the same layer. Each prepare
// function returns contenders (one timed run per `step`) and frees its buffers in `dispose`.
import { prepareConv2d } from '../kernels/conv2d/conv2d.js';
import { prepareConv2dInt8, recordConv2dInt8 } from '../kernels/conv2d-int8/conv2d-int8.js';
import { prepareDenseInt8, recordDenseInt8 } from '../kernels/dense-int8/dense-int8.js';
import { createStorageBuffer, readBuffer, uploadBuffer } from '../kernels/gpu/buffers.js';
import type { GpuContext } from '../kernels/gpu/device.js';
import type { RequantizeSpec } from '../kernels/gpu/int8-gemm.js';
import type { PreparedGemm } from '../kernels/gpu/int8-gemm-run.js';
import { packInt8 } from '../kernels/gpu/int8-packing.js';
import { destroyDispatches, recordDispatches } from '../kernels/gpu-float/float-dispatch.js';
import { prepareMatMul } from '../kernels/matmul/matmul.js';
import { type BenchCase, type CaseData, outputDims } from './bench-cases.js';
import type { Contender } from './bench-report.js';

export interface OursInt8 {
  /** Record + submit + onSubmittedWorkDone; x, weights and y resident. */
  readonly gpu: Contender;
  /** Pack x, writeBuffer, record, submit, read y back. */
  readonly io: Contender;
  /** The int8 output of the last run (for the cross-check against the float peers). */
  output(): Promise<Int8Array>;
  dispose(): void;
}

function requantizeSpec(d: CaseData): RequantizeSpec {
  return {
    inputScale: d.xScale,
    weightScale: d.wScale,
    outputScale: d.outScale,
    outputZeroPoint: 0,
    qmin: -128,
    qmax: 127,
  };
}

async function prepareInt8(ctx: GpuContext, c: BenchCase, d: CaseData): Promise<PreparedGemm> {
  const s = c.shape;
  const requantize = requantizeSpec(d);
  if (s.kind === 'dense') {
    // No bias: the peer is a plain MatMul.
    return prepareDenseInt8(ctx, {
      aDims: s.aDims,
      bDims: s.bDims,
      aType: 'int8',
      bType: 'int8',
      b: d.wQ,
      requantize,
    });
  }
  return prepareConv2dInt8(ctx, {
    xDims: s.xDims,
    wDims: s.wDims,
    xType: 'int8',
    w: d.wQ,
    bias: d.biasQ,
    group: s.group,
    pads: s.pads,
    requantize,
  });
}

/** Our int8 kernel on one case; one validated run is made before it is handed out. */
export async function prepareOursInt8(ctx: GpuContext, c: BenchCase, d: CaseData): Promise<OursInt8> {
  const { device } = ctx;
  const prepared = await prepareInt8(ctx, c, d);
  const a = uploadBuffer(ctx, 'bench.x', packInt8(d.xQ));
  const out = createStorageBuffer(ctx, 'bench.y', prepared.outBytes);
  const dispose = () => {
    prepared.destroy();
    a.destroy();
    out.destroy();
  };
  const submitRun = () => {
    const encoder = device.createCommandEncoder({ label: 'bench.int8' });
    if (c.shape.kind === 'dense') recordDenseInt8(ctx, encoder, prepared, { a, out });
    else recordConv2dInt8(ctx, encoder, prepared, { a, out });
    device.queue.submit([encoder.finish()]);
  };
  device.pushErrorScope('validation');
  submitRun();
  await device.queue.onSubmittedWorkDone();
  const error = await device.popErrorScope();
  if (error) {
    dispose();
    throw new Error(`${c.name} int8: ${error.message}`);
  }
  return {
    gpu: {
      label: 'ours int8',
      async step() {
        submitRun();
        await device.queue.onSubmittedWorkDone();
      },
    },
    io: {
      label: 'ours int8 with IO',
      async step() {
        device.queue.writeBuffer(a, 0, packInt8(d.xQ));
        submitRun();
        await readBuffer(ctx, out, prepared.outBytes);
      },
    },
    // Packed little endian, 4 per u32: the bytes are the values in order.
    output: async () => new Int8Array(await readBuffer(ctx, out, prepared.outBytes), 0, prepared.outputCount),
    dispose,
  };
}

export interface OursF32 {
  readonly gpu: Contender;
  output(): Promise<Float32Array>;
  dispose(): void;
}

/** Our float kernel on the same layer (float operands resident on the GPU). */
export async function prepareOursF32(ctx: GpuContext, c: BenchCase, d: CaseData): Promise<OursF32> {
  const { device } = ctx;
  const s = c.shape;
  const outBytes = outputDims(s).reduce((p, v) => p * v, 4);
  const x = uploadBuffer(ctx, 'bench.f32.x', d.xF);
  const w = uploadBuffer(ctx, 'bench.f32.w', d.wF);
  const bias = s.kind === 'conv' ? uploadBuffer(ctx, 'bench.f32.bias', d.biasF) : undefined;
  const y = createStorageBuffer(ctx, 'bench.f32.y', outBytes);
  const buffers = [x, w, bias, y];
  let dispatch: Awaited<ReturnType<typeof prepareMatMul>>['dispatch'];
  try {
    const prepared =
      s.kind === 'dense'
        ? await prepareMatMul(ctx, x, w, undefined, y, { aDims: s.aDims, bDims: s.bDims })
        : await prepareConv2d(ctx, x, w, bias, y, {
            xDims: s.xDims,
            wDims: s.wDims,
            group: s.group,
            pads: s.pads,
          });
    dispatch = prepared.dispatch;
  } catch (e) {
    for (const b of buffers) b?.destroy();
    throw e;
  }
  return {
    gpu: {
      label: 'ours f32',
      async step() {
        const encoder = device.createCommandEncoder({ label: 'bench.f32' });
        recordDispatches(encoder, [dispatch]);
        device.queue.submit([encoder.finish()]);
        await device.queue.onSubmittedWorkDone();
      },
    },
    output: async () => new Float32Array(await readBuffer(ctx, y, outBytes)),
    dispose() {
      destroyDispatches([dispatch]);
      for (const b of buffers) b?.destroy();
    },
  };
}
