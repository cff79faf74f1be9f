// Host for broadcast-ops.wgsl: the broadcasting table ops (broadcast-ops.ref.ts) on f32 inputs
// (comparisons into bool), And/Or/Xor/Not on bool, and Where over 32-bit or 8-bit values. Each
// op's WGSL comes from the table; Where and Not are written here as raw-element maps (Where copies
// the chosen element's bits, so it is exact for every 32-bit and 8-bit dtype).
// Tests: tests/gpu/float-broadcast-table.test.ts.
import { broadcastShapes, broadcastStrides } from '../broadcast/broadcast.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { BROADCAST_TABLE, type BroadcastName } from './broadcast-ops.ref.js';

const WORKGROUP_SIZE = 64;

/** How an input or the output is stored: 32-bit words, or bytes packed 4 to a word. */
export type ElementKind = 'word' | 'byte';

/** IsNaN / IsInf (both signs, + only, - only) of f32 words into bool, by bit pattern. */
const CLASSIFY = {
  IsNaN: '(ra & 0x7fffffffu) > 0x7f800000u',
  IsInf: '(ra & 0x7fffffffu) == 0x7f800000u',
  IsPosInf: 'ra == 0x7f800000u',
  IsNegInf: 'ra == 0xff800000u',
} as const;
export type ClassifyOp = keyof typeof CLASSIFY;
const isClassify = (op: string): op is ClassifyOp => op in CLASSIFY;

export type MapOp = BroadcastName | 'Where' | 'Not' | ClassifyOp;

export interface MapParams {
  readonly op: MapOp;
  readonly dims: readonly (readonly number[])[];
  /** Where: the kind of X and Y (and of the output); the other ops know their kinds. */
  readonly valueKind?: ElementKind;
}

/** Input kinds, output kind and the body of `element` for an op. */
function opCode(
  op: MapOp,
  valueKind: ElementKind,
): { inputs: ElementKind[]; output: ElementKind; body: string } {
  if (op === 'Where')
    return {
      inputs: ['byte', valueKind, valueKind],
      output: valueKind,
      body: 'return select(rc, rb, ra != 0u);',
    };
  if (op === 'Not') return { inputs: ['byte'], output: 'byte', body: 'return select(0u, 1u, ra == 0u);' };
  if (isClassify(op))
    return { inputs: ['word'], output: 'byte', body: `return select(0u, 1u, ${CLASSIFY[op]});` };
  const def = BROADCAST_TABLE[op];
  if (!def.wgsl) throw new Error(`${op} has no GPU kernel`);
  const input: ElementKind = def.kind === 'logic' ? 'byte' : 'word';
  const read = (r: string) => (input === 'byte' ? `f32(${r})` : `bitcast<f32>(${r})`);
  const result = def.kind === 'numeric' ? 'return bitcast<u32>(r);' : 'return select(0u, 1u, r != 0.0);';
  return {
    inputs: [input, input],
    output: def.kind === 'numeric' ? 'word' : 'byte',
    body: `let a = ${read('ra')}; let b = ${read('rb')}; let r = ${def.wgsl}; ${result}`,
  };
}

/**
 * broadcast-ops.wgsl completed: a loader per input slot 0..2 of the given kinds (undefined: the
 * slot is unused), and `element` as the body of its element function.
 */
/** A broadcasting template (broadcast-ops.wgsl, int-map.wgsl) with broadcast-offsets.wgsl prepended. */
export async function loadBroadcastTemplate(template: URL): Promise<string> {
  const [offsets, body] = await Promise.all([
    loadWgsl(new URL('../gpu/wgsl/broadcast-offsets.wgsl', import.meta.url)),
    loadWgsl(template),
  ]);
  return `${offsets}\n${body}`;
}

export function broadcastModule(
  template: string,
  kinds: readonly (ElementKind | undefined)[],
  element: string,
): string {
  const loaders = [0, 1, 2].map((k) => loader(k, kinds[k])).join('\n');
  return template
    .replace('//LOADERS', loaders)
    .replace('//ELEMENT', `fn element(ra: u32, rb: u32, rc: u32) -> u32 { ${element} }`);
}

function loader(k: number, kind: ElementKind | undefined): string {
  // An unused input is still read (times 0): an 'auto' layout drops bindings the code never uses.
  const load =
    kind === 'byte' ? `byte_of(in${k}[j >> 2u], j)` : kind === 'word' ? `in${k}[j]` : `in${k}[0] * 0u`;
  return `fn load${k}(j: u32) -> u32 { return ${load}; }`;
}

/**
 * broadcast-ops.wgsl's rank word and stride table for inputs of `inputDims` (up to 3) broadcast to
 * `dims`: rank 0 (and a placeholder table) when no input broadcasts.
 */
export function broadcastTable(
  inputDims: readonly (readonly number[])[],
  dims: readonly number[],
): { rank: number; table: Int32Array } {
  const plain = inputDims.every((d) => d.length === dims.length && d.every((x, k) => x === dims[k]));
  const rank = plain ? 0 : dims.length;
  const strides = [0, 1, 2].map((k) =>
    k < inputDims.length ? broadcastStrides(inputDims[k], dims) : dims.map(() => 0),
  );
  const table = plain ? new Int32Array(1) : Int32Array.from([...dims, ...strides.flat()]);
  return { rank, table };
}

/** A dispatch computing the op over `inputs` broadcast together into `out`; returns the output dims. */
export async function prepareBroadcastMap(
  ctx: GpuContext,
  inputs: readonly GPUBuffer[],
  out: GPUBuffer,
  p: MapParams,
): Promise<{ dispatch: PreparedDispatch; dims: number[] }> {
  const code = opCode(p.op, p.valueKind ?? 'word');
  if (inputs.length !== code.inputs.length || p.dims.length !== inputs.length)
    throw new Error(`${p.op} takes ${code.inputs.length} inputs, got ${inputs.length}`);
  const dims = broadcastShapes(...p.dims);
  const count = dims.reduce((s, d) => s * d, 1);
  const { rank, table } = broadcastTable(p.dims, dims);
  const byteOut = code.output === 'byte';
  const pl = await getPipeline(ctx, {
    op: 'broadcast-map',
    params: { op: p.op, valueKind: p.valueKind ?? 'word', workgroupSize: WORKGROUP_SIZE },
    build: async (q) => {
      const [math, fmod, body] = await Promise.all([
        loadWgsl(new URL('../gpu/wgsl/float-math.wgsl', import.meta.url)),
        loadWgsl(new URL('./fmod.wgsl', import.meta.url)),
        loadBroadcastTemplate(new URL('./broadcast-ops.wgsl', import.meta.url)),
      ]);
      const c = opCode(q.op as MapOp, q.valueKind as ElementKind);
      return {
        code: `${math}\n${fmod}\n${broadcastModule(body, c.inputs, c.body)}`,
        entryPoint: c.output === 'byte' ? 'byte_main' : 'word_main',
        constants: { WORKGROUP_SIZE: q.workgroupSize },
      };
    },
  });
  const buffers = [0, 1, 2].map((k) => inputs[k] ?? inputs[0]);
  const threads = byteOut ? Math.ceil(count / 4) : count;
  const dispatch = prepareDispatch(
    ctx,
    `broadcast-map.${p.op}`,
    pl,
    { buffers: [...buffers, out], uniform: uniformWords([count, rank, 0, 0]), table },
    elementGrid(ctx, threads, WORKGROUP_SIZE),
  );
  return { dispatch, dims };
}
