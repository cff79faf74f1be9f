// Ops that pick or re-frame elements (category 'shape': they move existing values). Compress,
// NonZero, Unique and NonMaxSuppression size their outputs by their inputs' values. Attributes
// whose absence has its own meaning (Compress / Unique axis, CenterCropPad axes) have no default.
import type { OpSchema } from '../op-schema.js';

const op = (
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: OpSchema['attributes'],
  sinceVersion: number,
): OpSchema => ({ opType, domain: '', category: 'shape', inputs, outputs, attributes, sinceVersion });

export const selectSchemas: readonly OpSchema[] = [
  op('Compress', ['input', 'condition'], ['output'], { axis: { type: 'int' } }, 9),
  op('NonZero', ['X'], ['Y'], {}, 9),
  op(
    'Unique',
    ['X'],
    ['Y', 'indices?', 'inverse_indices?', 'counts?'],
    { axis: { type: 'int' }, sorted: { type: 'int', default: 1 } },
    11,
  ),
  op(
    'NonMaxSuppression',
    ['boxes', 'scores', 'max_output_boxes_per_class?', 'iou_threshold?', 'score_threshold?'],
    ['selected_indices'],
    { center_point_box: { type: 'int', default: 0 } },
    10,
  ),
  op(
    'ReverseSequence',
    ['input', 'sequence_lens'],
    ['Y'],
    { batch_axis: { type: 'int', default: 1 }, time_axis: { type: 'int', default: 0 } },
    10,
  ),
  op('CenterCropPad', ['input_data', 'shape'], ['output_data'], { axes: { type: 'ints' } }, 18),
];
