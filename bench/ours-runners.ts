// Our side of the benchmark: the int8 kernels (prepared once, weights resident, int8 in/out with
// the requantize epilogue) and, for reference, our float kernels on the same layer.
import { prepareConv2d } from '../kernels/conv2d/conv2d.js';
import { prepareConv2dInt8, recordConv2dInt8 } from '../kernels/conv2d-int8/conv2d-int8.js';
import { prepareDenseInt8, recordDenseInt8 } from '../kernels/dense-int8/dense-int8.js';
import { createStorageBuffer, readBuffer, uploadBuffer } from '../kernels/gpu/buffers.js';
import type { GpuContext } from '../kernels/gpu/device.js';
import type { RequantizeSpec } from '../kernels/gpu/int8-gemm.js';
import type { PreparedGemm } from '../kernels/gpu/int8-gemm-run.js';
import { packInt8 } from '../kernels/gpu/int8-packing.js';
import {
  destroyDispatches,
  type PreparedDispatch,
  recordDispatches,
} from '../kernels/gpu-float/float-dispatch.js';
import { prepareMatMul } from '../kernels/matmul/matmul.js';
import { type BenchCase, type CaseData, outputDims } from './bench-cases.js';
import { type Timing, timeSamples } from './bench-report.js';

export interface RunOptions {
  readonly warmup: number;
  readonly runs: number;
  readonly io: boolean;
}

export interface OursTiming {
  /** Record + submit + onSubmittedWorkDone, operands resident. */
  readonly gpu: Timing;
  /** Pack + upload x, record, submit, read y back. */
  readonly io?: Timing;
  /** The int8 output (for the cross-check against the float peers). */
  readonly q: Int8Array;
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

/** Our int8 kernel on one case. */
export async function benchOursInt8(
  ctx: GpuContext,
  c: BenchCase,
  d: CaseData,
  o: RunOptions,
): Promise<OursTiming> {
  const { device } = ctx;
  const prepared = await prepareInt8(ctx, c, d);
  const a = uploadBuffer(ctx, 'bench.x', packInt8(d.xQ));
  const out = createStorageBuffer(ctx, 'bench.y', prepared.outBytes);
  const record = (encoder: GPUCommandEncoder) =>
    c.shape.kind === 'dense'
      ? recordDenseInt8(ctx, encoder, prepared, { a, out })
      : recordConv2dInt8(ctx, encoder, prepared, { a, out });
  const runOnce = () => {
    const encoder = device.createCommandEncoder({ label: 'bench.int8' });
    record(encoder);
    device.queue.submit([encoder.finish()]);
  };
  try {
    device.pushErrorScope('validation');
    runOnce();
    await device.queue.onSubmittedWorkDone();
    const error = await device.popErrorScope();
    if (error) throw new Error(`${c.name} int8: ${error.message}`);
    const gpu = await timeSamples(
      async () => {
        runOnce();
        await device.queue.onSubmittedWorkDone();
      },
      o.warmup,
      o.runs,
    );
    const io = o.io
      ? await timeSamples(
          async () => {
            device.queue.writeBuffer(a, 0, packInt8(d.xQ));
            runOnce();
            await readBuffer(ctx, out, prepared.outBytes);
          },
          o.warmup,
          o.runs,
        )
      : undefined;
    // Packed little endian, 4 per u32: the bytes are the values in order.
    const q = new Int8Array(await readBuffer(ctx, out, prepared.outBytes), 0, prepared.outputCount);
    return { gpu, io, q };
  } finally {
    prepared.destroy();
    a.destroy();
    out.destroy();
  }
}

/** Our float kernel on the same layer (float operands on the GPU); returns its output too. */
export async function benchOursF32(
  ctx: GpuContext,
  c: BenchCase,
  d: CaseData,
  o: RunOptions,
): Promise<{ gpu: Timing; y: Float32Array }> {
  const { device } = ctx;
  const s = c.shape;
  const outCount = outputDims(s).reduce((p, v) => p * v, 1);
  const x = uploadBuffer(ctx, 'bench.f32.x', d.xF);
  const w = uploadBuffer(ctx, 'bench.f32.w', d.wF);
  const bias = s.kind === 'conv' ? uploadBuffer(ctx, 'bench.f32.bias', d.biasF) : undefined;
  const y = createStorageBuffer(ctx, 'bench.f32.y', outCount * 4);
  let dispatch: PreparedDispatch | undefined;
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
    const dispatches = [dispatch];
    const gpu = await timeSamples(
      async () => {
        const encoder = device.createCommandEncoder({ label: 'bench.f32' });
        recordDispatches(encoder, dispatches);
        device.queue.submit([encoder.finish()]);
        await device.queue.onSubmittedWorkDone();
      },
      o.warmup,
      o.runs,
    );
    return { gpu, y: new Float32Array(await readBuffer(ctx, y, outCount * 4)) };
  } finally {
    if (dispatch) destroyDispatches([dispatch]);
    for (const b of [x, w, bias, y]) b?.destroy();
  }
}
