// QDQ test models for the --integer rewrite (fuse-qdq*.test.ts), and the onnxruntime oracles:
// what onnxruntime computes with all optimizations, and which ops its optimized graph contains.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, it } from 'vitest';
import { CpuInterpreter, isCpuSupported } from '../../app/exec/cpu/interpreter.js';
import { resolveAccumulation } from '../../app/cli/run-model.js';
import { decodeModel } from '../../app/model/decode.js';
import { encodeModel } from '../../app/model/encode.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import type { Model } from '../../app/model/ir.js';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel, type ModelSpec, type NodeSpec } from '../helpers/onnx-builder.js';
import { QUIET } from '../helpers/ort-quiet.js';

/** onnxruntime's integer accumulation on this host (the --integer CLI default, 'auto'). */
const HOST_SETTINGS = { integerAccumulation: resolveAccumulation('auto') };

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Act = 'uint8' | 'int8';

export interface Case {
  bytes: Uint8Array;
  feeds: Record<string, Tensor>[];
}

/** Builds QDQ graphs: q()/dq() pairs around float ops, weights stored quantized. */
export class QdqBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Record<string, Tensor> = {};
  private n = 0;
  constructor(
    readonly act: Act,
    readonly r: () => number,
  ) {}

  name(base: string): string {
    return `${base}${this.n++}`;
  }

  const(base: string, t: Tensor): string {
    const name = this.name(base);
    this.initializers[name] = t;
    return name;
  }

  scalar(dtype: DType, v: number): string {
    return this.const(dtype === 'float32' ? 's' : 'zp', makeTensor(dtype, [], [v]));
  }

  /** A zero point for the activation type: random, or the type's minimum (as after a Relu). */
  zp(atMin = false): number {
    if (atMin) return this.act === 'uint8' ? 0 : -128;
    const lo = this.act === 'uint8' ? 60 : -68;
    return lo + Math.floor(this.r() * 130);
  }

  op(op: string, inputs: string[], attrs?: NodeSpec['attrs'], domain?: string): string {
    const out = this.name(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attrs, domain });
    return out;
  }

  /** Q then DQ with the same (scale, zp): the usual activation quantization. */
  qdq(x: string, scale: number, zp: number, type: DType = this.act): { q: string; dq: string } {
    const s = this.scalar('float32', scale);
    const z = this.scalar(type, zp);
    const q = this.op('QuantizeLinear', [x, s, z]);
    return { q, dq: this.op('DequantizeLinear', [q, s, z]) };
  }

  /** Quantized weight initializer -> DQ; per-channel on `axis` when `perChannel`. */
  weight(dims: number[], perChannel: boolean, axis = 0, type: DType = 'int8'): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const [lo, hi] = type === 'int8' ? [-127, 127] : [0, 255];
    const w = makeTensor(
      type,
      dims,
      Array.from({ length: count }, () => lo + Math.floor(this.r() * (hi - lo + 1))),
    );
    const channels = perChannel ? dims[axis] : 1;
    const scales = Array.from({ length: channels }, () => 0.002 + this.r() * 0.02);
    const zps = Array.from({ length: channels }, () => (type === 'int8' ? 0 : 128));
    const sDims = perChannel ? [channels] : [];
    const s = this.const('ws', makeTensor('float32', sDims, scales));
    const z = this.const('wz', makeTensor(type, sDims, zps));
    return this.op('DequantizeLinear', [this.const('w', w), s, z], perChannel ? { axis } : undefined);
  }

  /** int32 bias with scale x_scale * w_scale (per channel when given several), via DQ. */
  bias(n: number, scale: number | number[]): string {
    const scales = Array.isArray(scale) ? scale : [scale];
    const b = makeTensor(
      'int32',
      [n],
      Array.from({ length: n }, () => Math.floor((this.r() - 0.5) * 4000)),
    );
    const s = this.const('bs', makeTensor('float32', scales.length > 1 ? [n] : [], scales.map(Math.fround)));
    return this.op('DequantizeLinear', [this.const('b', b), s], scales.length > 1 ? { axis: 0 } : undefined);
  }

  model(inputs: ModelSpec['inputs'], outputs: ModelSpec['outputs'], opset = 13): Uint8Array {
    return buildModel({
      inputs,
      outputs,
      nodes: this.nodes,
      initializers: this.initializers,
      opset,
      msOpset: 1,
    });
  }
}

export function weightScales(b: QdqBuilder, dqName: string): number[] {
  const node = b.nodes.find((n) => n.outputs[0] === dqName)!;
  return Array.from(b.initializers[node.inputs[1]].data as Float32Array);
}

export function randomInput(r: () => number, dims: number[], range = 3): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return makeTensor(
    'float32',
    dims,
    Float32Array.from({ length: n }, () => (r() * 2 - 1) * range),
  );
}

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  float32: 'float32',
  int8: 'int8',
  uint8: 'uint8',
  int32: 'int32',
  int64: 'int64',
  bool: 'bool',
};

