// `qplay run`: loads input tensors from files, matches them to the model's inputs, runs the
// model and writes each output as an ONNX TensorProto file.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { elementAsNumber, type Tensor } from '../../kernels/tensor.js';
import { releaseGpu } from '../../kernels/gpu/device.js';
import { CpuInterpreter } from '../exec/cpu/interpreter.js';
import { type PlanSummary, type RunReport, WebGpuExecutor } from '../exec/webgpu/webgpu-executor.js';
import type { BackendName } from '../exec/executor.js';
import type { IntegerAccumulation } from '../exec/cpu/op-types.js';
import { hostIntegerAccumulation } from '../exec/host-integer-accumulation.js';
import { ModelError } from '../model/errors.js';
import type { Model, ValueInfo } from '../model/ir.js';
import { assertSupportedOpsets } from '../model/opset-range.js';
import { fuseQdqForIntegerExecution } from '../quant/fuse-qdq.js';
import { decodeTensorFile, encodeTensorFile } from '../model/tensor-proto.js';
import { CliError, readFileBytes } from './cli-errors.js';
import { decodeNpy } from './npy.js';

export interface InputFile {
  readonly path: string;
  /** The tensor's own name (TensorProto name); '' when it has none (.npy, unnamed .pb). */
  readonly name: string;
  readonly tensor: Tensor;
}

/** Reads a `.npy` file, or else an ONNX TensorProto file (`.pb` and anything else). */
export function readInputFile(path: string): InputFile {
  const bytes = readFileBytes(path, 'input file');
  try {
    if (extname(path).toLowerCase() === '.npy')
      return { path, name: '', tensor: decodeNpy(bytes, `'${path}'`) };
    const { name, tensor } = decodeTensorFile(bytes, `'${path}'`);
    return { path, name, tensor };
  } catch (e) {
    if (e instanceof ModelError)
      throw new CliError(`input file '${path}': ${e.message.replace(`'${path}' `, '')}`);
    throw e;
  }
}

/**
 * Pairs files with model inputs: a file whose tensor is named after an input goes to that input;
 * the unnamed ones fill the remaining inputs in the model's order.
 */
export function matchInputs(model: Model, files: readonly InputFile[]): Map<string, InputFile> {
  const inputs = model.graph.inputs;
  const names = inputs.map((i) => i.name);
  if (files.length !== inputs.length) {
    throw new CliError(
      `the model has ${inputs.length} input${inputs.length === 1 ? '' : 's'} (${names.join(', ') || 'none'}), ` +
        `${files.length} --input file${files.length === 1 ? ' was' : 's were'} given`,
    );
  }
  const byInput = new Map<string, InputFile>();
  for (const f of files) {
    if (!f.name) continue;
    if (!names.includes(f.name)) {
      throw new CliError(
        `input file '${f.path}' holds a tensor named '${f.name}'; the model has no input of that name (inputs: ${names.join(', ')})`,
      );
    }
    const other = byInput.get(f.name);
    if (other) throw new CliError(`input '${f.name}' is given twice: '${other.path}' and '${f.path}'`);
    byInput.set(f.name, f);
  }
  const free = names.filter((n) => !byInput.has(n));
  for (const f of files.filter((x) => !x.name)) byInput.set(free.shift()!, f);
  return byInput;
}

function checkAgainstDeclared(input: ValueInfo, f: InputFile): void {
  const t = f.tensor;
  if (input.dtype && t.dtype !== input.dtype) {
    throw new CliError(
      `input '${input.name}' from '${f.path}' is ${t.dtype}; the model expects ${input.dtype}`,
    );
  }
  if (!input.dims) return;
  const ok =
    input.dims.length === t.dims.length &&
    input.dims.every((d, i) => typeof d === 'string' || d === t.dims[i]);
  if (!ok) {
    throw new CliError(
      `input '${input.name}' from '${f.path}' has shape [${t.dims.join(', ')}]; the model expects [${input.dims.join(', ')}]`,
    );
  }
}

export interface RunRequest {
  readonly model: Model;
  readonly inputPaths: readonly string[];
  readonly backend: BackendName;
  readonly integer: boolean;
  /** How integer conv/matmul ops accumulate; 'auto' (default): as onnxruntime does on this host. */
  readonly accumulation?: IntegerAccumulation | 'auto';
  readonly outDir: string;
}

