// Execution settings from a quantization config's accumulator and rounding names (app/quant/config.ts),
// for the affine (integer) simulation on either backend.
//
// The choice for 'int32': exact int32 sums on every node, whatever the host. That is the config's
// meaning (the ONNX semantics; onnxruntime with VNNI, ARM, the browser), and it keeps a session's
// numbers the same on every machine. onnxruntime's behaviour on *this* host (pairwise int16 sums on
// x86 without VNNI) is a separate, caller-side choice, 'auto', which keeps the host's
// integerAccumulation and sets no simulated accumulator: exactly what `qplay run --integer` does.
// 'x86-pairwise' always pairs where onnxruntime's MLAS would on an AVX2 machine (u8 x s8, not
// depthwise, not ConvInteger), on any host.
import { InputError } from '../model/errors.js';
import {
  type AccumulatorName,
  accumulatorMode,
  ROUNDING_NAMES,
  type RoundingName,
  requantScheme,
} from '../quant/config.js';
import type { ExecSettings, IntegerAccumulation } from './cpu/op-types.js';

/** A config's accumulator name, or 'auto': onnxruntime's accumulation on this host. */
export type AccumulatorChoice = AccumulatorName | 'auto';

export function execSettingsFor(
  config: { readonly accumulator: AccumulatorChoice; readonly rounding: RoundingName },
  hostAccumulation: IntegerAccumulation,
): ExecSettings {
  const requantize = requantSchemeOf(config.rounding);
  if (config.accumulator === 'auto') return { integerAccumulation: hostAccumulation, requantize };
  let accumulator: ExecSettings['accumulator'];
  try {
    accumulator = accumulatorMode(config.accumulator);
  } catch {
    throw new InputError(
      `unknown accumulator '${config.accumulator}': expected int32, x86-pairwise, wrapN or satN (N in 8..32), or auto`,
    );
  }
  // integerAccumulation stays the host's (informational): `accumulator` overrides it on every node.
  return { integerAccumulation: hostAccumulation, accumulator, requantize };
}

function requantSchemeOf(rounding: RoundingName): ExecSettings['requantize'] {
  if (!ROUNDING_NAMES.includes(rounding))
    throw new InputError(`unknown rounding '${rounding}': expected ${ROUNDING_NAMES.join(', ')}`);
  return requantScheme(rounding);
}
