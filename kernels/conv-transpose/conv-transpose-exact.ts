// Host for conv-transpose-exact.wgsl: f32 ConvTranspose bit-exact with conv-transpose.ref.ts, i.e.
// with onnxruntime's CPU order (MLAS GEMM of W^T X, col2im in tap order, bias last), 1-D, 2-D and
// 3-D, groups, strides, dilations, pads / auto_pad / output_padding / output_shape (the reference's
// resolveConvTransposeGeometry), bias and a fused Relu / Clip. The WebGPU lowering uses it where
// the order matters (a requantized ConvTranspose, whose integers must equal onnxruntime's) and for
// 3-D; the gather kernel (conv-transpose.ts) stays for float models: it shares loads between 4
// pixels x 4 channels and needs no FMA emulation, so it is 2 to 3 times faster on SwiftShader.
// Tests: tests/gpu/conv-transpose-exact.test.ts.

import { ORT_INTRA_OP_THREADS, sgemmStrideK } from '../matmul/matmul.ref.js';
import { createStorageBuffer, readBuffer, uploadBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { ACTIVATION_CODE, type FusedFloatActivation } from '../matmul/matmul.js';
import { type ConvTransposeParams, resolveConvTransposeGeometry } from './conv-transpose.ref.js';

const WG = 64;
const SHADER = new URL('./conv-transpose-exact.wgsl', import.meta.url);
const EXACT_FMA = new URL('../gpu/wgsl/exact-fma.wgsl', import.meta.url);
/** The kernel with the shared exact multiply-add prepended. */
const shaderCode = async () => (await loadWgsl(EXACT_FMA)) + (await loadWgsl(SHADER));

export interface ConvTransposeExactParams extends ConvTransposeParams {
  /** [N, C, ...spatial] with 1 to 3 spatial axes. */
  readonly xDims: readonly number[];
  /** [C, M/group, ...kernel] */
  readonly wDims: readonly number[];
  /** W is an initializer: onnxruntime prepacks it, which changes the GEMM's order. */
  readonly constantW: boolean;
  readonly activation?: FusedFloatActivation;
}

/** How one MLAS tile sums K (see the kinds in conv-transpose-exact.wgsl). */
export interface MlasTile {
  readonly m0: number;
  readonly mc: number;
  readonly n0: number;
  readonly nc: number;
  readonly kind: 0 | 1 | 2;
  /** K block of kind 0. */
  readonly sk: number;
}

const THREAD_ALIGN_N = 16;
const THREAD_COMPLEXITY = 64 * 1024;
const MAX_THREADS = 16;

function partition(id: number, threads: number, total: number): [number, number] {
  const per = Math.floor(total / threads);
  const extra = total % threads;
  return id < extra ? [(per + 1) * id, per + 1] : [per * id + extra, per];
}

/**
 * The tiles mlasGemm (matmul.ref.ts) splits one GEMM into (alpha 1, beta 0, one GEMM per call, B
 * not transposed, ldb = ldc = n) and the MlasSgemmOperation path each takes.
 */
export function mlasTiles(m: number, n: number, k: number, transA: boolean): MlasTile[] {
  const complexity = m * n * k;
  let target =
    complexity < THREAD_COMPLEXITY * MAX_THREADS
      ? Math.floor(complexity / THREAD_COMPLEXITY) + 1
      : MAX_THREADS;
  target = Math.min(target, ORT_INTRA_OP_THREADS);
  let perGemm = target;
  let countM = 1;
  let countN = 1;
  if (n > m) {
    perGemm = Math.min(perGemm, Math.ceil(n / THREAD_ALIGN_N));
    countN = perGemm;
  } else {
    perGemm = Math.min(perGemm, m);
    countM = perGemm;
  }
  const blockedN = Math.ceil(n / THREAD_ALIGN_N);
  const tiles: MlasTile[] = [];
  for (let tid = 0; tid < perGemm; tid++) {
    const [m0, mc] = partition(Math.floor(tid / countN), countM, m);
    const [nb0, nbc] = partition(tid % countN, countN, blockedN);
    const n0 = nb0 * THREAD_ALIGN_N;
    const nc = Math.min(n - n0, nbc * THREAD_ALIGN_N);
    if (mc <= 0 || nc <= 0) continue;
    // mlasSgemmOperation's choice: M1 kernel for one row of an untransposed A, the swapped M1
    // kernels for one column (ldb = ldc = 1 only when n = 1), else the blocked kernel.
    let kind: 0 | 1 | 2 = 0;
    if (mc === 1 && !transA) kind = 1;
    else if (nc === 1 && n === 1) kind = transA ? 1 : 2;
    tiles.push({ m0, mc, n0, nc, kind, sk: kind === 0 ? sgemmStrideK(nc, k, transA) : 0 });
  }
  return tiles;
}

export type FmaMode = 'native' | 'emulated';

/** What the device's f32 arithmetic allows: which FMA, and whether `a * b + c` stays unfused. */
export interface F32Arithmetic {
  readonly fma: FmaMode | undefined;
  readonly unfused: boolean;
}

const probes = new WeakMap<GPUDevice, Promise<F32Arithmetic>>();

/** Probes (once per device) whether fma() is fused, the emulation exact, and a*b + c unfused. */
export function probeF32Arithmetic(ctx: GpuContext): Promise<F32Arithmetic> {
  let p = probes.get(ctx.device);
  if (!p) {
    p = runProbe(ctx);
    probes.set(ctx.device, p);
  }
  return p;
}

async function runProbe(ctx: GpuContext): Promise<F32Arithmetic> {
  // Seeded cases whose exact a*b + c rounds the same in f64 then f32 (the f64 sum is exact).
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const cases: number[] = [];
  while (cases.length < 3 * 256) {
    const a = Math.fround(rand() * 2 - 1);
    const b = Math.fround(rand() * 2 - 1);
    const c = Math.fround((rand() * 2 - 1) * 2 ** Math.floor(rand() * 8 - 4));
    const s = a * b + c;
    if (s - c !== a * b) continue;
    cases.push(a, b, c);
  }
  const input = Float32Array.from(cases);
  const count = input.length / 3;
  const fused = new Float32Array(count);
  const unfused = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const [a, b, c] = [input[3 * i], input[3 * i + 1], input[3 * i + 2]];
    fused[i] = a * b + c;
    unfused[i] = Math.fround(a * b) + c;
  }
  const run = async (fma: number): Promise<Float32Array> => {
    const pipeline = await getPipeline(ctx, {
      op: 'conv-transpose-exact.probe',
      params: { wg: WG, fma },
      build: async (q) => ({
        code: await shaderCode(),
        entryPoint: 'probe',
        constants: { WG: q.wg, FMA: q.fma },
      }),
    });
    const x = uploadBuffer(ctx, 'conv-transpose-exact.probe.x', input);
    const y = createStorageBuffer(ctx, 'conv-transpose-exact.probe.y', count * 8);
    const bindGroup = ctx.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: x } },
        { binding: 3, resource: { buffer: y } },
      ],
    });
    const encoder = ctx.device.createCommandEncoder({ label: 'conv-transpose-exact.probe' });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(count / WG));
    pass.end();
    ctx.device.queue.submit([encoder.finish()]);
    const out = new Float32Array(await readBuffer(ctx, y, count * 8));
    x.destroy();
    y.destroy();
    return out;
  };
  const same = (out: Float32Array, want: Float32Array, at: number) =>
    want.every((v, i) => Object.is(out[2 * i + at], v));
  const native = await run(0);
  const emulated = await run(1);
  const fma: FmaMode | undefined = same(native, fused, 0)
    ? 'native'
    : same(emulated, fused, 0)
      ? 'emulated'
      : undefined;
  return { fma, unfused: same(native, unfused, 1) && same(emulated, unfused, 1) };
}

