// Plain, serialisable views of the quantization session that the quant worker hands to the page
// (structured clone) and the store hands to the UI. Nothing here holds a tensor. The engine's
// config types are re-exported so the UI (which may not import app/quant) can name them.
import type { ObserverName, QuantConfig, TensorOverride } from '../quant/config.js';
import type { TensorStatistics } from '../quant/strategy.js';

export type {
  AccumulatorName,
  ObserverName,
  QuantConfig,
  QuantizedDType,
  RoundingName,
  TensorOverride,
} from '../quant/config.js';

export type SimulationMode = 'affine' | 'fake';

export interface CalibrationProgressView {
  /** Operator k of N (1-based) and its node; sample j of M. */
  readonly step: number;
  readonly steps: number;
  readonly node: string;
  readonly sample: number;
  readonly samples: number;
}

export interface CalibrationOverview {
  /** Operators calibrated so far, of `steps`. */
  readonly step: number;
  readonly steps: number;
  /** The operator the next step calibrates (null when done). */
  readonly nextNode: string | null;
  /** The operator the last step calibrated (null before the first). */
  readonly lastNode: string | null;
  readonly done: boolean;
  readonly notes: readonly string[];
  readonly samples: number;
  /** Quantized activations / weights in the plan. */
  readonly activations: number;
  readonly weights: number;
  /** True for a model opened already quantized (QDQ): parameters imported, nothing to calibrate.
   *  A session document (uploaded or from a share link) counts as calibrated, not imported. */
  readonly imported: boolean;
  /** Activations the plan quantizes (the graph draws a quantize marker on their edges). */
  readonly quantized: readonly string[];
  /** Quantized tensors switched to passthrough (float). */
  readonly passthrough: readonly string[];
}

export interface HistogramView {
  readonly lo: number;
  readonly hi: number;
  readonly counts: readonly number[];
}

export interface CandidateRange {
  readonly observer: ObserverName;
  /** The range it would choose, or null when the observer is not available. */
  readonly range: readonly [number, number] | null;
  /** SQNR of the tensor's float values quantized with that range (dB). */
  readonly sqnr: number | null;
  readonly note: string | null;
}

export type TensorKind = 'activation' | 'weight' | 'bias';

export interface TensorDetail {
  readonly name: string;
  readonly kind: TensorKind;
  readonly dtype: string;
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly axis: number | null;
  readonly qmin: number;
  readonly qmax: number;
  /** The calibrated (or manual) range the parameters come from. */
  readonly range: readonly [number, number] | null;
  /** Where the parameters come from: an observer, 'manual', 'shared', 'fixed', 'weights', 'imported'. */
  readonly source: string;
  readonly passthrough: boolean;
  /** A manual range or scale is set on this tensor. */
  readonly manual: boolean;
  readonly histogram: HistogramView;
  readonly valueMin: number;
  readonly valueMax: number;
  readonly count: number;
  /** SQNR (dB) of the float values against their quantize-dequantize with the current parameters. */
  readonly sqnr: number | null;
  readonly candidates: readonly CandidateRange[];
  /** Per-channel weights: scale and [lo, hi] range per output channel. */
  readonly channels: {
    readonly scale: readonly number[];
    readonly lo: readonly number[];
    readonly hi: readonly number[];
  } | null;
}

export interface NodeTensors {
  readonly node: string;
  readonly opType: string;
  /** Quantized tensors the node reads and writes, in that order. */
  readonly tensors: readonly { readonly name: string; readonly kind: TensorKind; readonly role: string }[];
}

export interface AccumulatorView {
  readonly overflowCount: number;
  readonly maxAbs: number;
  readonly limit: number;
  readonly count: number;
}

export interface PreviewView {
  readonly x86Pairwise: { readonly overflows: number; readonly sqnr: number };
  readonly otherWeightRange: { readonly range: string; readonly sqnr: number; readonly x86Overflows: number };
}

export interface LayerRow {
  readonly node: string;
  readonly opType: string;
  readonly tensor: string;
  readonly sqnrLocal: number;
  readonly sqnrCumulative: number;
  readonly cosine: number;
  readonly maxAbsError: number;
  readonly clipRate: number;
  readonly overflows: number;
  readonly accumulator: AccumulatorView | null;
  readonly preview: PreviewView | null;
}

export interface OutputView {
  readonly name: string;
  readonly sqnr: number;
  readonly top1Agreement: number | null;
  /** The first sample's output, float and quantized (first 16 values, or top-k for classifiers). */
  readonly top: readonly { readonly index: number; readonly float: number; readonly quantized: number }[];
  readonly classifier: boolean;
}

export interface MetricsView {
  readonly mode: SimulationMode;
  readonly layers: readonly LayerRow[];
  readonly outputs: readonly OutputView[];
  readonly sensitivity: readonly { readonly node: string; readonly outputSqnr: number }[];
  /** Set by a passthrough toggle's quick update: nodes re-run of the execution graph. */
  readonly rerun: { readonly ran: number; readonly total: number } | null;
  /** Whether local SQNR, clip rates and accumulators are from the full pass (a quick update keeps the last). */
  readonly full: boolean;
}

export interface ExportFiles {
  readonly qdq: Uint8Array;
  readonly session: string;
  readonly overrides: string;
  readonly baseName: string;
  readonly quantizeOps: number;
}

/** What the strategy editor's function receives for one tensor. */
/** What a typed strategy receives per tensor: the engine's statistics, plus values to compute on. */
export interface StrategyInput extends TensorStatistics {
  readonly kind: TensorKind;
  /** The tensor's float values over the calibration samples (at most 65,536, evenly sampled). */
  readonly values: Float32Array;
}

export type StrategyResult =
  | { readonly min: number; readonly max: number }
  | { readonly scale: number; readonly zeroPoint: number };

export type ConfigUpdate = (c: QuantConfig) => QuantConfig;

export type OverrideMap = Readonly<Record<string, TensorOverride>>;
