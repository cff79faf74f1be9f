// All CPU ops, by family. Each family file owns its ops; this file only merges them.
import { viaFloat32ForBfloat16 } from './bfloat16-via-float32.js';
import type { CpuOp } from './op-types.js';
import { opKey } from './op-types.js';
import { attentionOps } from './ops/attention.js';
import { broadcastOps } from './ops/broadcast.js';
import { mathOps } from './ops/math.js';
import { miscOps } from './ops/misc.js';
import { nnOps } from './ops/nn.js';
import { normOps } from './ops/norm.js';
import { qgemmOps } from './ops/qgemm.js';
import { reduceOps } from './ops/reduce.js';
import { rnnOps } from './ops/rnn.js';
import { signalOps } from './ops/signal.js';
import { spectralOps } from './ops/spectral.js';
import { scatterOps } from './ops/scatter.js';
import { selectOps } from './ops/select.js';
import { spatialOps } from './ops/spatial.js';
import { quantOps } from './ops/quant.js';
import { tensorOps } from './ops/tensor.js';
import { unaryOps } from './ops/unary.js';

const table: Readonly<Record<string, CpuOp>> = {
  ...nnOps,
  ...mathOps,
  ...tensorOps,
  ...quantOps,
  ...qgemmOps,
  ...unaryOps,
  ...broadcastOps,
  ...reduceOps,
  ...signalOps,
  ...spectralOps,
  ...attentionOps,
  ...normOps,
  ...miscOps,
  ...scatterOps,
  ...selectOps,
  ...spatialOps,
  ...rnnOps,
};

export function findCpuOp(domain: string, opType: string): CpuOp | undefined {
  return viaFloat32ForBfloat16(domain, opType, table[opKey(domain, opType)]);
}