/** The accumulation to run with: 'auto' reads the CPU flags (/proc/cpuinfo; exact where absent). */
export function resolveAccumulation(choice: IntegerAccumulation | 'auto' = 'auto'): IntegerAccumulation {
  if (choice !== 'auto') return choice;
  let cpuinfo: string | undefined;
  try {
    cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : undefined;
  } catch {
    cpuinfo = undefined;
  }
  return hostIntegerAccumulation(cpuinfo);
}

export interface WrittenOutput {
  readonly file: string;
  readonly name: string;
  readonly tensor: Tensor;
}

export interface RunResult {
  readonly outputs: WrittenOutput[];
  /** WebGPU runs: where the nodes ran, one line (e.g. '40 nodes on the GPU, 0 on the CPU'). */
  readonly placement?: string;
}

/** How many nodes of the run's plan ran on the GPU and which fell back to the CPU reference. */
function placementLine(s: PlanSummary, report: RunReport | undefined): string {
  const gpu = s.gpuNodes + s.gpuHostNodes;
  const cpu = s.cpuFallbacks.length;
  const named = cpu ? `: ${s.cpuFallbacks.slice(0, 6).join(', ')}${cpu > 6 ? ', ...' : ''}` : '';
  const submits = report ? `, ${report.submits} submit${report.submits === 1 ? '' : 's'}` : '';
  const restarted = report?.deviceRestarted ? ` (${report.deviceRestarted})` : '';
  return `webgpu: ${gpu} node${gpu === 1 ? '' : 's'} on the GPU, ${cpu} on the CPU${named}${submits}${restarted}`;
}

export async function runModel(req: RunRequest): Promise<RunResult> {
  // A model stamped with an opset we do not implement would run with another version's meaning.
  assertSupportedOpsets(req.model);
  // --integer: fuse QDQ groups into integer kernels as onnxruntime does at optimization level
  // 'all'; a model without QDQ groups comes back unchanged and runs as plain float.
  const model = req.integer ? fuseQdqForIntegerExecution(req.model) : req.model;
  // Inputs first (cheap, and the user's most likely mistake), then the support check.
  const files = req.inputPaths.map(readInputFile);
  const matched = matchInputs(model, files); // the fused graph keeps the model's inputs and outputs
  const feeds = new Map<string, Tensor>();
  for (const input of model.graph.inputs) {
    const f = matched.get(input.name)!;
    checkAgainstDeclared(input, f);
    feeds.set(input.name, f.tensor);
  }
  const settings = { integerAccumulation: resolveAccumulation(req.accumulation) };
  let results: Map<string, Tensor>;
  let placement: string | undefined;
  if (req.backend === 'webgpu') {
    // Dawn keeps Node alive until the device is released.
    try {
      const executor = await WebGpuExecutor.create(model, settings);
      results = await executor.run(feeds);
      placement = placementLine(await executor.summary(), executor.lastRun);
      executor.dispose();
    } finally {
      await releaseGpu();
    }
  } else {
    const executor = new CpuInterpreter(model, settings);
    results = await executor.run(feeds);
    executor.dispose();
  }
  try {
    mkdirSync(req.outDir, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create output directory '${req.outDir}': ${(e as Error).message}`);
  }
  const outputs = model.graph.outputs.map((o, k) => {
    const tensor = results.get(o.name)!;
    const file = join(req.outDir, `output_${k}.pb`);
    try {
      writeFileSync(file, encodeTensorFile(tensor, o.name));
    } catch (e) {
      throw new CliError(`cannot write '${file}': ${(e as Error).message}`);
    }
    return { file, name: o.name, tensor };
  });
  return { outputs, placement };
}

/** One line per output: file, name, type, shape and (for small tensors) the values. */
export function formatOutputs(outputs: readonly WrittenOutput[]): string {
  return outputs
    .map(({ file, name, tensor }) => {
      const head = `${basename(file)}  ${name}  ${tensor.dtype} [${tensor.dims.join(', ')}]`;
      const n = tensor.data.length;
      if (n > 16) return head;
      const values = Array.from({ length: n }, (_, i) => formatNumber(elementAsNumber(tensor, i)));
      return `${head}  ${values.join(' ')}`;
    })
    .join('\n')
    .concat('\n');
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6);
}
