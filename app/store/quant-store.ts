// The quantization slice: its own small zustand store beside the page's (./store.ts), so the
// quantization panels and the graph view's colours re-render only on what they read. Big data
// (samples, parameters, values) stays in the quant worker; this holds views and flags.
import type { RecentSession } from './persist.js';
import { create } from 'zustand';
import { DEFAULT_CONFIG, type QuantConfig } from '../quant/config.js';
import { DEFAULT_IMAGE_FIELDS, DEFAULT_RANDOM, type ImageFields, type RandomSpec } from './quant-data.js';
import type {
  CalibrationOverview,
  CalibrationProgressView,
  MetricsView,
  NodeTensors,
  SimulationMode,
  TensorDetail,
} from './quant-types.js';

export type QuantPhase = 'none' | 'ready' | 'running' | 'paused' | 'done' | 'error';
export type QuantBusy = null | 'open' | 'data' | 'step' | 'calibrate' | 'update' | 'export' | 'strategy';
export type DataKind = 'samples' | 'random' | 'images' | 'tensors' | 'none';

export interface DataState {
  readonly kind: DataKind;
  readonly description: string;
  readonly count: number;
  /** Object URLs of the dropped images (thumbnails). */
  readonly thumbnails: readonly string[];
  /** What the page chose on its own ("random inputs: this model has no data of its own"). */
  readonly note: string | null;
}

export interface StrategyState {
  readonly source: string;
  readonly running: boolean;
  readonly messages: readonly string[];
}

export const DEFAULT_STRATEGY = `// input: { name, kind, dtype, qmin, qmax, symmetric, count, min, max, sampleRanges,
//   histogram: { counts, edges }, absHistogram, centredHistogram, percentiles: { '99.99': … },
//   settings, candidates: [{ observer, range: [lo, hi], sqnr }], values }
// return { min, max } or { scale, zeroPoint }, or null to keep the tensor as it is.
(input) => {
  if (input.kind !== 'activation') return null;
  // The observer whose range quantizes this tensor with the best SQNR.
  const best = input.candidates.reduce((a, b) => (b.sqnr > a.sqnr ? b : a));
  return { min: best.range[0], max: best.range[1] };
}`;

export interface QuantState {
  readonly modelId: string | null;
  readonly phase: QuantPhase;
  readonly busy: QuantBusy;
  /** A metrics pass runs in the metrics worker (the main worker stays free). */
  readonly metricsBusy: boolean;
  /** The live status line (role="status"). */
  readonly message: string;
  readonly error: string | null;
  readonly config: QuantConfig;
  readonly data: DataState;
  readonly imageFields: ImageFields;
  readonly randomSpec: RandomSpec;
  readonly overview: CalibrationOverview | null;
  readonly progress: CalibrationProgressView | null;
  readonly metricsProgress: { readonly done: number; readonly total: number; readonly what: string } | null;
  readonly mode: SimulationMode;
  readonly sqnrKind: 'local' | 'cumulative';
  readonly metrics: MetricsView | null;
  /** Compute the accumulator preview with the metrics (automatic on small models). */
  readonly preview: boolean;
  /** The sensitivity ranking shown is from before the last change. */
  readonly sensitivityStale: boolean;
  readonly nodeTensors: NodeTensors | null;
  readonly selectedTensor: string | null;
  readonly tensor: TensorDetail | null;
  readonly logCount: boolean;
  readonly strategy: StrategyState;
  readonly exportNote: string | null;
  /** The last share link made ("Share link"), and what became of copying it. */
  readonly share: { readonly url: string | null; readonly note: string | null };
  /** Sessions kept in this browser (IndexedDB), newest first. */
  readonly recent: readonly RecentSession[];
  /** The person agreed to keep model files in this browser. */
  readonly keepModels: boolean;
}

export const initialQuantState: QuantState = {
  modelId: null,
  phase: 'none',
  busy: null,
  metricsBusy: false,
  message: 'No model open',
  error: null,
  config: DEFAULT_CONFIG,
  data: { kind: 'none', description: '', count: 0, thumbnails: [], note: null },
  imageFields: DEFAULT_IMAGE_FIELDS,
  randomSpec: DEFAULT_RANDOM,
  overview: null,
  progress: null,
  metricsProgress: null,
  mode: 'affine',
  sqnrKind: 'cumulative',
  metrics: null,
  preview: true,
  sensitivityStale: false,
  nodeTensors: null,
  selectedTensor: null,
  tensor: null,
  logCount: false,
  strategy: { source: DEFAULT_STRATEGY, running: false, messages: [] },
  exportNote: null,
  share: { url: null, note: null },
  recent: [],
  keepModels: false,
};

export const useQuantStore = create<QuantState>()(() => initialQuantState);

export const getQuant = useQuantStore.getState;
export const setQuant = useQuantStore.setState;
