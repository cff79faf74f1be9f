// Encoding to FLOAT8E8M0 (an 8-bit power of two, 2^(code - 127), 0xFF = NaN; no sign, no zero)
// exactly as ONNX's reference (onnx.numpy_helper.to_float8e8m0): the value is taken as float32 and
// its exponent field kept, the sign dropped; round_mode 'up' adds one when any fraction bit is set,
// 'down' truncates, 'nearest' adds one when the first fraction bit is set and (for subnormals,
// whose exponent field is 0) a later one too. NaN and infinities give 0xFF; so does rounding up
// from 2^127 unless `saturate` keeps it at 0xFE.

export type E8M0RoundMode = 'up' | 'down' | 'nearest';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function encodeFloat8E8M0(value: number, saturate: boolean, roundMode: E8M0RoundMode): number {
  f32[0] = value;
  const bits = u32[0];
  const exponent = (bits >>> 23) & 0xff;
  if (exponent === 0xff) return 0xff;
  let up = false;
  if (roundMode === 'up') up = (bits & 0x7fffff) !== 0;
  else if (roundMode === 'nearest') {
    const g = (bits & 0x400000) !== 0;
    const r = (bits & 0x200000) !== 0;
    const s = (bits & 0x1fffff) !== 0;
    up = g && (r || s || exponent > 0);
  } else if (roundMode !== 'down') throw new Error(`unsupported FLOAT8E8M0 round_mode '${roundMode}'`);
  if (up && saturate && exponent === 0xfe) up = false;
  return up ? exponent + 1 : exponent;
}
