// float32 ConvTranspose in onnxruntime's CPU order (core/providers/cpu/nn/conv_transpose.cc), so
// that a quantized decoder's DequantizeLinear -> ConvTranspose -> QuantizeLinear (which onnxruntime
// 1.30 keeps in float at every optimization level: there is no QLinearConvTranspose on its CPU
// provider) requantizes to the same integers. Per image and group:
// - a GEMM col[M, N] = W_g^T X_g with M = outPerGroup x kernel taps, N = input positions,
//   K = input channels per group (MLAS SGEMM, replayed by kernels/matmul/matmul.ref.ts). A constant
//   W (an initializer) is prepacked transposed, so the GEMM reads it untransposed; a W computed by
//   the graph (a DequantizeLinear) is read transposed. The two differ in MLAS's K blocking.
// - Col2im: the output zeroed, then every (channel, kernel tap) row of col added in tap order, so
//   each output element sums its taps in ascending kernel order, one f32 add each;
// - the bias added last (one f32 add).
import { mlasGemm } from '../matmul/matmul.ref.js';

export interface ConvTransposeShape {
  readonly batch: number;
  readonly group: number;
  /** Input channels per group (the GEMM's K). */
  readonly inPerGroup: number;
  readonly outPerGroup: number;
  readonly inSize: number;
  readonly kSize: number;
  readonly outSize: number;
  /** For each (input position, kernel tap) pair, the output offset it lands on or -1. */
  readonly target: Int32Array;
}

export function mlasConvTranspose(
  xs: Float32Array,
  ws: Float32Array,
  bs: Float32Array | undefined,
  s: ConvTransposeShape,
  constantW: boolean,
): Float32Array {
  const { batch, group, inPerGroup: k, outPerGroup, inSize, kSize, outSize, target } = s;
  const m = outPerGroup * kSize;
  const outChannels = outPerGroup * group;
  // PrePack skips a W whose per-group matrix is a single row or column.
  const prepacked = constantW && m !== 1 && k !== 1;
  const a = prepacked ? transposePerGroup(ws, group, k, m) : ws;
  const col = new Float32Array(m * inSize);
  const y = new Float32Array(batch * outChannels * outSize);
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < group; g++) {
      mlasGemm({
        transA: !prepacked,
        transB: false,
        m,
        n: inSize,
        k,
        alpha: 1,
        a,
        aOff: g * k * m,
        lda: prepacked ? k : m,
        b: xs,
        bOff: (b * group + g) * k * inSize,
        ldb: inSize,
        beta: 0,
        c: col,
        cOff: 0,
        ldc: inSize,
      });
      const yGroup = (b * group + g) * outPerGroup * outSize;
      for (let oc = 0; oc < outPerGroup; oc++) {
        const yBase = yGroup + oc * outSize;
        for (let kk = 0; kk < kSize; kk++) {
          const row = (oc * kSize + kk) * inSize;
          for (let ii = 0; ii < inSize; ii++) {
            const o = target[ii * kSize + kk];
            if (o >= 0) y[yBase + o] += col[row + ii];
          }
        }
      }
    }
    if (bs) {
      for (let oc = 0; oc < outChannels; oc++) {
        const base = (b * outChannels + oc) * outSize;
        const bv = bs[oc];
        for (let q = 0; q < outSize; q++) y[base + q] += bv;
      }
    }
  }
  return y;
}

/** PrePack's MlasTranspose of each group's [K, M] block of W into [M, K]. */
function transposePerGroup(ws: Float32Array, group: number, k: number, m: number): Float32Array {
  const out = new Float32Array(ws.length);
  for (let g = 0; g < group; g++) {
    const base = g * k * m;
    for (let r = 0; r < k; r++) for (let c = 0; c < m; c++) out[base + c * k + r] = ws[base + r * m + c];
  }
  return out;
}
