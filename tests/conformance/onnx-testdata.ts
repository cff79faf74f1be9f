// Runs one test of the ONNX project's backend test data (Debian's libonnx-testdata, ONNX 1.12, or
// the newer copy onnx 1.23.1 writes, see make-onnx-testdata.sh) and classifies it: 'pass', 'refused' (the engine declines the model in one line: an op we do not
// claim, an input it rejects) or 'fail' (a claimed model that crashed or gave a wrong answer).
// Shared by tests/conformance/onnx-testdata.test.ts and the status generator next to it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import type { Executor } from '../../app/exec/executor.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { InputError, ModelError, oneLine } from '../../app/model/errors.js';
import { assertSupportedOpsets } from '../../app/model/opset-range.js';
import type { Model } from '../../app/model/ir.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';
import { elementAsNumber, isIntegerDType, type Tensor } from '../../kernels/tensor.js';

export const TESTDATA_ROOT = process.env.ONNX_TESTDATA ?? '/usr/share/libonnx-testdata/data';

/** One copy of the test data, with the committed outcomes it must reproduce. */
export interface TestdataSet {
  readonly label: string;
  readonly root: string;
  readonly statusPath: string;
  /** How to get the data, for the message when it is missing. */
  readonly install: string;
}

/** Debian's libonnx-testdata: ONNX 1.12, opsets up to 17. */
export const LIBONNX_TESTDATA: TestdataSet = {
  label: 'libonnx-testdata (ONNX 1.12)',
  root: TESTDATA_ROOT,
  statusPath: join(import.meta.dirname, 'status.json'),
  install: 'apt-get install libonnx-testdata',
};

/** The backend tests of onnx 1.23.1 (opsets up to 28), made by make-onnx-testdata.sh. */
export const ONNX_1_23_TESTDATA: TestdataSet = {
  label: 'onnx 1.23.1 backend tests',
  root:
    process.env.ONNX_TESTDATA_NEWER ??
    join(import.meta.dirname, '..', '..', '.cache', 'onnx-testdata-1.23', 'data'),
  statusPath: join(import.meta.dirname, 'status-onnx-1.23.json'),
  install: 'bash tests/conformance/make-onnx-testdata.sh',
};
/** The sets with inputs and outputs ('real' holds only download pointers, no data). */
export const TESTDATA_SETS = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'] as const;

/** ONNX's own backend-test tolerance: |a - e| <= atol + rtol * |e| per element. */
export const RTOL = 1e-3;
export const ATOL = 1e-7;

export type Outcome = 'pass' | 'refused' | 'fail';
export interface TestResult {
  readonly outcome: Outcome;
  /** One line: why refused / how it failed; absent for a pass. */
  readonly reason?: string;
  /** WebGPU: the ops of the nodes that ran on the CPU reference inside the GPU plan, if any. */
  readonly cpuFallbacks?: readonly string[];
  /** A pass checked against this oracle instead of the data's expected output (ONNXRUNTIME_ORACLE). */
  readonly oracle?: string;
}

/** A test's CPU result, and its WebGPU result where the CPU passes. */
export interface StatusEntry extends TestResult {
  readonly webgpu?: TestResult;
}

export function testdataAvailable(root = TESTDATA_ROOT): boolean {
  return existsSync(join(root, 'node'));
}

/** Every test as '<set>/<name>', sorted. */
export function listTests(root = TESTDATA_ROOT): string[] {
  const out: string[] = [];
  for (const set of TESTDATA_SETS) {
    const dir = join(root, set);
    if (!existsSync(dir)) continue;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.isDirectory() && existsSync(join(dir, d.name, 'model.onnx'))) out.push(`${set}/${d.name}`);
    }
  }
  return out.sort();
}

function readTensors(dir: string, prefix: 'input' | 'output'): Tensor[] {
  const index = (f: string) => Number(f.slice(prefix.length + 1, -3));
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'))
    .sort((a, b) => index(a) - index(b))
    .map((f) => decodeTensorFile(new Uint8Array(readFileSync(join(dir, f))), f).tensor);
}

