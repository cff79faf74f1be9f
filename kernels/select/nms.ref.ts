// NonMaxSuppression: per batch and class, boxes taken by descending score (ties: lower index
// first), dropping those whose IoU with an already selected box of the class exceeds
// iou_threshold, up to max_output_boxes_per_class. Output int64 [count, 3] of (batch, class, box).
// float32 arithmetic and comparisons as onnxruntime's and the ONNX reference's SuppressByIOU.
import type { Tensor } from '../tensor.js';

export interface NmsOptions {
  /** 0: [y1, x1, y2, x2] with either corner first; 1: [x_center, y_center, width, height]. */
  readonly centerPointBox: number;
  readonly maxOutputBoxesPerClass: number;
  readonly iouThreshold: number;
  /** Only boxes scoring strictly above it are candidates; absent: all. */
  readonly scoreThreshold?: number;
}

const f = Math.fround;

/** [min, max] of each box's x and y extents. */
function extents(b: Float32Array, i: number, centerPoint: boolean): [number, number, number, number] {
  const o = i * 4;
  if (centerPoint) {
    const hw = f(b[o + 2] / 2);
    const hh = f(b[o + 3] / 2);
    return [f(b[o] - hw), f(b[o] + hw), f(b[o + 1] - hh), f(b[o + 1] + hh)];
  }
  const [y1, x1, y2, x2] = [b[o], b[o + 1], b[o + 2], b[o + 3]];
  return [Math.min(x1, x2), Math.max(x1, x2), Math.min(y1, y2), Math.max(y1, y2)];
}

function suppresses(a: readonly number[], b: readonly number[], iouThreshold: number): boolean {
  const ix0 = Math.max(a[0], b[0]);
  const ix1 = Math.min(a[1], b[1]);
  if (ix1 <= ix0) return false;
  const iy0 = Math.max(a[2], b[2]);
  const iy1 = Math.min(a[3], b[3]);
  if (iy1 <= iy0) return false;
  const inter = f(f(ix1 - ix0) * f(iy1 - iy0));
  if (inter <= 0) return false;
  const area1 = f(f(a[1] - a[0]) * f(a[3] - a[2]));
  const area2 = f(f(b[1] - b[0]) * f(b[3] - b[2]));
  const union = f(f(area1 + area2) - inter);
  if (area1 <= 0 || area2 <= 0 || union <= 0) return false;
  return f(inter / union) > iouThreshold;
}

export function nonMaxSuppressionRef(boxes: Tensor, scores: Tensor, opts: NmsOptions): Tensor {
  if (boxes.dtype !== 'float32' || scores.dtype !== 'float32') {
    throw new Error(`NonMaxSuppression on ${boxes.dtype} / ${scores.dtype} is not supported`);
  }
  const [batches, numBoxes, four] = boxes.dims;
  const [sBatches, classes, sBoxes] = scores.dims;
  if (
    boxes.dims.length !== 3 ||
    four !== 4 ||
    scores.dims.length !== 3 ||
    sBatches !== batches ||
    sBoxes !== numBoxes
  ) {
    throw new Error(`NonMaxSuppression boxes [${boxes.dims}] and scores [${scores.dims}] do not fit`);
  }
  const b = boxes.data as Float32Array;
  const s = scores.data as Float32Array;
  const centerPoint = opts.centerPointBox === 1;
  const iou = f(opts.iouThreshold);
  const limit = Math.max(0, opts.maxOutputBoxesPerClass);
  const out: number[] = [];
  for (let n = 0; n < batches; n++) {
    const ext = Array.from({ length: numBoxes }, (_, i) =>
      extents(b.subarray(n * numBoxes * 4), i, centerPoint),
    );
    for (let c = 0; c < classes; c++) {
      const base = (n * classes + c) * numBoxes;
      const cand: number[] = [];
      for (let i = 0; i < numBoxes; i++) {
        if (opts.scoreThreshold === undefined || s[base + i] > f(opts.scoreThreshold)) cand.push(i);
      }
      cand.sort((p, q) => s[base + q] - s[base + p] || p - q);
      const kept: number[] = [];
      for (const i of cand) {
        if (kept.length >= limit) break;
        if (kept.some((k) => suppresses(ext[i], ext[k], iou))) continue;
        kept.push(i);
        out.push(n, c, i);
      }
    }
  }
  return { dtype: 'int64', dims: [out.length / 3, 3], data: BigInt64Array.from(out, (v) => BigInt(v)) };
}
