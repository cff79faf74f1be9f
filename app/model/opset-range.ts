// The opset versions we implement, per domain, and the check that refuses a model stamped outside
// them. An op's meaning can change between opset versions (Softmax's axis at 13, Reshape's shape
// input at 5, QuantizeLinear's blocks at 21, its `precision` attribute at 25), so a model stamped
// with a version we have not reviewed would run with the semantics of another one, silently.
//
// ai.onnx 7..21: 7 is where elementwise ops took numpy broadcasting (the schemas in
// app/model/schema/math.ts start there; onnxruntime's own support starts at 7 too); the CPU ops
// and shape functions handle every version change up to 21 (blocked QuantizeLinear,
// output_dtype). From 22 on, ONNX revised ops we implement again (new types, and at 25 Q/DQ's
// `precision` attribute) and we have not reviewed those versions: raise `max` after doing so.
// com.microsoft 1: the only version of onnxruntime's contrib domain.
// Other domains (ai.onnx.ml, custom ones) have no range: a model may import them without using
// them, and a node of such a domain is refused by the op-support check, naming the op.
import { ModelError } from './errors.js';
import type { Model } from './ir.js';

export interface OpsetRange {
  readonly min: number;
  readonly max: number;
}

/** The implemented versions by domain ('' is ai.onnx). */
export const SUPPORTED_OPSETS: Readonly<Record<string, OpsetRange>> = {
  '': { min: 7, max: 21 },
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
  return problems;
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
