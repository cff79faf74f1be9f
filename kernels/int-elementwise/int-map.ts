// Host for int-map.wgsl: the integer element-wise ops on the GPU, exact against their CPU
// references (broadcast-ops.ref.ts, elementwise.ref.ts, unary.ref.ts, activation.ref.ts's clip).
// Comparisons (int32 / uint32 / int8 / uint8 / int64, and bool for Equal) into bool; Add / Sub /
// Mul / Div / Max / Min / Neg / Abs / Sign on int32 / uint32 / int8 / uint8 / int64 (wrapping as the
// typed arrays store the reference's results; Div truncates toward zero, min / -1 wraps to min, a
// zero divisor sets the error word); Clip with bounds fed at run time (those types and float32:
// `v < lo ? lo : v`, then `v > hi ? hi : v`, as the reference compares, so NaN and -0 pass
// through); Where over int64 word pairs. Tests: tests/gpu/int-elementwise.test.ts.
import { broadcastShapes } from '../broadcast/broadcast.js';
import { broadcastTable, loadBroadcastTemplate } from '../broadcast-ops/broadcast-ops.js';
import type { GpuContext } from '../gpu/device.js';
import { type CheckedKernel, checkedKernel, createErrorWord } from '../gpu/error-word.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';

const WORKGROUP_SIZE = 64;

export type IntMapDType = 'int32' | 'uint32' | 'int8' | 'uint8' | 'bool' | 'int64' | 'float32';
export const COMPARE_OPS = ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual'] as const;
export const ARITH_OPS = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min'] as const;
export const UNARY_INT_OPS = ['Neg', 'Abs', 'Sign'] as const;
export type IntMapOp =
  | (typeof COMPARE_OPS)[number]
  | (typeof ARITH_OPS)[number]
  | (typeof UNARY_INT_OPS)[number]
  | 'Clip'
  | 'Where';

export interface IntMapParams {
  readonly op: IntMapOp;
  /** The dtype of the operands (Where: of X and Y). */
  readonly dtype: IntMapDType;
  /** Dims per input slot; undefined for an absent Clip bound. Clip's bounds are scalars: []. */
  readonly dims: readonly (readonly number[] | undefined)[];
}

type Kind = 'word' | 'byte' | 'pair';
const kindOf = (dtype: IntMapDType): Kind =>
  dtype === 'int64' ? 'pair' : dtype === 'int8' || dtype === 'uint8' || dtype === 'bool' ? 'byte' : 'word';

function loader(k: number, kind: Kind | undefined): string {
  // An unused input is still read (times 0): an 'auto' layout drops bindings the code never uses.
  const load =
    kind === 'pair'
      ? `vec2<u32>(in${k}[2u * j], in${k}[2u * j + 1u])`
      : kind === 'byte'
        ? `vec2<u32>(byte_of(in${k}[j >> 2u], j), 0u)`
        : kind === 'word'
          ? `vec2<u32>(in${k}[j], 0u)`
          : `vec2<u32>(in${k}[0] * 0u, 0u)`;
  return `fn load${k}(j: u32) -> vec2<u32> { return ${load}; }`;
}

const CMP: Record<string, string> = { Less: '<', LessOrEqual: '<=', Greater: '>', GreaterOrEqual: '>=' };

/** The body of `fn element(ra, rb, rc) -> vec2<u32>` for 64-bit operands. */
function body64(op: IntMapOp, present: readonly boolean[]): string {
  const bool = (e: string) => `return vec2<u32>(select(0u, 1u, ${e}), 0u);`;
  switch (op) {
    case 'Equal':
      return bool('eq64(ra, rb)');
    case 'Less':
      return bool('lt64(ra, rb)');
    case 'LessOrEqual':
      return bool('!lt64(rb, ra)');
    case 'Greater':
      return bool('lt64(rb, ra)');
    case 'GreaterOrEqual':
      return bool('!lt64(ra, rb)');
    case 'Add':
      return 'return add64(ra, rb);';
    case 'Sub':
      return 'return sub64(ra, rb);';
    case 'Mul':
      return 'return mul64(ra, rb);';
    case 'Div':
      return 'if (rb.x == 0u && rb.y == 0u) { err[0] = 1u; return vec2<u32>(0u, 0u); } return div64(ra, rb);';
    case 'Max':
      return 'return select(rb, ra, lt64(rb, ra));';
    case 'Min':
      return 'return select(rb, ra, lt64(ra, rb));';
    case 'Neg':
      return 'return neg64(ra);';
    case 'Abs':
      return 'return select(ra, neg64(ra), is_neg64(ra));';
    case 'Sign':
      return 'if (eq64(ra, vec2<u32>(0u, 0u))) { return ra; } return select(vec2<u32>(1u, 0u), vec2<u32>(0xffffffffu, 0xffffffffu), is_neg64(ra));';
    case 'Clip':
      return [
        'var v = ra;',
        present[1] ? 'if (lt64(v, rb)) { v = rb; }' : '',
        present[2] ? 'if (lt64(rc, v)) { v = rc; }' : '',
        'return v;',
      ].join(' ');
    case 'Where':
      return 'return select(rc, rb, ra.x != 0u);';
  }
}

