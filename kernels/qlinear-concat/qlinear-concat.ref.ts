// com.microsoft QLinearConcat with onnxruntime CPU's arithmetic (contrib qlinear_concat.cc).
// Each input (x, xs, zx) is copied as is when xs == ys and zx == zy (f32 equality), and otherwise
// mapped through a 256-entry table: table[q] = quantize(f32(xs * (q - zx)), ys, zy), the quantize
// being QuantizeLinear's (f32 division, ties to even, saturate). Then a plain concat along `axis`.
import { applyLookupTable, buildLookupTable } from '../qlinear-elementwise/qlinear-elementwise.ref.js';

type QData = Int8Array | Uint8Array;

export interface QConcatInput {
  readonly data: QData;
  readonly dims: readonly number[];
  readonly scale: number;
  readonly zeroPoint: number;
}

export interface QLinearConcatParams {
  readonly inputs: readonly QConcatInput[];
  /** Already normalized to [0, rank). */
  readonly axis: number;
  readonly yScale: number;
  readonly yZeroPoint: number;
}

/** An input requantized to the output's scale and zero point (or itself when they match). */
export function requantizeConcatInput(t: QConcatInput, yScale: number, yZeroPoint: number): QData {
  if (Math.fround(t.scale) === Math.fround(yScale) && t.zeroPoint === yZeroPoint) return t.data;
  const dtype = t.data instanceof Int8Array ? 'int8' : 'uint8';
  const table = buildLookupTable((v) => v, dtype, t.scale, t.zeroPoint, yScale, yZeroPoint);
  return applyLookupTable(t.data, table);
}

export function qlinearConcat(p: QLinearConcatParams): { data: QData; dims: number[] } {
  if (p.inputs.length === 0) throw new Error('QLinearConcat needs at least one input');
  const first = p.inputs[0];
  const rank = first.dims.length;
  const signed = first.data instanceof Int8Array;
  for (const t of p.inputs) {
    if (t.data instanceof Int8Array !== signed) throw new Error('QLinearConcat inputs mix int8 and uint8');
    if (t.dims.length !== rank) throw new Error('QLinearConcat inputs differ in rank');
    for (let a = 0; a < rank; a++) {
      if (a !== p.axis && t.dims[a] !== first.dims[a]) {
        throw new Error(
          `QLinearConcat input dims [${t.dims}] do not match [${first.dims}] off axis ${p.axis}`,
        );
      }
    }
  }
  const dims = [...first.dims];
  dims[p.axis] = p.inputs.reduce((s, t) => s + t.dims[p.axis], 0);
  const outer = dims.slice(0, p.axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(p.axis + 1).reduce((a, b) => a * b, 1);
  const outPitch = dims[p.axis] * inner;
  const out = signed ? new Int8Array(outer * outPitch) : new Uint8Array(outer * outPitch);
  let offset = 0;
  for (const t of p.inputs) {
    const pitch = t.dims[p.axis] * inner;
    const data = requantizeConcatInput(t, p.yScale, p.yZeroPoint);
    for (let o = 0; o < outer; o++) out.set(data.subarray(o * pitch, (o + 1) * pitch), o * outPitch + offset);
    offset += pitch;
  }
  return { data: out, dims };
}
