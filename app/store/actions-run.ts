// Running the current model in the run worker, on the chosen backend (WebGPU executor with a CPU
// fallback, or the CPU reference interpreter), on a digit image or seeded random inputs; progress,
// cancellation and where the run went go through the store's run slice.
import { sizeOf, type Tensor, toNumbers } from '../../kernels/tensor.js';
import { gpuDetected } from './actions-gpu.js';
import { dimsFailureHint } from './actions-dims.js';
import { describeDims, dimBindings } from './input-dims.js';
import { formatDims } from './model-views.js';
import { oneLine } from './one-line.js';
import { bindSymbolicDims } from './quant-data.js';
import { getModelEntry, registerTensor, releaseTensors } from './registry.js';
import { cancelWorkerRun, runInWorker } from './run-client.js';
import { loadDigitTensor, randomFeeds } from './sample-input.js';
import { getState, idleRun, setState } from './store.js';
import { argmax, tensorStats, topK } from './tensor-stats.js';
import type { InputChoice, RunOutput } from './types.js';

/** Outputs up to this many elements are charted value by value. */
const CHART_LIMIT = 64;

let outputTensorIds: string[] = [];
let runGeneration = 0;

export function setInputChoice(choice: InputChoice): void {
  setState({ inputChoice: choice });
}

export function resetRun(): void {
  releaseTensors(outputTensorIds);
  outputTensorIds = [];
  setState({ run: idleRun });
}

function describeOutput(name: string, t: Tensor): RunOutput {
  const small = sizeOf(t.dims) <= CHART_LIMIT;
  return {
    name,
    dtype: t.dtype,
    shape: formatDims(t.dims),
    stats: tensorStats(t),
    values: small ? toNumbers(t) : null,
    argmax: argmax(t),
    top: small ? [] : topK(t, 5),
  };
}

async function makeFeeds(
  choice: InputChoice,
  inputName: string | undefined,
  graph: Parameters<typeof randomFeeds>[0],
) {
  if (choice.kind === 'digit' && inputName !== undefined) {
    return {
      feeds: new Map([[inputName, await loadDigitTensor(choice.digit)]]),
      label: `digit ${choice.digit}`,
    };
  }
  const seed = choice.kind === 'random' ? choice.seed : 1;
  // The symbolic input dims take the sizes set on the page (batch 1, spatial 224 by default).
  const dims = getState().inputDims;
  const bound = bindSymbolicDims(graph, dimBindings(dims));
  const sizes = dims.length ? `, ${describeDims(dims)}` : '';
  return { feeds: randomFeeds(bound, seed), label: `random inputs (seed ${seed}${sizes})` };
}

export async function runModel(): Promise<void> {
  const state = getState();
  const modelId = state.modelId;
  const entry = getModelEntry(modelId);
  if (!entry || !modelId || state.unsupported || state.run.status === 'running') return;
  const generation = ++runGeneration;
  const total = entry.model.graph.nodes.length;
  const choice = state.acceptsDigits
    ? state.inputChoice
    : state.inputChoice.kind === 'random'
      ? state.inputChoice
      : { kind: 'random' as const, seed: 1 };
  setState({ run: { ...idleRun, status: 'running', total } });
  const started = performance.now();
  try {
    await gpuDetected(); // the default backend depends on whether an adapter exists
    if (generation !== runGeneration) return;
    const { feeds, label } = await makeFeeds(choice, entry.model.graph.inputs[0]?.name, entry.model.graph);
    if (generation !== runGeneration) return;
    setState({ run: { ...getState().run, inputLabel: label } });
    const { outputs, placement } = await runInWorker({
      modelId,
      model: entry.model,
      modelBytes: entry.bytes,
      feeds,
      backend: getState().backend,
      onProgress: (done, of) => {
        if (generation === runGeneration) setState({ run: { ...getState().run, done, total: of } });
      },
    });
    if (generation !== runGeneration || getState().modelId !== modelId) return;
    releaseTensors(outputTensorIds);
    outputTensorIds = [...outputs.values()].map(registerTensor);
    setState({
      run: {
        ...getState().run,
        status: 'done',
        done: total,
        ms: performance.now() - started,
        placement,
        outputs: [...outputs].map(([name, t]) => describeOutput(name, t)),
      },
    });
  } catch (e) {
    if (generation !== runGeneration) return;
    const err = e as Error;
    const cancelled = err.name === 'AbortError';
    setState({
      run: {
        ...getState().run,
        status: cancelled ? 'cancelled' : 'error',
        error: cancelled ? null : oneLine(err.message + dimsFailureHint()),
      },
    });
  }
}

export function cancelRun(): void {
  if (getState().run.status !== 'running') return;
  runGeneration++;
  cancelWorkerRun();
  setState({ run: { ...getState().run, status: 'cancelled' } });
}