/** The body of `fn element` for 32-bit, 8-bit, bool or float32 operands. */
function body32(op: IntMapOp, dtype: IntMapDType, present: readonly boolean[]): string {
  const narrow = dtype === 'int8' || dtype === 'uint8' || dtype === 'bool';
  const mask = narrow ? '0xffu' : '0xffffffffu';
  const signed = dtype === 'int32' || dtype === 'int8';
  // Typed values of the raw elements: i32 (sign-extended bytes), u32, or f32.
  const val = (r: string) =>
    dtype === 'float32'
      ? `bitcast<f32>(${r}.x)`
      : dtype === 'int8'
        ? `sx8(${r}.x)`
        : dtype === 'int32'
          ? `bitcast<i32>(${r}.x)`
          : `${r}.x`;
  const raw = (e: string) => (dtype === 'float32' || signed ? `bitcast<u32>(${e})` : e);
  const out = (e: string) => `return vec2<u32>((${e}) & ${mask}, 0u);`;
  const head = `let x = ${val('ra')}; let y = ${val('rb')}; let z = ${val('rc')};`;
  switch (op) {
    case 'Equal':
      return `${head} return vec2<u32>(select(0u, 1u, ra.x == rb.x), 0u);`;
    case 'Less':
    case 'LessOrEqual':
    case 'Greater':
    case 'GreaterOrEqual':
      return `${head} return vec2<u32>(select(0u, 1u, x ${CMP[op]} y), 0u);`;
    // Two's complement: the low bits of a sum, difference or product do not depend on the sign.
    case 'Add':
      return out('ra.x + rb.x');
    case 'Sub':
      return out('ra.x - rb.x');
    case 'Mul':
      return out('ra.x * rb.x');
    case 'Div': {
      const zero = signed ? '0' : '0u';
      const lines = [head, `if (y == ${zero}) { err[0] = 1u; return vec2<u32>(0u, 0u); }`];
      // x / -1 as a wrapping negation: min / -1 is min, as the reference's typed array stores it.
      if (signed) lines.push(`if (y == -1) { ${out('0u - ra.x')} }`);
      lines.push(out(raw('x / y')));
      return lines.join(' ');
    }
    case 'Max':
      return `${head} ${out(raw('select(y, x, x > y)'))}`;
    case 'Min':
      return `${head} ${out(raw('select(y, x, x < y)'))}`;
    case 'Neg':
      return out('0u - ra.x');
    case 'Abs':
      return signed ? `${head} ${out('select(ra.x, 0u - ra.x, x < 0)')}` : out('ra.x');
    case 'Sign':
      return signed
        ? `${head} ${out('select(select(0u, 1u, x > 0), 0xffffffffu, x < 0)')}`
        : out('select(0u, 1u, ra.x != 0u)');
    case 'Clip':
      return [
        head,
        'var v = x;',
        present[1] ? 'if (v < y) { v = y; }' : '',
        present[2] ? 'if (v > z) { v = z; }' : '',
        out(raw('v')),
      ].join(' ');
    case 'Where':
      return 'return select(rc, rb, ra.x != 0u);';
  }
}

const isCompare = (op: IntMapOp) => (COMPARE_OPS as readonly string[]).includes(op);