/** The first element outside tolerance, as a line, or undefined when all agree. */
export function mismatch(actual: Tensor, expectedIn: Tensor, atol = ATOL): string | undefined {
  // ONNX 1.12's data stores bfloat16 outputs as uint16 bit patterns.
  const expected: Tensor =
    actual.dtype === 'bfloat16' && expectedIn.dtype === 'uint16'
      ? { ...expectedIn, dtype: 'bfloat16' }
      : expectedIn;
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.dims.join(',') !== expected.dims.join(','))
    return `shape [${actual.dims}], expected [${expected.dims}]`;
  const exact = isIntegerDType(expected.dtype) || expected.dtype === 'bool';
  for (let i = 0; i < expected.data.length; i++) {
    if (exact) {
      if (actual.data[i] !== expected.data[i])
        return `element ${i}: ${actual.data[i]}, expected ${expected.data[i]}`;
      continue;
    }
    const a = elementAsNumber(actual, i);
    const e = elementAsNumber(expected, i);
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue; // equal infinities too
    if (!(Math.abs(a - e) <= atol + RTOL * Math.abs(e))) return `element ${i}: ${a}, expected ${e}`;
  }
  return undefined;
}

/**
 * Tests whose expected outputs carry single-precision noise where the exact value is 0 (numpy 2
 * computes these FFTs in complex64): compared with an absolute tolerance of 1e-6 of the output's
 * largest magnitude instead of ONNX's fixed 1e-7.
 */
const SCALED_ATOL: Readonly<Record<string, string>> = {
  test_dft_inverse: 'expected output from a single-precision FFT',
  test_dft_inverse_opset19: 'expected output from a single-precision FFT',
};

/**
 * Tests whose expected output in the ONNX data disagrees with onnxruntime 1.30, which our
 * semantics follow (the product is exact with onnxruntime). For these a mismatch with the data is
 * checked against onnxruntime-node on the same model and inputs instead, and the result says so.
 */
export const ONNXRUNTIME_ORACLE: Readonly<Record<string, string>> = {
  // align_corners with scales: ONNX's reference divides by the unrounded output length
  // (scale * input length); onnxruntime by the output size (an integer).
  test_resize_downsample_scales_linear_align_corners: 'align_corners uses the integer output length',
  test_resize_downsample_scales_cubic_align_corners: 'align_corners uses the integer output length',
  // float16: ONNX's reference rounds every Softmax step (x - max, exp, sum, divide) to float16;
  // onnxruntime computes in float32 and rounds once, one float16 step apart.
  test_attention_4d_causal_fp16_expanded: 'its float16 Softmax rounds every step to float16',
};

async function onnxruntimeOutputs(modelPath: string, feeds: Map<string, Tensor>): Promise<Tensor[]> {
  const ort = await import('onnxruntime-node');
  const { QUIET } = await import('../helpers/ort-quiet.js');
  const session = await ort.InferenceSession.create(readFileSync(modelPath), QUIET);
  const ortFeeds = Object.fromEntries(
    [...feeds].map(([name, t]) => [
      name,
      new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, [...t.dims]),
    ]),
  );
  const out = await session.run(ortFeeds);
  await session.release();
  return session.outputNames.map((name) => {
    const t = out[name];
    return { dtype: t.type as Tensor['dtype'], dims: [...t.dims], data: t.data as Tensor['data'] };
  });
}

/**
 * Expected outputs that later ONNX releases corrected, by test name: the corrected value computed
 * from the inputs here, independently of the engine. ONNX 1.12 truncated float32 to bfloat16;
 * ONNX (since 1.13: its 1.23 data passes here) and onnxruntime round to nearest even.
 */
const ERRATA: Readonly<Record<string, { why: string; expected: (inputs: Tensor[]) => Tensor }>> = {
  test_cast_FLOAT_to_BFLOAT16: {
    why: 'ONNX 1.12 truncated float32 to bfloat16; later ONNX rounds to nearest even',
    expected: ([x]) => {
      const f = Float32Array.from(x.data as Float32Array);
      const u = new Uint32Array(f.buffer);
      const out = Uint16Array.from(u, (b, i) =>
        Number.isNaN(f[i]) ? (b >>> 16) | 0x40 : ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff,
      );
      return { dtype: 'bfloat16', dims: [...x.dims], data: out };
    },
  },
};

/** Run-time errors that are refusals of something the engine declines, not wrong answers. */
const REFUSAL = /not supported|unsupported|computed at run time/i;

export type MakeExecutor = (model: Model) => Executor | Promise<Executor>;
export const cpuExecutor: MakeExecutor = (model) => new CpuInterpreter(model);
export const webgpuExecutor: MakeExecutor = (model) => WebGpuExecutor.create(model);

