// The quantization configuration: what the engine quantizes and how. Versioned JSON (the CLI's
// --config file, a session document's "config", the page's settings); the defaults are those of
// onnxruntime.quantization.quantize_static in QDQ format with per-channel weights:
//   activations uint8 asymmetric (full range), min-max calibration;
//   weights int8 symmetric per channel, 7-bit range [-64, 64] (onnxruntime's reduce_range): one
//   deliberate difference from quantize_static's default. onnxruntime on x86 CPUs without VNNI
//   sums uint8 x int8 products in int16-saturating pairs (VPMADDUBSW); with 8-bit weights those
//   pairs overflow on ordinary models and the export's numbers then depend on the CPU it runs on
//   (we measured mnist-8 logits off by 23% on such a CPU). 7-bit weights never saturate a pair
//   (255 * 64 * 2 < 32768), so the export runs the same everywhere; onnxruntime recommends
//   reduce_range for per-channel models on x86 for this reason. 'restricted' gives [-127, 127];
//   bias int32 with scale sx * sw (zero point 0).
// Reading a config document strictly (unknown keys, bad values) is config-parse.ts's job.
import type { AccumulatorMode } from '../../kernels/quant-math/accumulator.js';
import type { RangeMode } from '../../kernels/quant-math/quant-math.js';
import type { RequantScheme } from '../../kernels/requantize/requantize.ref.js';

export const CONFIG_VERSION = 1;

export type QuantizedDType = 'int8' | 'uint8';
export type ObserverName = 'minmax' | 'moving-average' | 'percentile' | 'entropy' | 'mse';
export const OBSERVER_NAMES: readonly ObserverName[] = [
  'minmax',
  'moving-average',
  'percentile',
  'entropy',
  'mse',
];

/**
 * How conv/dense accumulate in the affine simulation:
 * - 'int32': exact int32 sums (the ONNX meaning; onnxruntime with VNNI).
 * - 'x86-pairwise': uint8 x int8 products summed in int16-saturated pairs (VPMADDUBSW), as
 *   onnxruntime's MLAS on x86 CPUs without VNNI.
 * - 'wrapN' / 'satN' (N in 8..32): an N-bit accumulator that wraps once at the end, or saturates
 *   after every multiply-add (order: kernels/quant-math/accumulator.ts).
 */
export type AccumulatorName = 'int32' | 'x86-pairwise' | `wrap${number}` | `sat${number}`;

/** How int32 accumulators are requantized to 8 bits (kernels/requantize/requantize.ref.ts). */
export type RoundingName = 'ort' | 'gemmlowp' | 'tvm-upward' | 'tvm-tonearest';
export const ROUNDING_NAMES: readonly RoundingName[] = ['ort', 'gemmlowp', 'tvm-upward', 'tvm-tonearest'];

export interface RoleConfig {
  readonly dtype: QuantizedDType;
  readonly symmetric: boolean;
  readonly range: RangeMode;
}

export interface ActivationConfig extends RoleConfig {
  readonly observer: ObserverName;
  /** Percentile observer: the share of |values| kept, in percent (onnxruntime: 99.999). */
  readonly percentile: number;
  /** Moving-average min-max observer: the averaging constant (PyTorch: 0.01). */
  readonly averagingConstant: number;
  /** Histogram bins of the histogram observers (percentile, entropy, mse). */
  readonly bins: number;
}

export interface WeightConfig extends RoleConfig {
  /** One scale per output channel (Conv/Gemm axis 0, MatMul axis 1) or one per tensor. */
  readonly perChannel: boolean;
}

/** A per-tensor override. Every field optional; a manual range beats the observer, a manual
 * scale/zero point beats both. */
export interface TensorOverride {
  readonly dtype?: QuantizedDType;
  readonly symmetric?: boolean;
  readonly range?: RangeMode;
  readonly observer?: ObserverName;
  /** Manual calibration range (both or neither). */
  readonly min?: number;
  readonly max?: number;
  /** Manual parameters (both or neither). */
  readonly scale?: number;
  readonly zeroPoint?: number;
  readonly passthrough?: boolean;
}

export interface QuantConfig {
  readonly version: 1;
  readonly activations: ActivationConfig;
  readonly weights: WeightConfig;
  readonly bias: { readonly dtype: 'int32' };
  readonly accumulator: AccumulatorName;
  readonly rounding: RoundingName;
  /** Op types whose inputs and outputs are quantized. */
  readonly opTypes: readonly string[];
  /** Calibrate each operator on the quantized outputs of those before it. */
  readonly errorPropagation: boolean;
  /** Keyed by tensor (activation or initializer) name. */
  readonly overrides: Readonly<Record<string, TensorOverride>>;
}

/** The op types quantized by default: onnxruntime's QDQ quantizer registry, less what has no
 * integer kernel here. */
export const DEFAULT_OP_TYPES: readonly string[] = [
  'Conv',
  'ConvTranspose',
  'Gemm',
  'MatMul',
  'Add',
  'Mul',
  'Relu',
  'Clip',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Concat',
  'Reshape',
  'Transpose',
  'Flatten',
  'Squeeze',
  'Unsqueeze',
  'Sigmoid',
  'LeakyRelu',
  'Softmax',
  'Resize',
  'Where',
  'Slice',
  'Split',
  'Pad',
  'Gather',
  'GatherElements',
  'LayerNormalization',
  'InstanceNormalization',
  'BatchNormalization',
  'ArgMax',
];

export const DEFAULT_CONFIG: QuantConfig = {
  version: 1,
  activations: {
    dtype: 'uint8',
    symmetric: false,
    range: 'full',
    observer: 'minmax',
    percentile: 99.999,
    averagingConstant: 0.01,
    bins: 2048,
  },
  weights: { dtype: 'int8', symmetric: true, range: 'reduced', perChannel: true },
  bias: { dtype: 'int32' },
  accumulator: 'int32',
  rounding: 'ort',
  opTypes: DEFAULT_OP_TYPES,
  errorPropagation: true,
  overrides: {},
};

/** The kernels' accumulator mode for a config name (validated by config-parse). */
export function accumulatorMode(name: AccumulatorName): AccumulatorMode {
  if (name === 'int32') return { kind: 'int32' };
  if (name === 'x86-pairwise') return { kind: 'pairwise-int16-saturate' };
  const m = /^(wrap|sat)(\d+)$/.exec(name);
  if (!m) throw new Error(`unknown accumulator '${name}'`);
  const bits = Number(m[2]);
  if (!(bits >= 8 && bits <= 32)) throw new Error(`accumulator '${name}': bits must be in 8..32`);
  return m[1] === 'wrap' ? { kind: 'wrap', bits } : { kind: 'saturate', bits };
}

/** The kernels' requantize scheme for a config name. */
export function requantScheme(name: RoundingName): RequantScheme {
  if (name === 'ort') return { kind: 'ort' };
  if (name === 'gemmlowp') return { kind: 'gemmlowp' };
  return { kind: 'tvm', rounding: name === 'tvm-upward' ? 'UPWARD' : 'TONEAREST' };
}
