// The float model as the quantization engine sees it: constant subgraphs folded to initializers,
// BatchNormalization folded into the Conv before it (fold-batchnorm.ts), and, when per-channel
// weights are asked for, the ai.onnx opset raised to 13 (DequantizeLinear's axis) where that keeps
// the model's meaning. Deterministic, so a session's tensor names resolve on the same model every
// time (calibrate, simulate, export, the page).
import { type Model, opsetVersion } from '../model/ir.js';
import type { QuantConfig } from './config.js';
import { foldBatchNorms } from './fold-batchnorm.js';
import { materializeConstants } from './materialize.js';
import { upgradeToOpset13 } from './opset-upgrade.js';

export interface PreparedModel {
  readonly model: Model;
  /** What was changed or could not be, one line each. */
  readonly notes: readonly string[];
}

export function prepareModel(model: Model, config: QuantConfig): PreparedModel {
  const bn = foldBatchNorms(materializeConstants(model));
  const notes = bn.folded > 0 ? [`${bn.folded} BatchNormalization folded into the convs before them`] : [];
  const opset = opsetVersion(bn.model, '') ?? 1;
  if (!config.weights.perChannel || opset >= 13) return { model: bn.model, notes };
  const up = upgradeToOpset13(bn.model);
  if (up.model)
    return {
      model: up.model,
      notes: [...notes, `ai.onnx opset ${opset} raised to 13 for per-channel weights`],
    };
  return { model: bn.model, notes: [...notes, `opset ${opset} kept: ${up.reason}`] };
}
