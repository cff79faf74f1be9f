// Numpy-style multidirectional broadcasting (ONNX "multidirectional broadcasting").

export function broadcastShapes(...shapes: ReadonlyArray<readonly number[]>): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw new Error(`shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} cannot be broadcast`);
      }
    }
  }
  return out;
}

/**
 * For each output element (row-major over `outDims`), the flat index into a tensor of shape
 * `inDims` broadcast to `outDims`.
 */
export function broadcastIndexMap(inDims: readonly number[], outDims: readonly number[]): Int32Array {
  let total = 1;
  for (const d of outDims) total *= d;
  const rank = outDims.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = inDims.length - 1; i >= 0; i--) {
    const o = rank - inDims.length + i;
    strides[o] = inDims[i] === 1 ? 0 : s;
    s *= inDims[i];
  }
  const map = new Int32Array(total);
  const idx = new Array<number>(rank).fill(0);
  let flat = 0;
  for (let k = 0; k < total; k++) {
    map[k] = flat;
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      flat += strides[d];
      if (idx[d] < outDims[d]) break;
      flat -= strides[d] * idx[d];
      idx[d] = 0;
    }
  }
  return map;
}

/** Strides of an operand of shape `dims` broadcast (right-aligned) to `outDims`: 0 along broadcast axes. */
export function broadcastStrides(dims: readonly number[], outDims: readonly number[]): number[] {
  const strides = new Array<number>(outDims.length).fill(0);
  let acc = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    strides[outDims.length - dims.length + k] = dims[k] === 1 ? 0 : acc;
    acc *= dims[k];
  }
  return strides;
}

/**
 * Opset < 7 arithmetic (Add/Sub/Mul/Div/Pow before numpy broadcasting): with `broadcast` = 1, B
 * matches a contiguous run of A's axes starting at `axis` (a suffix when axis is absent); with 0
 * the shapes must be equal. Returns B's dims padded with 1s so numpy broadcasting gives that.
 */
export function legacyBroadcastDims(
  aDims: readonly number[],
  bDims: readonly number[],
  broadcast: boolean,
  axis: number | undefined,
): number[] {
  if (!broadcast) {
    if (aDims.length !== bDims.length || aDims.some((d, i) => d !== bDims[i]))
      throw new Error(`legacy broadcasting: B [${bDims}] differs from A [${aDims}] and broadcast is 0`);
    return [...bDims];
  }
  if (axis === undefined) return [...bDims];
  const start = axis < 0 ? axis + aDims.length : axis;
  const after = aDims.length - start - bDims.length;
  if (start < 0 || after < 0)
    throw new Error(`legacy broadcasting: B [${bDims}] does not fit A [${aDims}] at axis ${axis}`);
  return [...new Array(start).fill(1), ...bDims, ...new Array(after).fill(1)];
}
