// The opset versions we implement, per domain, and the check that refuses a model stamped outside
// them. An op's meaning can change between opset versions (Softmax's axis at 13, Reshape's shape
// input at 5, QuantizeLinear's blocks at 21, its `precision` attribute at 23), so a model stamped
// with a version we have not reviewed would run with the semantics of another one, silently.
//
// ai.onnx 1..28, checked per op: a model stamped with an old opset runs when every op's
// definition at that opset is one we implement (OpSchema.sinceVersion; Add before 7 had the
// legacy broadcast attributes, Cast-1 took a string type, ...), as onnxruntime, whose kernels
// start at some version per op. 28 is the newest opset (onnx 1.23); docs/opsets.md lists what
// changed from 22 to 28 for every op we implement and what we did: mostly new element types (refused in one line where we do not hold
// them), QuantizeLinear's `precision` and DequantizeLinear's `output_dtype` (23), Cast's
// `round_mode` (24), Mod's fmod = 0 on floats (28). Review a new version before raising `max`.
// com.microsoft 1: the only version of onnxruntime's contrib domain.
// Other domains (ai.onnx.ml, custom ones) have no range: a model may import them without using
// them, and a node of such a domain is refused by the op-support check, naming the op.
import { ModelError } from './errors.js';
import { ONNX_OP_VERSIONS } from './generated/onnx-op-versions.js';
import { type Model, opsetVersion } from './ir.js';
import { findSchema } from './op-schema.js';

export interface OpsetRange {
  readonly min: number;
  readonly max: number;
}

/** The implemented versions by domain ('' is ai.onnx). */
export const SUPPORTED_OPSETS: Readonly<Record<string, OpsetRange>> = {
  '': { min: 1, max: 28 },
  'com.microsoft': { min: 1, max: 1 },
};

/** How a domain is written in messages: the default domain is spelled out. */
export function domainLabel(domain: string): string {
  return domain === '' || domain === 'ai.onnx' ? 'ai.onnx' : domain;
}

function describeRange(r: OpsetRange): string {
  return r.min === r.max ? `only ${r.min}` : `${r.min} to ${r.max}`;
}

/**
 * One line per opset problem: an import of a domain we implement at a version outside our range,
 * or ai.onnx nodes with no ai.onnx import at all (they would run at an assumed version). Empty
 * when the model is fine.
 */
export function opsetProblems(model: Model): string[] {
  const problems: string[] = [];
  for (const o of model.opsets) {
    const domain = o.domain === 'ai.onnx' ? '' : o.domain;
    const range = SUPPORTED_OPSETS[domain];
    if (!range || (o.version >= range.min && o.version <= range.max)) continue;
    const label = domainLabel(domain);
    problems.push(
      `the model uses opset ${label} ${o.version}, which qplay does not implement (${label} opsets: ${describeRange(range)})`,
    );
  }
  const importsOnnx = model.opsets.some((o) => o.domain === '' || o.domain === 'ai.onnx');
  const onnxNode = model.graph.nodes.find((n) => n.domain === '' || n.domain === 'ai.onnx');
  if (!importsOnnx && onnxNode) {
    problems.push(
      `node '${onnxNode.name}' (${onnxNode.opType}) is an ai.onnx op but the model imports no ai.onnx opset`,
    );
  }
  problems.push(...oldOpVersions(model));
  return problems;
}

/** The version of ai.onnx op `opType` that opset `opset` means: its newest definition <= opset. */
export function opVersionAt(opType: string, opset: number): number | undefined {
  const versions = ONNX_OP_VERSIONS[opType];
  if (!versions) return undefined;
  let v: number | undefined;
  for (const x of versions) if (x <= opset) v = x;
  return v;
}

/**
 * One line per op whose version at the model's opset is older than the first one we implement
 * (OpSchema.sinceVersion), e.g. Add-6 with its legacy `broadcast`/`axis` attributes: onnxruntime
 * has no kernel for those either. Nodes naming an op ONNX does not define are left to the
 * op-support check.
 */
function oldOpVersions(model: Model): string[] {
  const opset = opsetVersion(model, '');
  if (opset === undefined) return [];
  const byOp = new Map<string, { version: number; since: number; nodes: string[] }>();
  for (const n of model.graph.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue;
    const since = findSchema('', n.opType)?.sinceVersion;
    if (since === undefined || !ONNX_OP_VERSIONS[n.opType]) continue;
    // An op that did not exist yet at the model's opset (version 0 in the message's terms).
    const version = opVersionAt(n.opType, opset) ?? 0;
    if (version >= since) continue;
    const entry = byOp.get(n.opType) ?? { version, since, nodes: [] };
    entry.nodes.push(n.name);
    byOp.set(n.opType, entry);
  }
  return [...byOp].map(([op, e]) => {
    const nodes =
      e.nodes.length > 3
        ? `${e.nodes.slice(0, 3).join("', '")}' and ${e.nodes.length - 3} more`
        : `${e.nodes.join("', '")}'`;
    return e.version === 0
      ? `${op} (node '${nodes}) does not exist at opset ${opset} (ONNX defines it from ${ONNX_OP_VERSIONS[op][0]})`
      : `${op}-${e.version} (opset ${opset}, node '${nodes}) is an older definition than qplay implements (${op} from version ${e.since})`;
  });
}

/** Raised for a model stamped with an opset we do not implement; one line, naming domain and version. */
export class UnsupportedOpsetError extends ModelError {
  override name = 'UnsupportedOpsetError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/** Throws UnsupportedOpsetError when the model's opsets are outside what we implement. */
export function assertSupportedOpsets(model: Model): void {
  const problems = opsetProblems(model);
  if (problems.length) throw new UnsupportedOpsetError(problems);
}