/** Runs every test_data_set_* of one test on one executor. */
export async function runTest(
  id: string,
  make: MakeExecutor = cpuExecutor,
  root = TESTDATA_ROOT,
): Promise<TestResult> {
  const dir = join(root, id);
  let model: Model;
  let executor: Executor;
  try {
    model = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.onnx'))));
    // As `qplay run` and the page: a model stamped outside the opsets we implement is refused.
    assertSupportedOpsets(model);
    executor = await make(model);
  } catch (e) {
    if (e instanceof ModelError) return { outcome: 'refused', reason: oneLine(e.message, 200) };
    return { outcome: 'fail', reason: oneLine(`crash while loading: ${(e as Error).message}`, 200) };
  }
  try {
    const sets = readdirSync(dir)
      .filter((d) => d.startsWith('test_data_set_'))
      .sort();
    let oracle: string | undefined;
    for (const set of sets) {
      let inputs: Tensor[];
      let expected: Tensor[];
      try {
        inputs = readTensors(join(dir, set), 'input');
        expected = readTensors(join(dir, set), 'output');
      } catch (e) {
        // e.g. string tensors, which the engine does not hold.
        return { outcome: 'refused', reason: oneLine(`${set}: ${(e as Error).message}`, 200) };
      }
      // As onnx's runner: input_k feeds the k-th graph input that is not an initializer.
      const graphInputs = model.graph.inputs.filter((vi) => !model.graph.initializers.has(vi.name));
      const feeds = new Map(graphInputs.map((vi, k) => [vi.name, inputs[k]]));
      let results: Map<string, Tensor>;
      try {
        results = await executor.run(feeds);
      } catch (e) {
        // A run-time refusal (an attribute value or dtype we decline) is still one clean line.
        const msg = oneLine((e as Error).message, 200);
        if (e instanceof ModelError && REFUSAL.test(msg)) return { outcome: 'refused', reason: msg };
        // Test data that does not fit its own model (ONNX 1.12's CastLike tests feed a [1] tensor
        // to a [3,4] input): refused as `qplay run` and onnxruntime refuse it, not a wrong answer.
        if (e instanceof InputError) return { outcome: 'refused', reason: `${set}: ${msg}` };
        return { outcome: 'fail', reason: `${set}: ${msg}` };
      }
      const name = id.split('/')[1];
      for (const [k, vi] of model.graph.outputs.entries()) {
        const got = results.get(vi.name);
        if (!got) return { outcome: 'fail', reason: `${set}: output ${vi.name} missing` };
        let atol = ATOL;
        if (SCALED_ATOL[name]) {
          const e = expected[k];
          let max = 0;
          for (let i = 0; i < e.data.length; i++) max = Math.max(max, Math.abs(elementAsNumber(e, i)));
          atol = 1e-6 * max;
          oracle = `tolerance 1e-6 of the largest output (${SCALED_ATOL[name]})`;
        }
        const bad = mismatch(got, expected[k], atol);
        if (bad && ONNXRUNTIME_ORACLE[name]) {
          const ort = (await onnxruntimeOutputs(join(dir, 'model.onnx'), feeds))[k];
          const badOrt = mismatch(got, ort);
          if (badOrt)
            return { outcome: 'fail', reason: oneLine(`${set}: ${vi.name} vs onnxruntime ${badOrt}`, 200) };
          oracle = `onnxruntime-node (ONNX's expected output differs: ${ONNXRUNTIME_ORACLE[name]})`;
        } else if (bad && ERRATA[name]) {
          const badErrata = mismatch(got, ERRATA[name].expected(inputs));
          if (badErrata)
            return {
              outcome: 'fail',
              reason: oneLine(`${set}: ${vi.name} vs corrected data ${badErrata}`, 200),
            };
          oracle = `corrected expected output (${ERRATA[name].why})`;
        } else if (bad) return { outcome: 'fail', reason: oneLine(`${set}: ${vi.name} ${bad}`, 200) };
      }
    }
    // A lowering that stops taking a node shows here: the WebGPU result names the ops it left to the CPU.
    if (executor instanceof WebGpuExecutor) {
      const { cpuFallbacks } = await executor.summary();
      const ops = [...new Set(cpuFallbacks.map((f) => f.split(' ')[0]))].sort();
      if (ops.length) return { outcome: 'pass', ...(oracle && { oracle }), cpuFallbacks: ops };
    }
    return { outcome: 'pass', ...(oracle && { oracle }) };
  } finally {
    executor.dispose();
  }
}
