// RNN, GRU and LSTM (ai.onnx 7, 14, 22) on the GPU, float32 (kernels/rnn/recurrent-gpu.ts): every
// attribute and optional input / output the CPU reference takes. The attributes are read by the
// CPU adapter's own readers and the shapes checked by the reference's recurrentSizes, so a node
// the reference refuses (bad attribute, shape or dtype) is declined here and its CPU fallback
// reports the reference's message. Also declined: any input other than float32 (float16 models
// keep these ops as written, widen-float16.ts: their reference rounds every step), non-int32
// sequence_lens (refused by the CPU op), a constant sequence_lens out of range (the reference's
// error), and empty sizes. A sequence_lens fed at run time is checked by the kernel: a value out
// of range fails the run after it with the reference's message.
import { sizeOf, toNumbers } from '../../../kernels/tensor.js';
import { prepareRecurrent, type RecurrentCell } from '../../../kernels/rnn/recurrent-gpu.js';
import { type RecurrentShapes, recurrentSizes } from '../../../kernels/rnn/recurrent.js';
import { attrInt } from '../../model/attributes.js';
import { ModelError } from '../../model/errors.js';
import { activationsOf, commonOptions } from '../cpu/ops/rnn.js';
import { inputName, type LowerContext, type Lowering } from './lowering.js';

const GATES: Readonly<Record<RecurrentCell, number>> = { RNN: 1, GRU: 3, LSTM: 4 };
const DEFAULT_ACTIVATIONS: Readonly<Record<RecurrentCell, readonly string[]>> = {
  RNN: ['Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
};

/** The input's shape when present, else undefined. */
const shapeAt = (lc: LowerContext, i: number) => (inputName(lc, i) ? lc.shape(inputName(lc, i)) : undefined);

function recurrent(cell: RecurrentCell): Lowering {
  return async (lc) => {
    const { node } = lc;
    const float = [0, 1, 2, 3, 5, 6, 7].every(
      (i) => !inputName(lc, i) || shapeAt(lc, i)?.dtype === 'float32',
    );
    if (!float || !inputName(lc, 1) || !inputName(lc, 2)) return undefined;
    const gates = GATES[cell];
    let plan: ReturnType<typeof planOf>;
    try {
      plan = planOf(lc, cell, gates);
    } catch {
      return undefined; // the CPU op refuses it, with its own message
    }
    if (!plan) return undefined;
    const { sizes, options, activations, lensConst } = plan;
    const opt = (i: number) => (inputName(lc, i) ? lc.input(i) : undefined);
    const used = (i: number) => (node.outputs[i] ?? '') !== '' && lc.isUsed(node.outputs[i]);
    const g = await prepareRecurrent(
      lc.gpu,
      {
        x: lc.input(0),
        w: lc.input(1),
        r: lc.input(2),
        b: opt(3),
        lens: opt(4),
        h0: opt(5),
        c0: cell === 'LSTM' ? opt(6) : undefined,
        p: cell === 'LSTM' ? opt(7) : undefined,
        y: used(0) ? lc.output(0) : undefined,
        yH: used(1) ? lc.output(1) : undefined,
        yC: cell === 'LSTM' && used(2) ? lc.output(2) : undefined,
      },
      {
        cell,
        ...sizes,
        direction: options.direction,
        layout: options.layout,
        activations,
        clip: options.clip,
        linearBeforeReset: cell === 'GRU' && attrInt(node, 'linear_before_reset') === 1,
        inputForget: cell === 'LSTM' && attrInt(node, 'input_forget') === 1,
        checkLens: inputName(lc, 4) !== '' && !lensConst,
      },
    );
    const { name } = node;
    return {
      record: async (encoder) => g.record(encoder),
      collect: async () => {
        const bad = await g.badLens();
        return () => {
          if (bad)
            throw new ModelError(
              `node '${name}' (${cell}): ${cell}: sequence_lens must be between 0 and ${sizes.seq}, got [${bad}]`,
            );
        };
      },
      destroy: g.destroy,
    };
  };
}

/** What the kernel needs, read and checked as the CPU op does (throws where it would). */
function planOf(lc: LowerContext, cell: RecurrentCell, gates: number) {
  const { node } = lc;
  const ctx = { node, opset: lc.opset };
  if (cell === 'GRU' && ![0, 1].includes(attrInt(node, 'linear_before_reset'))) return undefined;
  if (cell === 'LSTM' && ![0, 1].includes(attrInt(node, 'input_forget'))) return undefined;
  const options = commonOptions(ctx);
  const activations = activationsOf(ctx, gates === 1 ? 1 : gates - 1, DEFAULT_ACTIVATIONS[cell]);
  const lensShape = shapeAt(lc, 4);
  if (lensShape && lensShape.dtype !== 'int32') return undefined;
  const shapes: RecurrentShapes = {
    x: lc.shape(inputName(lc, 0)),
    w: lc.shape(inputName(lc, 1)),
    r: lc.shape(inputName(lc, 2)),
    b: shapeAt(lc, 3),
    sequenceLens: lensShape,
    initialH: shapeAt(lc, 5),
    initialC: cell === 'LSTM' ? shapeAt(lc, 6) : undefined,
  };
  const sizes = recurrentSizes(cell, gates, shapes, options);
  const { seq, batch, input, hidden, dirs } = sizes;
  if (activations.length !== (gates === 1 ? 1 : gates - 1) * dirs) return undefined;
  const p = cell === 'LSTM' ? shapeAt(lc, 7) : undefined;
  if (p && (p.dims.length !== 2 || p.dims[0] !== dirs || p.dims[1] !== 3 * hidden)) return undefined;
  if (seq * batch * input * hidden === 0) return undefined;
  const lensTensor = lensShape ? lc.constant(inputName(lc, 4)) : undefined;
  if (lensTensor && sizeOf(lensTensor.dims) && toNumbers(lensTensor).some((l) => !(l >= 0 && l <= seq)))
    return undefined;
  return { sizes: { seq, batch, input, hidden }, options, activations, lensConst: lensTensor !== undefined };
}

export const rnnLowerings: Readonly<Record<string, Lowering>> = {
  RNN: recurrent('RNN'),
  GRU: recurrent('GRU'),
  LSTM: recurrent('LSTM'),
};
