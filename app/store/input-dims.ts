// The symbolic input dimensions of a model as the page shows and edits them: each name with the
// size it takes now, its default and where that default comes from. Pure functions; the store
// keeps the list (./actions-dims.ts) and Run and random calibration data read it.
import type { Graph } from '../model/ir.js';
import { symbolicInputDims } from '../model/shape-inference.js';
import { bindSymbolicDims } from './quant-data.js';

/** Where a dimension's default comes from, said next to it. */
export type DimSource = 'batch' | 'spatial' | 'other' | 'data';

export interface InputDim {
  readonly name: string;
  readonly value: number;
  readonly defaultValue: number;
  readonly source: DimSource;
  /** Set by the person: implied sizes (from calibration data) no longer replace it. */
  readonly edited: boolean;
}

/** The largest size the page accepts for one dimension (a typo like 22400 should not hang it). */
export const MAX_DIM = 8192;

/**
 * Each symbolic dim of the graph inputs with its default: the first place it appears decides,
 * by bindSymbolicDims's rule (batch = 1, the spatial dims of an image input 224, others 1).
 */
export function defaultInputDims(graph: Graph): InputDim[] {
  const bound = bindSymbolicDims(graph);
  const out = new Map<string, InputDim>();
  graph.inputs.forEach((input, k) => {
    input.dims?.forEach((d, axis) => {
      if (typeof d !== 'string' || out.has(d)) return;
      const value = Number(bound.inputs[k].dims?.[axis] ?? 1);
      const source: DimSource = axis === 0 ? 'batch' : value === 224 ? 'spatial' : 'other';
      out.set(d, { name: d, value, defaultValue: value, source, edited: false });
    });
  });
  // symbolicInputDims skips inputs that are initializers (they have values, not sizes to choose).
  const names = new Set(symbolicInputDims(graph));
  return [...out.values()].filter((d) => names.has(d.name));
}

export function dimBindings(dims: readonly InputDim[]): Record<string, number> {
  return Object.fromEntries(dims.map((d) => [d.name, d.value]));
}

/** "N=1, H=224, W=224" */
export function describeDims(dims: readonly InputDim[]): string {
  return dims.map((d) => `${d.name}=${d.value}`).join(', ');
}

/** The pointer a shape failure ends with: "set the input dimensions: N, H, W". */
export function dimsHint(dims: readonly InputDim[]): string {
  return `set the input dimensions: ${dims.map((d) => d.name).join(', ')}`;
}

/**
 * Sizes to retry shape inference with when it fails at the chosen ones: the defaults, and every
 * non-batch dim at 512. When one infers, the failure was the sizes' fault (a pooling on H = 1),
 * not the model's (an op without a shape function).
 */
export function dimProbes(dims: readonly InputDim[]): Record<string, number>[] {
  return [
    Object.fromEntries(dims.map((d) => [d.name, d.defaultValue])),
    Object.fromEntries(dims.map((d) => [d.name, d.source === 'batch' ? 1 : 512])),
  ];
}

/** The shape-failure check for these dims (none without symbolic dims). */
export function dimsCheck(
  dims: readonly InputDim[],
): { probes: Record<string, number>[]; hint: string } | null {
  return dims.length ? { probes: dimProbes(dims), hint: dimsHint(dims) } : null;
}

/** Sizes the calibration data implies replace the defaults of the dims nobody edited. */
export function withImplied(
  dims: readonly InputDim[],
  implied: Readonly<Record<string, number>>,
): InputDim[] {
  return dims.map((d) =>
    !d.edited && Object.hasOwn(implied, d.name) && d.source !== 'batch'
      ? { ...d, value: implied[d.name], defaultValue: implied[d.name], source: 'data' }
      : d,
  );
}

/** A typed size: a whole number 1..MAX_DIM, else an Error saying so. */
export function parseDimSize(name: string, text: string): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(v) || v < 1 || v > MAX_DIM)
    throw new Error(
      `input dimension ${name} must be a whole number from 1 to ${MAX_DIM}, not "${text.trim()}"`,
    );
  return v;
}
