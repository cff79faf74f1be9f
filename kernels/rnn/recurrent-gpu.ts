// Host for recurrent.wgsl: RNN, GRU and LSTM in float32, one workgroup per (direction, batch row)
// looping over the time steps (why: see the WGSL's header). All on the GPU in the run's encoder:
// the optional small inputs (B, sequence_lens, initial_h, initial_c, P) are copied into one `aux`
// buffer behind the activation table (so the kernel binds 7 storage buffers, within WebGPU's
// default limit of 8 whichever inputs are present), the kernel runs, and Y_h / Y_c are copied
// out of its work buffer. A sequence_lens value outside [0, seq] cannot stop the kernel: it sets
// an error word (kernels/gpu/error-word.ts) that the caller reads after the run.
// Oracle: rnn.ref.ts, gru.ref.ts, lstm.ref.ts; tests: tests/gpu/rnn-webgpu.test.ts.
import { createStorageBuffer, uploadBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { createErrorWord, type ErrorWord } from '../gpu/error-word.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  destroyDispatches,
  prepareDispatch,
  recordDispatches,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import type { RnnActivation, RnnActivationName } from './activations.js';
import type { RnnDirection } from './recurrent.js';

const WORKGROUP_SIZE = 64;
const ABSENT = 0xffffffff;

/** The kernel's activation numbers (recurrent.wgsl's `act`). */
const ACTIVATION_KIND: Readonly<Record<RnnActivationName, number>> = {
  relu: 0,
  tanh: 1,
  sigmoid: 2,
  affine: 3,
  leakyrelu: 4,
  thresholdedrelu: 5,
  scaledtanh: 6,
  hardsigmoid: 7,
  elu: 8,
  softsign: 9,
  softplus: 10,
};

export type RecurrentCell = 'RNN' | 'GRU' | 'LSTM';

const GATES: Readonly<Record<RecurrentCell, number>> = { RNN: 1, GRU: 3, LSTM: 4 };

export interface RecurrentGpuSpec {
  readonly cell: RecurrentCell;
  readonly seq: number;
  readonly batch: number;
  readonly input: number;
  readonly hidden: number;
  readonly direction: RnnDirection;
  readonly layout: 0 | 1;
  /** Resolved (alpha / beta assigned), per direction in the op's order. */
  readonly activations: readonly RnnActivation[];
  readonly clip?: number;
  readonly linearBeforeReset: boolean;
  readonly inputForget: boolean;
  /** Whether sequence_lens is read at run time (unchecked values): sets the error word. */
  readonly checkLens: boolean;
}

/** The node's buffers; absent optional inputs / outputs are undefined. */
export interface RecurrentGpuBuffers {
  readonly x: GPUBuffer;
  readonly w: GPUBuffer;
  readonly r: GPUBuffer;
  readonly b?: GPUBuffer;
  /** int32 [batch]. */
  readonly lens?: GPUBuffer;
  readonly h0?: GPUBuffer;
  readonly c0?: GPUBuffer;
  readonly p?: GPUBuffer;
  readonly y?: GPUBuffer;
  readonly yH?: GPUBuffer;
  readonly yC?: GPUBuffer;
}

export interface PreparedRecurrent {
  /** Copies the small inputs in, runs the kernel, copies Y_h / Y_c out (one encoder). */
  record(encoder: GPUCommandEncoder): void;
  /** After the run's last submit: the sequence_lens values when one was out of range. */
  badLens(): Promise<number[] | undefined>;
  destroy(): void;
}

export async function prepareRecurrent(
  ctx: GpuContext,
  bufs: RecurrentGpuBuffers,
  spec: RecurrentGpuSpec,
): Promise<PreparedRecurrent> {
  const { seq, batch, input, hidden: H } = spec;
  const dirs = spec.direction === 'bidirectional' ? 2 : 1;
  const gates = GATES[spec.cell];
  const groups = dirs * batch;
  if (groups > ctx.device.limits.maxComputeWorkgroupsPerDimension)
    throw new Error(`${spec.cell}: ${groups} directions × batch rows exceed one dispatch dimension`);
  // aux: the activation table, then each present optional input at its word offset.
  const state = dirs * batch * H;
  const copies: { src: GPUBuffer; offset: number; words: number }[] = [];
  let words = 4 * spec.activations.length;
  const place = (src: GPUBuffer | undefined, n: number): number => {
    if (!src) return ABSENT;
    const offset = words;
    copies.push({ src, offset, words: n });
    words += n;
    return offset;
  };
  const offB = place(bufs.b, dirs * 2 * gates * H);
  const offLens = place(bufs.lens, batch);
  const offH0 = place(bufs.h0, state);
  const offC0 = place(bufs.c0, state);
  const offP = place(bufs.p, dirs * 3 * H);
  const table = new Uint32Array(words);
  const f32 = new Float32Array(table.buffer);
  spec.activations.forEach((a, i) => {
    table[4 * i] = ACTIVATION_KIND[a.name];
    f32[4 * i + 1] = a.alpha;
    f32[4 * i + 2] = a.beta;
  });
  const owned: GPUBuffer[] = [];
  const aux = uploadBuffer(ctx, `${spec.cell}.aux`, table);
  owned.push(aux);
  const scratch = 2 * state;
  const work = createStorageBuffer(ctx, `${spec.cell}.work`, 4 * (scratch + groups * 5 * H));
  owned.push(work);
  const y = bufs.y ?? createStorageBuffer(ctx, `${spec.cell}.no-y`, 4);
  if (!bufs.y) owned.push(y);
  let error: ErrorWord | undefined;
  if (spec.checkLens && bufs.lens) error = createErrorWord(ctx, `${spec.cell}.lens`, 1 + batch);
  const errBuffer = error?.buffer ?? createStorageBuffer(ctx, `${spec.cell}.no-error`, 4);
  if (!error) owned.push(errBuffer);
  const pipeline = await getPipeline(ctx, {
    op: 'recurrent',
    params: { cell: spec.cell, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await loadWgsl(new URL('./recurrent.wgsl', import.meta.url)),
      constants: { CELL: ['RNN', 'GRU', 'LSTM'].indexOf(q.cell as string), WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  const dispatch = prepareDispatch(
    ctx,
    spec.cell,
    pipeline,
    {
      buffers: [bufs.x, bufs.w, bufs.r, aux, y, work, errBuffer],
      uniform: uniformWords([
        seq,
        batch,
        input,
        H,
        dirs,
        spec.layout,
        spec.direction === 'reverse' ? 1 : 0,
        spec.clip === undefined ? 0 : 1,
        { f: spec.clip ?? 0 },
        spec.linearBeforeReset ? 1 : 0,
        spec.inputForget ? 1 : 0,
        bufs.y ? 1 : 0,
        offB,
        offLens,
        offH0,
        offC0,
        offP,
        scratch,
        state,
        error ? 1 : 0,
      ]),
    },
    [groups, 1, 1],
  );
  return {
    record: (encoder) => {
      for (const c of copies) encoder.copyBufferToBuffer(c.src, 0, aux, 4 * c.offset, 4 * c.words);
      if (error) error.record(encoder, [dispatch], spec.cell);
      else recordDispatches(encoder, [dispatch], spec.cell);
      if (bufs.yH) encoder.copyBufferToBuffer(work, 0, bufs.yH, 0, 4 * state);
      if (bufs.yC) encoder.copyBufferToBuffer(work, 4 * state, bufs.yC, 0, 4 * state);
    },
    badLens: async () => {
      if (!error) return undefined;
      const all = await error.read();
      return all[0] === 0 ? undefined : Array.from(new Int32Array(all.buffer, 4, batch));
    },
    destroy: () => {
      destroyDispatches([dispatch]);
      for (const b of owned) b.destroy();
      error?.destroy();
    },
  };
}
