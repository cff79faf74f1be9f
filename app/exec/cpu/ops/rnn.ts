// RNN, GRU and LSTM (ai.onnx 7, 14, 22) on the CPU: attribute reading and refusals here, the
// meaning in kernels/rnn/*.ref.ts. The WebGPU lowering (app/exec/webgpu/lower-rnn.ts) reads the
// attributes through the same commonOptions / activationsOf, so both refuse the same nodes.
import { isFloatDType } from '../../../../kernels/activation/float-io.js';
import {
  isRnnActivationName,
  type RnnActivation,
  resolveActivations,
} from '../../../../kernels/rnn/activations.js';
import { gruRef } from '../../../../kernels/rnn/gru.ref.js';
import { lstmRef } from '../../../../kernels/rnn/lstm.ref.js';
import type { RecurrentInputs, RecurrentOptions, RnnDirection } from '../../../../kernels/rnn/recurrent.js';
import { rnnRef } from '../../../../kernels/rnn/rnn.ref.js';
import { attrFloat, attrFloats, attrInt, attrString, hasAttr } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { OpContext, OpTable } from '../op-types.js';
import { opKey, optional, required } from '../op-types.js';

/** What the attribute readers look at (an OpContext, or a WebGPU lowering's node and opset). */
export type RecurrentNodeContext = Pick<OpContext, 'node' | 'opset'>;

function refuse(ctx: RecurrentNodeContext, what: string): never {
  throw new ModelError(`node '${ctx.node.name}' (${ctx.node.opType}): ${what} is not supported`);
}

function inputsOf(ctx: OpContext): RecurrentInputs {
  const x = required(ctx, 0);
  if (!isFloatDType(x.dtype)) refuse(ctx, `${x.dtype} input`);
  const seq = optional(ctx, 4);
  if (seq && seq.dtype !== 'int32') refuse(ctx, `${seq.dtype} sequence_lens`);
  return {
    x,
    w: required(ctx, 1),
    r: required(ctx, 2),
    b: optional(ctx, 3),
    sequenceLens: seq,
    initialH: optional(ctx, 5),
    initialC: ctx.node.opType === 'LSTM' ? optional(ctx, 6) : undefined,
  };
}

export function commonOptions(ctx: RecurrentNodeContext): RecurrentOptions & { clip?: number } {
  const { node } = ctx;
  const direction = attrString(node, 'direction');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional')
    refuse(ctx, `direction '${direction}'`);
  // `layout` exists from opset 14; an older node carrying it is read as the default.
  const layout = ctx.opset >= 14 ? attrInt(node, 'layout') : 0;
  if (layout !== 0 && layout !== 1) refuse(ctx, `layout ${layout}`);
  let clip: number | undefined;
  if (hasAttr(node, 'clip')) {
    clip = attrFloat(node, 'clip');
    if (!(clip > 0)) refuse(ctx, `clip ${clip} (it must be positive)`);
  }
  return {
    direction: direction as RnnDirection,
    hiddenSize: hasAttr(node, 'hidden_size') ? attrInt(node, 'hidden_size') : undefined,
    layout: layout as 0 | 1,
    clip,
  };
}

/**
 * The activations, `perDirection` per direction. Absent: the op's defaults; RNN's old default
 * ["Tanh", "Tanh"] on one direction: its first (as onnxruntime). A bidirectional node must list
 * both directions' (onnxruntime refuses fewer too).
 */
export function activationsOf(
  ctx: RecurrentNodeContext,
  perDirection: number,
  defaults: readonly string[],
): RnnActivation[] {
  const { node } = ctx;
  const dirs = attrString(node, 'direction') === 'bidirectional' ? 2 : 1;
  const a = node.attributes.activations;
  let names: string[];
  // An empty list is read as absent: it lists no activation to use instead of the defaults.
  if (a === undefined || (a.kind === 'strings' && a.value.length === 0))
    names = Array.from({ length: dirs }, () => [...defaults]).flat();
  else if (a.kind === 'strings') names = [...a.value];
  else if (a.kind === 'string') names = [a.value];
  else
    throw new ModelError(
      `node '${node.name}' (${node.opType}): attribute 'activations' is ${a.kind}, expected strings`,
    );
  if (ctx.node.opType === 'RNN' && dirs === 1 && names.length === 2) names = names.slice(0, 1);
  if (names.length !== perDirection * dirs)
    throw new ModelError(
      `node '${node.name}' (${node.opType}): expected ${perDirection * dirs} activations, got ${names.length}`,
    );
  for (const n of names) if (!isRnnActivationName(n)) refuse(ctx, `activation '${n}'`);
  return resolveActivations(names, attrFloats(node, 'activation_alpha'), attrFloats(node, 'activation_beta'));
}

export const rnnOps: OpTable = {
  [opKey('', 'RNN')]: (ctx) => {
    const r = rnnRef(inputsOf(ctx), { ...commonOptions(ctx), activations: activationsOf(ctx, 1, ['Tanh']) });
    return [r.y, r.yH];
  },
  [opKey('', 'GRU')]: (ctx) => {
    const lbr = attrInt(ctx.node, 'linear_before_reset');
    if (lbr !== 0 && lbr !== 1) refuse(ctx, `linear_before_reset ${lbr}`);
    const r = gruRef(inputsOf(ctx), {
      ...commonOptions(ctx),
      activations: activationsOf(ctx, 2, ['Sigmoid', 'Tanh']),
      linearBeforeReset: lbr === 1,
    });
    return [r.y, r.yH];
  },
  [opKey('', 'LSTM')]: (ctx) => {
    const inputForget = attrInt(ctx.node, 'input_forget');
    if (inputForget !== 0 && inputForget !== 1) refuse(ctx, `input_forget ${inputForget}`);
    const r = lstmRef(inputsOf(ctx), optional(ctx, 7), {
      ...commonOptions(ctx),
      activations: activationsOf(ctx, 3, ['Sigmoid', 'Tanh', 'Tanh']),
      inputForget: inputForget === 1,
    });
    return [r.y, r.yH, r.yC];
  },
};
