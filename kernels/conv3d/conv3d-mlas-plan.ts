// How conv2d.ref.ts's mlasConv (onnxruntime's MlasConv for f32) sums K = channels x taps for each
// output of a 3-D Conv, written as a table for conv3d-exact.wgsl: per (row tile, output position)
// a sequence of MLAS operations, each a K range [k0, k1) with the kernel it runs (0: the blocked
// AVX512F kernel, FMA from +0 in blocks of sk, the block sums added in order; 1: the M1 kernel,
// products rounded, groups of 4 from k0; 2: the M1 kernel with A and B swapped, for one output
// position: 8 lanes of rounded products from k0, reduced by a tree that depends on the row's
// place in its row tile). Mirrors mlasConv's choices line by line: the direct GEMM of a 1x1x1
// unit-stride unpadded conv, MlasGemm's thread split (mlasTiles) when there is one (batch, group)
// pair or more output channels than positions, else MlasConvOperation's N segments, N slices and
// K blocks. Returns a reason where MlasGemm would split into more than two tiles.
import { mlasConvStrides, mlasConvThreadStrideN } from '../conv2d/conv2d.ref.js';
import { mlasTiles } from '../conv-transpose/conv-transpose-exact.js';
import { sgemmStrideK } from '../matmul/matmul.ref.js';

export interface ConvMlasPlan {
  /** Rows (output channels within a group) from `mSplit` on form the second row tile (its own
   * sequences; kind 2's reduction tree counts rows from the tile's first). */
  readonly mSplit: number;
  /** seqOf[tile * outSize + n] (2 x outSize) | ops: sequence start[seqs + 1] | (k0, k1, kind, sk) per op. */
  readonly table: Int32Array;
  readonly seqStartBase: number;
  readonly opsBase: number;
}

type Op = [k0: number, k1: number, kind: number, sk: number];

/** mlasSgemmOperation's kernel for an (m x n x k) call with ldb = ldc = outSize, A untransposed. */
function operation(m: number, n: number, k0: number, k1: number, outSize: number): Op {
  if (m === 1) return [k0, k1, 1, 0];
  if (n === 1 && outSize === 1) return [k0, k1, 2, 0];
  return [k0, k1, 0, sgemmStrideK(n, k1 - k0, false)];
}

export function convMlasPlan(
  batch: number,
  group: number,
  cg: number,
  mg: number,
  kSize: number,
  outSize: number,
  direct: boolean,
): ConvMlasPlan | string {
  const k = cg * kSize;
  const batchGroups = batch * group;
  const seqs: Op[][] = [];
  const seqOf = new Int32Array(2 * outSize);
  let mSplit = mg;
  const addSeq = (ops: Op[]): number => {
    seqs.push(ops);
    return seqs.length - 1;
  };
  if ((direct && batchGroups === 1) || (!direct && mg > outSize)) {
    // MlasGemm: the thread split into tiles, each one MlasSgemmOperation over the whole K.
    const tiles = mlasTiles(mg, outSize, k, false);
    if (tiles.length > 2) return `Conv: ${tiles.length} MLAS tiles`;
    if (tiles.length === 2 && tiles[1].m0 > 0) mSplit = tiles[1].m0;
    for (const t of tiles) {
      const s = addSeq([[0, k, t.kind, t.sk]]);
      const rowTiles = t.m0 === 0 && tiles.length === 2 && tiles[1].m0 > 0 ? [0] : t.m0 > 0 ? [1] : [0, 1];
      for (const r of rowTiles) for (let n = t.n0; n < t.n0 + t.nc; n++) seqOf[r * outSize + n] = s;
    }
  } else if (direct) {
    // Several (batch, group) pairs: one single-threaded MlasSgemmOperation each.
    seqOf.fill(addSeq([operation(mg, outSize, 0, k, outSize)]));
  } else {
    // ExpandThenGemmSegmented's thread stride (MlasConvPrepare), then MlasConvOperation per segment.
    const threadStrideN = batchGroups === 1 ? mlasConvThreadStrideN(mg, outSize, k) : outSize;
    for (let segStart = 0; segStart < outSize; segStart += threadStrideN) {
      const segCount = Math.min(threadStrideN, outSize - segStart);
      const { strideN, strideK } = mlasConvStrides(segCount, k);
      for (let n = 0; n < segCount; n += strideN) {
        const countN = Math.min(strideN, segCount - n);
        const ops: Op[] = [];
        for (let k0 = 0; k0 < k; k0 += strideK)
          ops.push(operation(mg, countN, k0, Math.min(k, k0 + strideK), outSize));
        const s = addSeq(ops);
        for (let j = segStart + n; j < segStart + n + countN; j++) {
          seqOf[j] = s;
          seqOf[outSize + j] = s;
        }
      }
    }
  }
  const seqStartBase = seqOf.length;
  const opsBase = seqStartBase + seqs.length + 1;
  const opCount = seqs.reduce((a, s) => a + s.length, 0);
  const table = new Int32Array(opsBase + 4 * opCount);
  table.set(seqOf);
  let at = 0;
  seqs.forEach((ops, i) => {
    table[seqStartBase + i] = at;
    for (const op of ops) table.set(op, opsBase + 4 * at++);
  });
  table[seqStartBase + seqs.length] = at;
  return { mSplit, table, seqStartBase, opsBase };
}
