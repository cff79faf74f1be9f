// `qplay link` and `qplay unlink`: the page's share link from a session document and back, with
// the page's codec (app/session/link-codec.ts). A link leaves out the weight parameters (the
// model gives them back) and the metrics (recomputed where the session is opened); `unlink
// --model` recomputes the weights, checks them against the link's digest and the model's SHA-256.
import { checkModelIdentity, type SessionDocument, serializeSession } from '../session/session.js';
import {
  decodeLink,
  type LinkDocument,
  LinkError,
  linkUrl,
  type ModelSource,
  weightsDigest,
} from '../session/link-codec.js';
import { sessionEntries } from '../quant/session-params.js';
import { CliError, UsageError } from './cli-errors.js';
import { loadSession, readSessionFile, writeTextFile } from './quant-session.js';
import type { Model } from '../model/ir.js';

/** Where `npm start` serves the page. */
export const DEFAULT_LINK_BASE = 'http://localhost:5173/';

export interface LinkFlags {
  readonly base?: string;
  readonly selected?: string;
  readonly sample?: string;
  readonly 'model-url'?: string;
}

export function linkCommand(sessionPath: string, flags: LinkFlags, out: (s: string) => void): number {
  const session = readSessionFile(sessionPath);
  if (flags.sample && flags['model-url'])
    throw new UsageError('link: give --sample or --model-url, not both');
  const source: ModelSource = flags.sample
    ? { kind: 'sample', file: flags.sample }
    : flags['model-url']
      ? { kind: 'url', url: checkedUrl(flags['model-url'], '--model-url') }
      : { kind: 'file' };
  const base = checkedUrl(flags.base ?? DEFAULT_LINK_BASE, '--base');
  const doc: LinkDocument = {
    session,
    source,
    selected: flags.selected ?? null,
    weightsDigest: weightsDigest(session),
  };
  const url = linkUrl(base, doc);
  out(
    `session ${session.model.name}: ${Object.keys(session.tensors).length} tensors, model from ${sourceText(source)}; ${url.length} characters\n`,
  );
  out(`${url}\n`);
  return 0;
}

function checkedUrl(text: string, option: string): string {
  try {
    const u = new URL(text);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`not http(s): ${u.protocol}`);
    return u.href;
  } catch (e) {
    throw new UsageError(`link: ${option} must be an http(s) address (${(e as Error).message})`);
  }
}

function sourceText(s: ModelSource): string {
  return s.kind === 'sample' ? `the bundled sample ${s.file}` : s.kind === 'url' ? s.url : 'a local file';
}

/** The session a link holds; with the model, its weight parameters recomputed and checked. */
export async function unlinkCommand(
  link: string,
  flags: { out?: string; model?: { path: string; model: Model; bytes: Uint8Array } },
  out: (s: string) => void,
): Promise<number> {
  if (!flags.out) throw new UsageError('unlink: missing --out SESSION.json');
  let doc: LinkDocument;
  try {
    doc = decodeLink(link);
  } catch (e) {
    if (e instanceof LinkError) throw new CliError(`unlink: ${e.message}`);
    throw e;
  }
  let session: SessionDocument = doc.session;
  if (flags.model) {
    const { path, model, bytes } = flags.model;
    await checkModelIdentity(session, bytes, path);
    const loaded = loadSession(model, session, [], 'the link');
    const { weights } = sessionEntries(loaded.plan, loaded.params, loaded.config);
    session = { ...session, weights };
    const digest = weightsDigest(session);
    if (doc.weightsDigest !== null && digest !== doc.weightsDigest)
      throw new CliError(
        `unlink: the weight parameters recomputed from ${path} differ from the linked ones (digest ${digest}, link ${doc.weightsDigest})`,
      );
  }
  writeTextFile(flags.out, serializeSession(session), 'session');
  const weights = flags.model
    ? `weights recomputed from ${flags.model.path}`
    : 'weights left out (give --model to recompute them)';
  out(
    `wrote ${flags.out}: ${Object.keys(session.tensors).length} tensors of ${session.model.name}, ${weights}; model from ${sourceText(doc.source)}${doc.selected ? `, selected ${doc.selected}` : ''}\n`,
  );
  return 0;
}
