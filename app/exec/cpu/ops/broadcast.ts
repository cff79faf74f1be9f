// Broadcasting table ops on the CPU: thin adapters over kernels/broadcast-ops/broadcast-ops.ref.ts.
import {
  bitShiftRef,
  bitwiseNotRef,
  type BroadcastName,
  broadcastRef,
  notRef,
  preluRef,
  variadicRef,
  whereRef,
} from '../../../../kernels/broadcast-ops/broadcast-ops.ref.js';
import { isFloatDType } from '../../../../kernels/activation/float-io.js';
import type { Tensor } from '../../../../kernels/tensor.js';
import { attrInt, attrString } from '../../../model/attributes.js';
import { ModelError } from '../../../model/errors.js';
import type { GraphNode } from '../../../model/ir.js';
import type { CpuOp, OpTable } from '../op-types.js';
import { opKey, required } from '../op-types.js';

const binary =
  (name: BroadcastName): CpuOp =>
  (ctx) => [broadcastRef(name, required(ctx, 0), required(ctx, 1))];

const variadic =
  (op: 'Max' | 'Min' | 'Mean'): CpuOp =>
  (ctx) => [
    variadicRef(
      op,
      ctx.inputs.filter((t): t is Tensor => t !== undefined),
    ),
  ];

/**
 * Mod's table entry: fmod = 1 is C's fmod; fmod = 0 is Python's % (the divisor's sign), which
 * opsets before 28 allow on integers only and opset 28 defines for floats too.
 */
export function modName(node: GraphNode, dtype: Tensor['dtype'], opset: number): 'Fmod' | 'Mod' {
  const fmod = attrInt(node, 'fmod');
  if (fmod !== 0 && fmod !== 1)
    throw new ModelError(`node '${node.name}' (Mod): fmod must be 0 or 1, got ${fmod}`);
  if (fmod === 0 && isFloatDType(dtype) && opset < 28)
    throw new ModelError(
      `node '${node.name}' (Mod): fmod = 0 is not supported for ${dtype} before opset 28 (the ONNX spec asks fmod = 1)`,
    );
  return fmod === 1 ? 'Fmod' : 'Mod';
}

export const broadcastOps: OpTable = {
  [opKey('', 'PRelu')]: (ctx) => [preluRef(required(ctx, 0), required(ctx, 1), ctx.opset < 7)],
  [opKey('', 'Max')]: variadic('Max'),
  [opKey('', 'Min')]: variadic('Min'),
  [opKey('', 'Mean')]: variadic('Mean'),
  [opKey('', 'Mod')]: (ctx) => {
    const a = required(ctx, 0);
    return [broadcastRef(modName(ctx.node, a.dtype, ctx.opset), a, required(ctx, 1))];
  },
  ...Object.fromEntries(
    (['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor'] as const).map((op) => [
      opKey('', op),
      binary(op),
    ]),
  ),
  [opKey('', 'Not')]: (ctx) => [notRef(required(ctx, 0))],
  [opKey('', 'BitShift')]: (ctx) => {
    const a = required(ctx, 0);
    const dir = attrString(ctx.node, 'direction');
    if (dir !== 'LEFT' && dir !== 'RIGHT')
      throw new ModelError(
        `node '${ctx.node.name}' (BitShift): direction must be LEFT or RIGHT, got '${dir}'`,
      );
    // Opset 28 added the signed types (arithmetic right shifts).
    const types = ctx.opset >= 28 ? ['int8', 'int16', 'int32', 'int64'] : [];
    if (![...types, 'uint8', 'uint16', 'uint32', 'uint64'].includes(a.dtype))
      throw new ModelError(
        `node '${ctx.node.name}' (BitShift) at opset ${ctx.opset} does not take ${a.dtype}`,
      );
    return [bitShiftRef(a, required(ctx, 1), dir === 'LEFT')];
  },
  ...Object.fromEntries(
    (['BitwiseAnd', 'BitwiseOr', 'BitwiseXor'] as const).map((op) => [
      opKey('', op),
      (ctx: Parameters<CpuOp>[0]) => {
        const a = required(ctx, 0);
        if (isFloatDType(a.dtype) || a.dtype === 'bool')
          throw new ModelError(`node '${ctx.node.name}' (${op}) takes integers, got ${a.dtype}`);
        return [broadcastRef(op, a, required(ctx, 1))];
      },
    ]),
  ),
  [opKey('', 'BitwiseNot')]: (ctx) => [bitwiseNotRef(required(ctx, 0))],
  [opKey('', 'Where')]: (ctx) => [whereRef(required(ctx, 0), required(ctx, 1), required(ctx, 2))],
};
