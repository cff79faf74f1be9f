// The WebGPU executor vs the CPU interpreter on every fixture model, on realistic QDQ MobileNets
// after fuseQdqForIntegerExecution, and on the ONNX node conformance tests.
// Tolerance: float outputs |gpu - cpu| <= 1e-4 |cpu| + 1e-5 max|cpu| (the absolute floor, scaled to
// the output, covers values that cancel to near zero); integer and bool outputs bit-exact.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { cpuConstantEvaluator } from '../../app/exec/cpu/constant-evaluator.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Model } from '../../app/model/ir.js';
import { inferShapes } from '../../app/model/shape-inference.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { elementAsNumber, isIntegerDType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { calibrate, imageInput, mobilenetLike, type NetConfig } from '../helpers/realistic-models.js';
import { type QuantConfig, quantizeModel } from '../helpers/realistic-quantize.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

sharedGpu();
const fixtures = join(import.meta.dirname, '../fixtures');

function expectMatches(got: Tensor, expected: Tensor, what: string): void {
  expect(got.dtype, `${what} dtype`).toBe(expected.dtype);
  expect([...got.dims], `${what} dims`).toEqual([...expected.dims]);
  if (isIntegerDType(expected.dtype) || expected.dtype === 'bool') {
    const i = expected.data.findIndex((v: number | bigint, k: number) => v !== got.data[k]);
    expect(i, `${what}: first integer mismatch`).toBe(-1);
    return;
  }
  let scale = 0;
  for (let i = 0; i < expected.data.length; i++)
    scale = Math.max(scale, Math.abs(elementAsNumber(expected, i)));
  for (let i = 0; i < expected.data.length; i++) {
    const e = elementAsNumber(expected, i);
    const a = elementAsNumber(got, i);
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= 1e-4 * Math.abs(e) + 1e-5 * scale))
      expect.fail(`${what}[${i}]: gpu ${a}, cpu ${e}`);
  }
}

function randomFeeds(model: Model, seed: number): Map<string, Tensor> {
  const shapes = inferShapes(model, { evaluate: cpuConstantEvaluator(model) });
  const rand = rng(seed);
  const feeds = new Map<string, Tensor>();
  for (const input of model.graph.inputs) {
    const s = shapes.values.get(input.name)!;
    const n = s.dims.reduce((a, b) => a * b, 1);
    feeds.set(
      input.name,
      makeTensor(
        s.dtype,
        s.dims,
        Float32Array.from({ length: n }, () => rand() * 2 - 1),
      ),
    );
  }
  return feeds;
}

async function compare(model: Model, feeds: Map<string, Tensor>) {
  const cpu = new CpuInterpreter(model).runSync(feeds);
  const gpu = await WebGpuExecutor.create(model);
  try {
    const got = await gpu.run(feeds);
    for (const [name, t] of cpu) expectMatches(got.get(name)!, t, name);
    return await gpu.summary();
  } finally {
    gpu.dispose();
  }
}

const models = readdirSync(join(fixtures, 'models'))
  .filter((f) => f.endsWith('.onnx'))
  .sort();

describe('WebGpuExecutor vs CpuInterpreter on the fixture models', () => {
  for (const file of models) {
    it(file, async () => {
      const model = decodeModel(new Uint8Array(readFileSync(join(fixtures, 'models', file))));
      const summary = await compare(model, randomFeeds(model, file.length));
      // Every op of these models has a GPU path: no CPU fallback with a readback.
      expect(summary.cpuFallbacks, file).toEqual([]);
    });
  }
});

/**
 * fuseQdqForIntegerExecution, or an error when it fused nothing: comparing an unchanged model
 * again would pass without testing the integer kernels.
 */
function fusedOrThrow(model: Model, what: string): Model {
  const rewritten = fuseQdqForIntegerExecution(model);
  const quantOps = (m: Model) =>
    m.graph.nodes.filter((n) => /^(QLinear|QGemm|MatMulInteger)/.test(n.opType)).length;
  if (quantOps(rewritten) === quantOps(model))
    throw new Error(`fuseQdqForIntegerExecution fused nothing in ${what}`);
  return rewritten;
}

describe('WebGpuExecutor vs CpuInterpreter after fuseQdqForIntegerExecution', () => {
  // The fixtures are float models: no QDQ group to fuse, so the guard must refuse them.
  it('refuses a model where the fusion changes nothing', () => {
    const model = decodeModel(new Uint8Array(readFileSync(join(fixtures, 'models', 'mnist-8.onnx'))));
    expect(() => fusedOrThrow(model, 'mnist-8.onnx')).toThrow(/fused nothing in mnist-8.onnx/);
  });

  // Realistic QDQ MobileNets (32x32 keeps SwiftShader's pipeline compiles short): the fused graph
  // runs QLinearConv, QLinearAdd, QLinearGlobalAveragePool, QGemm or MatMulInteger on the GPU.
  const cases: Array<[string, NetConfig, QuantConfig]> = [
    [
      'gemm head, int8 activations, per-channel weights',
      { opset: 13, head: 'gemm', size: 32, foldBatchNorm: true, softmax: false, seed: 11 },
      { format: 'qdq', activation: 'int8', weights: 'int8-per-channel', quantizedLogitsOutput: true },
    ],
    [
      'matmul head with HardSwish, uint8 activations, per-tensor weights',
      {
        opset: 14,
        head: 'matmul',
        hardSwishOp: true,
        size: 32,
        foldBatchNorm: true,
        softmax: false,
        seed: 12,
      },
      { format: 'qdq', activation: 'uint8', weights: 'int8-per-tensor', quantizedLogitsOutput: true },
    ],
  ];
  for (const [name, net, qc] of cases) {
    it(`QDQ MobileNet: ${name}`, async () => {
      const g = mobilenetLike(net);
      const ranges = await calibrate(
        g,
        [1, 2].map((s) => imageInput(g.input.dims, s)),
      );
      const model = fusedOrThrow(decodeModel(quantizeModel(g, ranges, qc)), name);
      const feeds = new Map([[g.input.name, imageInput(g.input.dims, 41)]]);
      const summary = await compare(model, feeds);
      // The int8 pools have no GPU kernel yet (being added alongside
      // app/exec/webgpu/lower-*.ts): they run on the CPU with a readback. Nothing else may.
      const pending = /^(MaxPool|QLinearAveragePool|QLinearGlobalAveragePool) /;
      expect(
        summary.cpuFallbacks.filter((f) => !pending.test(f)),
        name,
      ).toEqual([]);
    });
  }
});

const nodeTests = readdirSync(join(fixtures, 'onnx-node'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function readTensors(dir: string, prefix: 'input' | 'output'): Tensor[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length + 1, -3)) - Number(b.slice(prefix.length + 1, -3)))
    .map((f) => decodeTensorFile(new Uint8Array(readFileSync(join(dir, f))), f).tensor);
}

describe('WebGpuExecutor on the ONNX node conformance tests', () => {
  for (const name of nodeTests) {
    it(name, async () => {
      const dir = join(fixtures, 'onnx-node', name);
      const model = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.onnx'))));
      const inputs = readTensors(join(dir, 'test_data_set_0'), 'input');
      const feeds = new Map(model.graph.inputs.map((vi, k) => [vi.name, inputs[k]]));
      await compare(model, feeds);
    });
  }
});
