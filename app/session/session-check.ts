// A session document against the model it is opened with: the names it holds parameters for must
// be the model's, per-channel lists must have one entry per channel, and (given the file's bytes)
// the model must be the very file the session was made for.
import type { Dim, Model } from '../model/ir.js';
import { checkConfigAt, missingNames, modelValueNames } from '../quant/config-parse.js';
import type { QuantParamsEntry, SessionDocument } from './session.js';
import { sha256Hex } from './sha256.js';
import { type At, entry, fail, field, quoteName } from './strict-read.js';

function madeFor(doc: SessionDocument): string {
  return `the session was made for ${quoteName(doc.model.name)}, ${doc.model.bytes} bytes`;
}

/** Static dims of a value when the model declares them all (graph input, output or value_info). */
function declaredDims(model: Model, name: string): readonly number[] | undefined {
  const g = model.graph;
  const init = g.initializers.get(name);
  if (init) return init.dims;
  const info =
    g.inputs.find((i) => i.name === name) ?? g.outputs.find((o) => o.name === name) ?? g.valueInfo.get(name);
  const dims: readonly Dim[] | undefined = info?.dims;
  return dims?.every((d): d is number => typeof d === 'number') ? dims : undefined;
}

/** Per-channel lists: the axis must be one of the tensor's dimensions, the length its size. */
function checkChannels(p: QuantParamsEntry, dims: readonly number[] | undefined, what: string, at: At): void {
  if (p.axis === undefined || !Array.isArray(p.scale) || dims === undefined) return;
  const rank = dims.length;
  if (p.axis < -rank || p.axis >= rank) {
    fail(
      field(at, 'axis'),
      `${p.axis} is not an axis of the ${what} (it has ${rank} dimension${rank === 1 ? '' : 's'})`,
    );
  }
  const channels = dims[p.axis < 0 ? p.axis + rank : p.axis];
  const n = (p.scale as readonly number[]).length;
  if (n !== channels) {
    fail(
      field(at, 'scale'),
      `${n} scale${n === 1 ? '' : 's'} along axis ${p.axis}, but the ${what} has ${channels} channel${channels === 1 ? '' : 's'} there (dims [${dims.join(', ')}])`,
    );
  }
}

/**
 * Refuses a session that does not fit the model: tensors or weights the model does not have (the
 * first few named, and the count), per-channel lists whose length is not the weight's size along
 * the axis, overrides of missing tensors or with a zero point outside the tensor's role. Give the
 * model as the engine sees it (constants materialized, app/quant/materialize.ts).
 */
export function checkSessionAgainstModel(doc: SessionDocument, model: Model, where?: string): void {
  const names = modelValueNames(model);
  const g = model.graph;
  const tensorsAt: At = { where, path: 'tensors' };
  const weightsAt: At = { where, path: 'weights' };
  const missingTensors = Object.keys(doc.tensors).filter((t) => !names.has(t));
  if (missingTensors.length > 0)
    fail(tensorsAt, `${missingNames(missingTensors, 'tensor')} (${madeFor(doc)})`);
  const missingWeights = Object.keys(doc.weights).filter((w) => !g.initializers.has(w));
  if (missingWeights.length > 0)
    fail(weightsAt, `${missingNames(missingWeights, 'weight')} (${madeFor(doc)})`);
  for (const [name, t] of Object.entries(doc.tensors)) {
    const what = g.initializers.has(name) ? 'weight' : 'tensor';
    checkChannels(t, declaredDims(model, name), what, entry(tensorsAt, name));
  }
  for (const [name, w] of Object.entries(doc.weights)) {
    checkChannels(w, g.initializers.get(name)!.dims, 'weight', entry(weightsAt, name));
  }
  checkConfigAt(doc.config, model, { where, path: 'config.overrides' });
}

/** Refuses model bytes that are not the file the session was made for (size, then SHA-256). */
export async function checkModelIdentity(
  doc: SessionDocument,
  bytes: Uint8Array,
  where?: string,
): Promise<void> {
  const at: At = { where, path: '' };
  const sha256 = bytes.byteLength === doc.model.bytes ? await sha256Hex(bytes) : undefined;
  if (sha256 === doc.model.sha256) return;
  fail(
    at,
    `this is not the model the session was made for: it expects ${quoteName(doc.model.name)} (${doc.model.bytes} bytes, ` +
      `SHA-256 ${doc.model.sha256.slice(0, 12)}…), this file has ${bytes.byteLength} bytes` +
      (sha256 ? ` and SHA-256 ${sha256.slice(0, 12)}…` : ''),
  );
}
