// Host for einsum.wgsl: compiles an Einsum equation at plan time into the reference's layout
// (einsumLayout in einsum.ref.ts: the same labels, order and strides) and prepares one dispatch,
// one invocation per output element. f32 (products and sums in f32: within a stated tolerance
// of the f64 reference), i32 and u32 (wrapping products and sums: exact while the reference's
// f64 sums are, |terms| below 2^53). Tests: tests/gpu/einsum-topk.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { type EinsumLayout, einsumLayout } from './einsum.ref.js';

const WORKGROUP_SIZE = 64;
/** The kernel's index array (function scope, fixed size). */
export const EINSUM_MAX_LABELS = 16;

/** The bindings and the product of the operands, left to right as the reference multiplies. */
function operandCode(operands: number, type: string): string {
  const lines = [`alias T = ${type};`, `const OPERANDS: u32 = ${operands}u;`];
  for (let k = 0; k < operands; k++)
    lines.push(`@group(0) @binding(${k}) var<storage, read> x${k}: array<T>;`);
  lines.push(
    `@group(0) @binding(${operands}) var<storage, read_write> y: array<T>;`,
    `@group(0) @binding(${operands + 1}) var<uniform> P: Params;`,
    `@group(0) @binding(${operands + 2}) var<storage, read> table: array<i32>;`,
    `fn product(off: array<u32, OPERANDS>) -> T {`,
    `  return ${Array.from({ length: operands }, (_, k) => `x${k}[off[${k}]]`).join(' * ')};`,
    '}',
  );
  return lines.join('\n');
}

/**
 * Why the kernel cannot run this Einsum (undefined when it can): more labels than
 * EINSUM_MAX_LABELS, more operands than storage bindings, 2^31 elements; an equation the
 * reference refuses.
 */
export function einsumGpuRefusal(
  ctx: GpuContext,
  equation: string,
  inputDims: readonly (readonly number[])[],
): string | undefined {
  let layout: EinsumLayout;
  try {
    layout = einsumLayout(equation, inputDims);
  } catch (e) {
    return (e as Error).message;
  }
  if (layout.all.length > EINSUM_MAX_LABELS)
    return `Einsum with ${layout.all.length} labels: the kernel takes ${EINSUM_MAX_LABELS}`;
  if (inputDims.length + 2 > ctx.device.limits.maxStorageBuffersPerShaderStage)
    return `Einsum with ${inputDims.length} operands: too many storage bindings`;
  const sizes = [layout.outSize, layout.sumSize, ...inputDims.map((d) => d.reduce((p, x) => p * x, 1))];
  if (sizes.some((n) => n >= 2 ** 31)) return 'Einsum: 2^31 elements or more';
  return undefined;
}

/** Einsum of `inputs` (dims per operand, all of `dtype`) into `y`; throws what einsumGpuRefusal says. */
export async function prepareEinsum(
  ctx: GpuContext,
  equation: string,
  inputs: readonly GPUBuffer[],
  inputDims: readonly (readonly number[])[],
  y: GPUBuffer,
  dtype: 'float32' | 'int32' | 'uint32',
): Promise<PreparedDispatch> {
  const refusal = einsumGpuRefusal(ctx, equation, inputDims);
  if (refusal) throw new Error(refusal);
  const layout = einsumLayout(equation, inputDims);
  const operands = inputs.length;
  const type = { float32: 'f32', int32: 'i32', uint32: 'u32' }[dtype];
  const pipeline = await getPipeline(ctx, {
    op: 'einsum',
    params: { workgroupSize: WORKGROUP_SIZE, operands, type },
    build: async (q) => ({
      code: (await loadWgsl(new URL('./einsum.wgsl', import.meta.url))).replace(
        '// @operands',
        operandCode(q.operands, q.type),
      ),
      constants: { WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  const table = new Int32Array([...layout.dims, ...layout.strides.flat()]);
  return prepareDispatch(
    ctx,
    'einsum',
    pipeline,
    {
      buffers: [...inputs, y],
      uniform: uniformWords([layout.outSize, layout.sumSize, layout.all.length, layout.outLabels.length]),
      table,
    },
    elementGrid(ctx, layout.outSize, WORKGROUP_SIZE),
  );
}
