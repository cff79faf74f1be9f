// Spatial geometry shared by Conv, ConvTranspose, the pools, the int8 conv reference and the GPU
// kernels: how auto_pad resolves to explicit pads, and how big the output is. Written once so
// every path agrees with onnxruntime on the odd cases (SAME_LOWER, ceil_mode, negative pad need).

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export function parseAutoPad(s: string): AutoPad {
  if (s === 'NOTSET' || s === 'SAME_UPPER' || s === 'SAME_LOWER' || s === 'VALID') return s;
  throw new Error(`unknown auto_pad '${s}'`);
}

export interface ConvGeometryInput {
  readonly inputSpatial: readonly number[];
  readonly kernelSpatial: readonly number[];
  /** Default 1 per axis. */
  readonly strides?: readonly number[];
  /** Default 1 per axis. */
  readonly dilations?: readonly number[];
  /** ONNX layout [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; default zeros. Ignored unless NOTSET. */
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  /** Pooling only: round the output size up instead of down. */
  readonly ceilMode?: boolean;
}

export interface ConvGeometry {
  /** Resolved explicit pads, ONNX layout [begins..., ends...]. */
  readonly pads: number[];
  readonly outputSpatial: number[];
  readonly strides: number[];
  readonly dilations: number[];
  /** Effective (dilated) kernel extent per axis: (k - 1) * d + 1. */
  readonly dilatedKernel: number[];
}

function fill(v: readonly number[] | undefined, n: number, value: number, what: string): number[] {
  if (v === undefined || v.length === 0) return new Array<number>(n).fill(value);
  if (v.length !== n) throw new Error(`${what} has ${v.length} values, expected ${n}`);
  return [...v];
}

/** Output size of one axis for explicit pads (floor, or ceil with onnxruntime's last-window rule). */
export function spatialOutputSize(
  inSize: number,
  dilatedKernel: number,
  stride: number,
  padBegin: number,
  padEnd: number,
  ceilMode = false,
): number {
  const span = inSize + padBegin + padEnd - dilatedKernel;
  if (span < 0)
    throw new Error(`kernel extent ${dilatedKernel} exceeds padded input ${inSize + padBegin + padEnd}`);
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  // A last window that would start inside the end padding is dropped (PyTorch/onnxruntime rule).
  if ((out - 1) * stride >= inSize + padBegin) out--;
  return out;
}

/** Resolves auto_pad into explicit pads and computes the output spatial shape. */
export function resolveConvGeometry(g: ConvGeometryInput): ConvGeometry {
  const n = g.inputSpatial.length;
  if (g.kernelSpatial.length !== n) {
    throw new Error(`kernel has ${g.kernelSpatial.length} spatial axes, input has ${n}`);
  }
  const strides = fill(g.strides, n, 1, 'strides');
  const dilations = fill(g.dilations, n, 1, 'dilations');
  const autoPad = g.autoPad ?? 'NOTSET';
  const dilatedKernel = g.kernelSpatial.map((k, i) => (k - 1) * dilations[i] + 1);
  let pads: number[];
  if (autoPad === 'NOTSET') pads = fill(g.pads, 2 * n, 0, 'pads');
  else if (autoPad === 'VALID') pads = new Array<number>(2 * n).fill(0);
  else {
    pads = new Array<number>(2 * n).fill(0);
    for (let i = 0; i < n; i++) {
      const target = Math.ceil(g.inputSpatial[i] / strides[i]);
      // The need is negative when stride > kernel + 1 and the input fills the last stride. The spec
      // takes max(0, ...); onnxruntime 1.30 is inconsistent there (MaxPool refuses negative pads,
      // AveragePool shifts the window by the truncated negative half), so we follow the spec.
      const need = Math.max(0, (target - 1) * strides[i] + dilatedKernel[i] - g.inputSpatial[i]);
      // SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the beginning.
      const begin = autoPad === 'SAME_UPPER' ? Math.floor(need / 2) : Math.ceil(need / 2);
      pads[i] = begin;
      pads[i + n] = need - begin;
    }
  }
  for (const p of pads) if (p < 0) throw new Error(`negative pad ${p} is not supported`);
  const outputSpatial = g.inputSpatial.map((x, i) =>
    spatialOutputSize(x, dilatedKernel[i], strides[i], pads[i], pads[i + n], g.ceilMode ?? false),
  );
  return { pads, outputSpatial, strides, dilations, dilatedKernel };
}
