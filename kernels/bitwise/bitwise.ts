// BitShift and BitwiseAnd / Or / Xor / Not on the GPU for the integer types the GPU holds:
// int32 / uint32 (32-bit words) and int8 / uint8 (bytes packed 4 to a word). They run as element
// maps through the broadcasting template kernels/broadcast-ops/broadcast-ops.wgsl (numpy
// broadcasting by a stride table, byte outputs written a word at a time); this file writes each
// op's `element` body on raw elements, matching broadcast-ops.ref.ts exactly: results masked to
// the type's width (as the typed arrays store them), BitShift by a negative amount or by the
// width or more giving the sign fill (-1 for a negative x shifted right, else 0), signed right
// shifts arithmetic. Tests: tests/gpu/bitwise.test.ts.
import { broadcastShapes } from '../broadcast/broadcast.js';
import { broadcastModule, broadcastTable, loadBroadcastTemplate } from '../broadcast-ops/broadcast-ops.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';

const WORKGROUP_SIZE = 64;

export type BitwiseOp =
  | 'BitShiftLeft'
  | 'BitShiftRight'
  | 'BitwiseAnd'
  | 'BitwiseOr'
  | 'BitwiseXor'
  | 'BitwiseNot';
export type BitwiseDType = 'int32' | 'uint32' | 'int8' | 'uint8';
export const BITWISE_GPU_DTYPES: readonly string[] = ['int32', 'uint32', 'int8', 'uint8'];

/** The body of `fn element(ra, rb, rc) -> u32` for an op on raw elements of `dtype`. */
function elementBody(op: BitwiseOp, dtype: BitwiseDType): string {
  const width = dtype.endsWith('8') ? 8 : 32;
  const mask = width === 8 ? '0xffu' : '0xffffffffu';
  const signed = !dtype.startsWith('u');
  switch (op) {
    case 'BitwiseAnd':
      return `return (ra & rb) & ${mask};`;
    case 'BitwiseOr':
      return `return (ra | rb) & ${mask};`;
    case 'BitwiseXor':
      return `return (ra ^ rb) & ${mask};`;
    case 'BitwiseNot':
      return `return (~ra) & ${mask};`;
  }
  const left = op === 'BitShiftLeft';
  if (!signed) {
    // Unsigned amounts are never negative; past the width nothing is left.
    const shifted = left ? 'ra << rb' : 'ra >> rb';
    return `if (rb >= ${width}u) { return 0u; } return (${shifted}) & ${mask};`;
  }
  // Signed: the values sign-extended to i32 (bytes from their low 8 bits).
  const ext = (r: string) => (width === 8 ? `(bitcast<i32>(${r} << 24u) >> 24u)` : `bitcast<i32>(${r})`);
  const shifted = left ? 'x << u32(y)' : 'x >> u32(y)';
  return [
    `let x = ${ext('ra')};`,
    `let y = ${ext('rb')};`,
    `if (y < 0 || y >= ${width}) { return select(0u, ${mask}, ${left ? 'false' : 'x < 0'}); }`,
    `return bitcast<u32>(${shifted}) & ${mask};`,
  ].join(' ');
}

/** A dispatch computing `op` over `inputs` (1 for Not, else 2) broadcast together into `out`. */
export async function prepareBitwise(
  ctx: GpuContext,
  inputs: readonly GPUBuffer[],
  out: GPUBuffer,
  op: BitwiseOp,
  dtype: BitwiseDType,
  inputDims: readonly (readonly number[])[],
): Promise<PreparedDispatch> {
  const arity = op === 'BitwiseNot' ? 1 : 2;
  if (inputs.length !== arity || inputDims.length !== arity)
    throw new Error(`${op} takes ${arity} inputs, got ${inputs.length}`);
  const dims = broadcastShapes(...inputDims);
  const count = dims.reduce((s, d) => s * d, 1);
  if (count >= 2 ** 31) throw new Error(`${op}: 2^31 elements or more`);
  const { rank, table } = broadcastTable(inputDims, dims);
  const kind = dtype.endsWith('8') ? 'byte' : 'word';
  const pl = await getPipeline(ctx, {
    op: 'bitwise',
    params: { op, dtype, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => {
      const body = await loadBroadcastTemplate(
        new URL('../broadcast-ops/broadcast-ops.wgsl', import.meta.url),
      );
      const k = q.dtype.endsWith('8') ? 'byte' : 'word';
      const n = q.op === 'BitwiseNot' ? 1 : 2;
      const kinds = [0, 1, 2].map((i) => (i < n ? k : undefined));
      return {
        code: broadcastModule(body, kinds, elementBody(q.op as BitwiseOp, q.dtype as BitwiseDType)),
        entryPoint: k === 'byte' ? 'byte_main' : 'word_main',
        constants: { WORKGROUP_SIZE: q.workgroupSize },
      };
    },
  });
  const buffers = [0, 1, 2].map((k) => inputs[k] ?? inputs[0]);
  return prepareDispatch(
    ctx,
    `bitwise.${op}`,
    pl,
    { buffers: [...buffers, out], uniform: uniformWords([count, rank, 0, 0]), table },
    elementGrid(ctx, kind === 'byte' ? Math.ceil(count / 4) : count, WORKGROUP_SIZE),
  );
}