/**
 * The kernel's geometry and MLAS tiles, or a thrown Error (rank, channels, a grid past the device
 * limits, more than two tiles). `arith` refuses what the device's arithmetic cannot replay.
 */
export function convTransposeExactLayout(
  ctx: GpuContext,
  p: ConvTransposeExactParams,
  arith?: F32Arithmetic,
) {
  const rank = p.xDims.length;
  if (rank < 3 || rank > 5 || p.wDims.length !== rank)
    throw new Error(`ConvTranspose on the GPU takes 1-D to 3-D, got X [${p.xDims}], W [${p.wDims}]`);
  const n = rank - 2;
  const kernelSpatial = p.wDims.slice(2);
  if (p.kernelShape?.length && p.kernelShape.join() !== kernelSpatial.join())
    throw new Error(`kernel_shape [${p.kernelShape}] differs from W spatial dims [${kernelSpatial}]`);
  const inputSpatial = p.xDims.slice(2);
  const geo = resolveConvTransposeGeometry(inputSpatial, kernelSpatial, p);
  const [N, C] = p.xDims;
  const [wc, Mg] = p.wDims;
  const group = p.group ?? 1;
  if (wc !== C || C % group !== 0)
    throw new Error(`ConvTranspose channels: X has ${C}, W [${p.wDims}], group ${group}`);
  const strides = p.strides?.length ? p.strides : new Array<number>(n).fill(1);
  const dilations = p.dilations?.length ? p.dilations : new Array<number>(n).fill(1);
  const lift = (v: readonly number[], one: number) => [...new Array<number>(3 - n).fill(one), ...v];
  const prod = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);
  const Cg = C / group;
  const ksz = prod(kernelSpatial);
  const insz = prod(inputSpatial);
  const rows = Mg * ksz;
  // As mlasConvTranspose: PrePack skips a W whose per-group matrix is a single row or column.
  const transA = !(p.constantW && rows !== 1 && Cg !== 1);
  const tiles = mlasTiles(rows, insz, Cg, transA);
  if (tiles.length > 2) throw new Error(`ConvTranspose: ${tiles.length} MLAS tiles (at most 2 replayed)`);
  if (arith) {
    if (!arith.fma) throw new Error('ConvTranspose: this device has no exact f32 fused multiply-add');
    if (tiles.some((t) => t.kind !== 0) && !arith.unfused)
      throw new Error('ConvTranspose: this device fuses a * b + c, which the M1 kernels do not');
  }
  const splitAxis = tiles.length < 2 ? 0 : tiles[1].m0 > 0 ? 1 : 2;
  const split = splitAxis === 1 ? tiles[1].m0 : splitAxis === 2 ? tiles[1].n0 : 0;
  const outSize = prod(geo.outputSpatial);
  // main4 (4 channels x 4 columns per invocation) where every tile is the blocked kernel; a row
  // split leaves both tiles the full width, so the same K block per column (checked anyway).
  const wide = tiles.every((t) => t.kind === 0) && (splitAxis !== 1 || tiles[0].sk === tiles[1].sk);
  const sw = strides[n - 1];
  const ow = geo.outputSpatial[n - 1];
  const total = wide
    ? N * group * Math.ceil(Mg / 4) * (outSize / ow) * sw * Math.ceil(Math.ceil(ow / sw) / 4)
    : N * group * Mg * outSize;
  const grid = elementGrid(ctx, total, WG);
  const pads = geo.pads.slice(0, n);
  return {
    entry: wide ? 'main4' : 'main',
    total,
    C,
    Cg,
    Mg,
    group,
    ksz,
    insz,
    rows,
    input: lift(inputSpatial, 1),
    kernel: lift(kernelSpatial, 1),
    strides: lift(strides, 1),
    dilations: lift(dilations, 1),
    pads: lift(pads, 0),
    output: lift(geo.outputSpatial, 1),
    splitAxis,
    split,
    tiles: [tiles[0], tiles[1] ?? tiles[0]],
    grid,
    dims: [N, Mg * group, ...geo.outputSpatial],
  };
}