/** Input kinds, output kind and `element`'s body. */
function opCode(op: IntMapOp, dtype: IntMapDType, present: readonly boolean[]) {
  const k = kindOf(dtype);
  const inputs: (Kind | undefined)[] = present.map((p) => (p ? k : undefined));
  if (op === 'Where') inputs[0] = 'byte';
  const output: Kind = isCompare(op) ? 'byte' : k;
  const body = dtype === 'int64' ? body64(op, present) : body32(op, dtype, present);
  return { inputs, output, body };
}

export interface PreparedIntMap extends Partial<CheckedKernel> {
  readonly dispatch: PreparedDispatch;
  /** Div only: after the run's last submit, whether a divisor was zero. */
  readonly divisionByZero?: () => Promise<boolean>;
}

/** A dispatch computing the op over `inputs` broadcast together into `out` (Div: with its error word). */
export async function prepareIntMap(
  ctx: GpuContext,
  inputs: readonly (GPUBuffer | undefined)[],
  out: GPUBuffer,
  p: IntMapParams,
): Promise<PreparedIntMap> {
  const present = [0, 1, 2].map((k) => p.dims[k] !== undefined && inputs[k] !== undefined);
  const shapes = p.dims.filter((d): d is readonly number[] => d !== undefined);
  const dims = broadcastShapes(...shapes);
  const count = dims.reduce((s, d) => s * d, 1);
  if (count >= 2 ** 30) throw new Error(`${p.op}: 2^30 elements or more`);
  const { rank, table } = broadcastTable(
    [0, 1, 2].map((k) => p.dims[k] ?? []),
    dims,
  );
  const checked = p.op === 'Div';
  const code = opCode(p.op, p.dtype, present);
  const pl = await getPipeline(ctx, {
    op: 'int-map',
    params: { op: p.op, dtype: p.dtype, present: present.join(','), workgroupSize: WORKGROUP_SIZE },
    build: async (q) => {
      const [int64Math, word64, template] = await Promise.all([
        loadWgsl(new URL('../gpu/wgsl/int64-math.wgsl', import.meta.url)),
        loadWgsl(new URL('../gpu/wgsl/word64.wgsl', import.meta.url)),
        loadBroadcastTemplate(new URL('./int-map.wgsl', import.meta.url)),
      ]);
      const c = opCode(
        q.op as IntMapOp,
        q.dtype as IntMapDType,
        (q.present as string).split(',').map((s) => s === 'true'),
      );
      const withError = q.op === 'Div';
      const wgsl = template
        .replace(
          '//ERROR',
          withError ? '@group(0) @binding(4) var<storage, read_write> err: array<u32>;' : '',
        )
        .replace('PARAMS_BINDING', withError ? '5' : '4')
        .replace('TABLE_BINDING', withError ? '6' : '5')
        .replace('//LOADERS', [0, 1, 2].map((k) => loader(k, c.inputs[k])).join('\n'))
        .replace(
          '//ELEMENT',
          `fn element(ra: vec2<u32>, rb: vec2<u32>, rc: vec2<u32>) -> vec2<u32> { ${c.body} }`,
        );
      return {
        code: `${int64Math}\n${word64}\n${wgsl}`,
        entryPoint: `${c.output}_main`,
        constants: { WORKGROUP_SIZE: q.workgroupSize },
      };
    },
  });
  const first = inputs.find((b): b is GPUBuffer => b !== undefined);
  if (!first) throw new Error(`${p.op}: no input`);
  const buffers = [0, 1, 2].map((k) => (present[k] ? inputs[k]! : first));
  const threads = code.output === 'byte' ? Math.ceil(count / 4) : count;
  const grid = elementGrid(ctx, threads, WORKGROUP_SIZE);
  const uniform = uniformWords([count, rank, 0, 0]);
  if (!checked) {
    const dispatch = prepareDispatch(
      ctx,
      `int-map.${p.op}`,
      pl,
      { buffers: [...buffers, out], uniform, table },
      grid,
    );
    return { dispatch };
  }
  const error = createErrorWord(ctx, 'int-map.Div');
  const dispatch = prepareDispatch(
    ctx,
    `int-map.${p.op}`,
    pl,
    { buffers: [...buffers, out, error.buffer], uniform, table },
    grid,
  );
  return {
    dispatch,
    ...checkedKernel(error, [dispatch], 'int-map.Div'),
    divisionByZero: () => error.raised(),
  };
}
