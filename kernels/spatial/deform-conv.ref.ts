// DeformConv (opset 19, 2-D): a grouped convolution whose every kernel tap reads X at its usual
// position plus a learned (dy, dx) offset, by bilinear interpolation with zeros outside the image
// (GridSample bilinear, align_corners 1, zeros padding, as the ONNX reference), times an optional
// mask. offset is [N, offset_group * kH * kW * 2, oH, oW] laid out (group, kh, kw, {dy, dx});
// mask is [N, offset_group * kH * kW, oH, oW]. Sums in float64, rounded once per output.
import { allocData, type Tensor } from '../tensor.js';

export interface DeformConvOptions {
  readonly dilations?: readonly number[];
  readonly group: number;
  readonly kernelShape?: readonly number[];
  readonly offsetGroup: number;
  /** [top, left, bottom, right]. */
  readonly pads?: readonly number[];
  readonly strides?: readonly number[];
}

/** Bilinear sample of plane `base` at (y, x); taps outside the image read 0. */
function bilinear(src: ArrayLike<number>, base: number, h: number, w: number, y: number, x: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const ly = y - y0;
  const lx = x - x0;
  const at = (yy: number, xx: number) =>
    yy >= 0 && yy < h && xx >= 0 && xx < w ? src[base + yy * w + xx] : 0;
  return (
    (1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x0 + 1)) +
    ly * ((1 - lx) * at(y0 + 1, x0) + lx * at(y0 + 1, x0 + 1))
  );
}

export function deformConvRef(
  x: Tensor,
  w: Tensor,
  offset: Tensor,
  bias: Tensor | undefined,
  mask: Tensor | undefined,
  o: DeformConvOptions,
): Tensor {
  for (const t of [x, w, offset, bias, mask]) {
    if (t && t.dtype !== 'float32' && t.dtype !== 'float64')
      throw new Error(`DeformConv on ${t.dtype} is not supported`);
  }
  if (x.dims.length !== 4)
    throw new Error(`DeformConv on a ${x.dims.length}-D input is not supported (2-D only)`);
  const [n, ic, ih, iw] = x.dims;
  const [oc, icPerGroup] = w.dims;
  const [kh, kw] = o.kernelShape ?? w.dims.slice(2);
  const [oh, ow] = offset.dims.slice(2);
  const [sh, sw] = o.strides ?? [1, 1];
  const [dh, dw] = o.dilations ?? [1, 1];
  const [pt, pl, pb, pr] = o.pads ?? [0, 0, 0, 0];
  if (ic !== icPerGroup * o.group || oc % o.group !== 0 || ic % o.offsetGroup !== 0) {
    throw new Error(
      `DeformConv X [${x.dims}] / W [${w.dims}] do not fit group ${o.group}, offset_group ${o.offsetGroup}`,
    );
  }
  if (offset.dims[1] !== o.offsetGroup * kh * kw * 2 || offset.dims[0] !== n) {
    throw new Error(
      `DeformConv offset [${offset.dims}] does not fit offset_group ${o.offsetGroup} and kernel ${kh}x${kw}`,
    );
  }
  if (
    oh !== Math.floor((ih + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1 ||
    ow !== Math.floor((iw + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1
  ) {
    throw new Error(`DeformConv offset [${offset.dims}] does not fit the convolution's output size`);
  }
  const ocPerGroup = oc / o.group;
  const icPerOffsetGroup = ic / o.offsetGroup;
  const xs = x.data as ArrayLike<number>;
  const ws = w.data as ArrayLike<number>;
  const off = offset.data as ArrayLike<number>;
  const ms = mask?.data as ArrayLike<number> | undefined;
  const out = allocData(x.dtype, n * oc * oh * ow) as Float32Array | Float64Array;
  const plane = oh * ow;
  for (let b = 0; b < n; b++) {
    for (let m = 0; m < oc; m++) {
      const g = Math.floor(m / ocPerGroup);
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          let acc = bias ? Number(bias.data[m]) : 0;
          for (let cg = 0; cg < icPerGroup; cg++) {
            const c = g * icPerGroup + cg;
            const og = Math.floor(c / icPerOffsetGroup);
            const xBase = (b * ic + c) * ih * iw;
            for (let u = 0; u < kh; u++) {
              for (let v = 0; v < kw; v++) {
                const tap = (og * kh + u) * kw + v;
                const at = i * ow + j;
                const dy = off[(b * o.offsetGroup * kh * kw + tap) * 2 * plane + at];
                const dx = off[((b * o.offsetGroup * kh * kw + tap) * 2 + 1) * plane + at];
                const y = i * sh - pt + u * dh + dy;
                const xx = j * sw - pl + v * dw + dx;
                let val = bilinear(xs, xBase, ih, iw, y, xx);
                if (ms) val *= ms[(b * o.offsetGroup * kh * kw + tap) * plane + at];
                acc += ws[((m * icPerGroup + cg) * kh + u) * kw + v] * val;
              }
            }
          }
          out[((b * oc + m) * oh + i) * ow + j] = acc;
        }
      }
    }
  }
  return { dtype: x.dtype, dims: [n, oc, oh, ow], data: out };
}