/** y = act(convTranspose(x, w) + bias) in onnxruntime's order; `bias` may be undefined. */
export async function prepareConvTransposeExact(
  ctx: GpuContext,
  x: GPUBuffer,
  w: GPUBuffer,
  bias: GPUBuffer | undefined,
  y: GPUBuffer,
  p: ConvTransposeExactParams,
): Promise<PreparedDispatch> {
  const arith = await probeF32Arithmetic(ctx);
  const l = convTransposeExactLayout(ctx, p, arith);
  const act = p.activation ?? { kind: 'none' };
  const pipeline = await getPipeline(ctx, {
    op: 'conv-transpose-exact',
    params: { entry: l.entry, wg: WG, act: ACTIVATION_CODE[act.kind], fma: arith.fma === 'native' ? 0 : 1 },
    build: async (q) => ({
      code: await shaderCode(),
      entryPoint: q.entry,
      constants: { WG: q.wg, ACT: q.act, FMA: q.fma },
    }),
  });
  const [t0, t1] = l.tiles;
  const uniform = uniformWords([
    l.total,
    l.C,
    l.Cg,
    l.Mg,
    l.Mg * l.group,
    l.ksz,
    l.insz,
    bias ? 1 : 0,
    ...l.input,
    l.rows,
    ...l.kernel,
    l.splitAxis,
    ...l.strides,
    l.split,
    ...l.dilations,
    0,
    ...l.pads,
    0,
    ...l.output,
    0,
    { f: act.kind === 'clip' ? act.min : 0 },
    { f: act.kind === 'clip' ? act.max : 0 },
    0,
    0,
    t0.kind,
    t0.sk,
    t0.m0,
    t0.mc,
    t1.kind,
    t1.sk,
    t1.m0,
    t1.mc,
  ]);
  return prepareDispatch(ctx, 'conv-transpose-exact', pipeline, { buffers: [x, w, bias ?? w, y], uniform }, [
    l.grid[0],
    l.grid[1],
    1,
  ]);
}
