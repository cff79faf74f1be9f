// GridSample and the scatter / gather-by-coordinates ops. Category 'shape' as Resize and Gather:
// they move (GridSample interpolates) existing values. GridSample's default mode is named
// 'bilinear' at opset 16-19 and 'linear' from 20, so the op supplies it, not this table.
import type { OpSchema } from '../op-schema.js';

const op = (
  opType: string,
  inputs: readonly string[],
  attributes: OpSchema['attributes'],
  sinceVersion: number,
): OpSchema => ({
  opType,
  domain: '',
  category: 'shape',
  inputs,
  outputs: ['output'],
  attributes,
  sinceVersion,
});

export const scatterSchemas: readonly OpSchema[] = [
  op(
    'GridSample',
    ['X', 'grid'],
    {
      mode: { type: 'string' },
      padding_mode: { type: 'string', default: 'zeros' },
      align_corners: { type: 'int', default: 0 },
    },
    16,
  ),
  // reduction from opset 16 (none/add/mul), max/min from 18.
  op(
    'ScatterElements',
    ['data', 'indices', 'updates'],
    { axis: { type: 'int', default: 0 }, reduction: { type: 'string', default: 'none' } },
    11,
  ),
  // Deprecated at opset 11 in favour of ScatterElements (same meaning).
  op('Scatter', ['data', 'indices', 'updates'], { axis: { type: 'int', default: 0 } }, 9),
  op('ScatterND', ['data', 'indices', 'updates'], { reduction: { type: 'string', default: 'none' } }, 11),
  // batch_dims from opset 12.
  op('GatherND', ['data', 'indices'], { batch_dims: { type: 'int', default: 0 } }, 11),
];
