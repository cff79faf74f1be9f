// AffineGrid (opset 20): the sampling grid GridSample takes, from affine matrices theta
// ([N, 2, 3] for 2-D, [N, 3, 4] for 3-D) and an output size [N, C, (D,) H, W]. Grid point
// (..., x, y(, z)) = theta @ [x, y, (z,) 1] for the base coordinates of each output pixel: pixel
// centers in [-1, 1] (align_corners) or pixel edges at +-1. Sums in float64, rounded once.
import { allocData, type Tensor } from '../tensor.js';

/** The normalized base coordinate of pixel i of n. */
function base(i: number, n: number, alignCorners: boolean): number {
  if (alignCorners) return n === 1 ? -1 : -1 + (2 * i) / (n - 1);
  return (2 * i + 1) / n - 1;
}

export function affineGridDims(thetaDims: readonly number[], size: readonly number[]): number[] {
  const k = size.length - 2;
  if (
    (k !== 2 && k !== 3) ||
    thetaDims.length !== 3 ||
    thetaDims[0] !== size[0] ||
    thetaDims[1] !== k ||
    thetaDims[2] !== k + 1
  ) {
    throw new Error(`AffineGrid theta [${thetaDims}] does not fit size [${size}]`);
  }
  return [size[0], ...size.slice(2), k];
}

export function affineGridRef(theta: Tensor, size: readonly number[], alignCorners: boolean): Tensor {
  if (theta.dtype !== 'float32' && theta.dtype !== 'float64')
    throw new Error(`AffineGrid on ${theta.dtype} is not supported`);
  const outDims = affineGridDims(theta.dims, size);
  const k = size.length - 2;
  const spatial = size.slice(2);
  const points = spatial.reduce((a, b) => a * b, 1);
  const t = theta.data as Float32Array | Float64Array;
  const out = allocData(theta.dtype, size[0] * points * k) as Float32Array | Float64Array;
  // Homogeneous coordinates, innermost dim first: (x, y, [z,] 1).
  const h = new Array<number>(k + 1).fill(1);
  for (let n = 0; n < size[0]; n++) {
    for (let p = 0; p < points; p++) {
      let rest = p;
      for (let d = k - 1; d >= 0; d--) {
        h[k - 1 - d] = base(rest % spatial[d], spatial[d], alignCorners);
        rest = Math.floor(rest / spatial[d]);
      }
      for (let r = 0; r < k; r++) {
        let acc = 0;
        for (let j = 0; j <= k; j++) acc += t[(n * k + r) * (k + 1) + j] * h[j];
        out[(n * points + p) * k + r] = acc;
      }
    }
  }
  return { dtype: theta.dtype, dims: outDims, data: out };
}