export async function runOrt(
  bytes: Uint8Array,
  feeds: Record<string, Tensor>,
  level: 'all' | 'disabled',
): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, {
    ...QUIET,
    graphOptimizationLevel: level,
    executionProviders: ['cpu'],
  });
  try {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds))
      f[k] = new ort.Tensor(ORT_TYPES[t.dtype]!, t.data as Float32Array, [...t.dims]);
    const out = await session.run(f);
    return Object.fromEntries(
      Object.entries(out).map(([k, v]) => [
        k,
        makeTensor(v.type as DType, v.dims as number[], v.data as never),
      ]),
    );
  } finally {
    await session.release();
  }
}

/** The graph onnxruntime actually runs with all optimizations (it can save it). */
export async function ortOptimizedModel(bytes: Uint8Array): Promise<Model> {
  const dir = mkdtempSync(join(tmpdir(), 'fuse-qdq-'));
  const path = join(dir, 'optimized.onnx');
  try {
    const session = await ort.InferenceSession.create(bytes, {
      ...QUIET,
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: path,
    });
    await session.release();
    return decodeModel(new Uint8Array(readFileSync(path)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const QUANT_OPS = new Set([
  'QuantizeLinear',
  'DequantizeLinear',
  'QLinearConv',
  'QLinearMatMul',
  'MatMulIntegerToFloat',
  'QLinearAdd',
  'QLinearMul',
  'QLinearAveragePool',
  'QLinearGlobalAveragePool',
  'QLinearLeakyRelu',
  'QLinearSigmoid',
  'QLinearSoftmax',
  'QLinearConcat',
  'QGemm',
  'QLinearWhere',
]);

/** How many of each quantization-related op a graph has (our MatMulInteger+Cast+Mul counts as one MatMulIntegerToFloat). */
export function quantOpCounts(model: Model): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of model.graph.nodes) {
    const op = n.opType === 'MatMulInteger' ? 'MatMulIntegerToFloat' : n.opType;
    if (QUANT_OPS.has(op)) counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}

export function opTypes(model: Model): string[] {
  return model.graph.nodes.map((n) => n.opType);
}

function interpreterRuns(model: Model): boolean {
  return model.graph.nodes.every((n) => isCpuSupported(n.domain, n.opType));
}

/**
 * Every output must match bit for bit, float ones included: the interpreter's float kernels sum in
 * MLAS's order (kernels/matmul/matmul.ref.ts), so there is no tolerance to allow.
 */
function expectSameTensors(
  actual: Record<string, Tensor> | Map<string, Tensor>,
  expected: Record<string, Tensor>,
): void {
  const a = actual instanceof Map ? Object.fromEntries(actual) : actual;
  for (const [name, t] of Object.entries(expected)) {
    expect(a[name]?.dtype, name).toBe(t.dtype);
    expect(a[name]?.dims, name).toEqual(t.dims);
    expect(Array.from(a[name].data as Float32Array), name).toEqual(Array.from(t.data as Float32Array));
  }
}

/** The oracle checks of one case (see fuse-qdq-ort.test.ts for what each one means). */
export function defineOrtChecks(name: string, c: Case): void {
  {
    const model = decodeModel(c.bytes);
    const fused = fuseQdqForIntegerExecution(model);

    it(`${name}: same quantized ops as onnxruntime's optimized graph`, async () => {
      const ortGraph = await ortOptimizedModel(c.bytes);
      expect(quantOpCounts(fused)).toEqual(quantOpCounts(ortGraph));
    });

    it(`${name}: onnxruntime on our fused graph is bit-exact with onnxruntime 'all'`, async () => {
      const fusedBytes = encodeModel(fused);
      for (const feeds of c.feeds) {
        expectSameTensors(await runOrt(fusedBytes, feeds, 'disabled'), await runOrt(c.bytes, feeds, 'all'));
      }
    });

    it.skipIf(!interpreterRuns(fused))(
      `${name}: CPU interpreter on the fused graph is bit-exact with 'all'`,
      async () => {
        const interp = new CpuInterpreter(fused, HOST_SETTINGS);
        for (const feeds of c.feeds) {
          expectSameTensors(
            interp.runSync(new Map(Object.entries(feeds))),
            await runOrt(c.bytes, feeds, 'all'),
          );
        }
      },
    );

    it.skipIf(!interpreterRuns(model))(
      `${name}: CPU interpreter on the QDQ graph is bit-exact with 'disabled'`,
      async () => {
        const interp = new CpuInterpreter(model);
        for (const feeds of c.feeds) {
          expectSameTensors(
            interp.runSync(new Map(Object.entries(feeds))),
            await runOrt(c.bytes, feeds, 'disabled'),
          );
        }
      },
    );
  }
}
