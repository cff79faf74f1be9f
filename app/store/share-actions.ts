// The share link in the page: "Share link" builds the URL of the current session (the codec is
// app/session/link-codec.ts) and copies it; opening a page with #s=… restores the session: a
// sample or URL model opens by itself, a local file is asked for (through "Open model") and
// checked by SHA-256; then the same parameters, overrides, passthroughs and selection, shown as
// calibrated without calibrating again (metrics recomputed), the weight parameters recomputed
// and checked against the link's digest. Nothing from a link is inserted as HTML or run as code.
import { decodeLink, type LinkDocument, linkUrl, weightsDigest } from '../session/link-codec.js';
import { parseSession, serializeSession } from '../session/session.js';
import { sha256Hex } from '../session/sha256.js';
import { loadModelBytes } from './actions-model.js';
import { loadModelUrl, loadSample } from './actions-open.js';
import { keptModelBytes } from './persist.js';
import { selectNode } from './actions-model.js';
import { oneLine } from './one-line.js';
import { exportFiles, uploadSession } from './quant-export.js';
import { getQuant, setQuant } from './quant-store.js';
import { modelSource } from './model-sources.js';
import { getModelEntry } from './registry.js';
import { getState, setState } from './store.js';

/** A link waiting for its model (a local file the person has to open). */
let pending: LinkDocument | null = null;

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function notice(kind: 'error' | 'info', text: string): void {
  setState({ notice: { kind, text: oneLine(text, 400) } });
}

/** The open model's calibrated session as a link carries it (also what a reload restores). */
export async function currentLinkDocument(): Promise<LinkDocument> {
  const session = parseSession((await exportFiles()).session);
  return {
    session,
    source: modelSource(getState().modelId),
    selected: getState().selectedNode,
    weightsDigest: weightsDigest(session),
  };
}

/** The link of the current session, shown in the "Share link" textbox and copied. */
export async function makeShareLink(): Promise<string | null> {
  if (!getQuant().overview?.done) {
    setQuant({ share: { url: null, note: 'Calibrate first: a link carries the calibrated parameters' } });
    return null;
  }
  try {
    const doc = await currentLinkDocument();
    const url = linkUrl(globalThis.location?.href ?? 'http://localhost:5173/', doc);
    let note = `${url.length} characters; the model's bytes and your calibration images are not in it`;
    try {
      await navigator.clipboard.writeText(url);
      note = `Copied to the clipboard (${note})`;
    } catch {
      note = `Select and copy it (the browser refused the clipboard; ${note})`;
    }
    setQuant({ share: { url, note } });
    return url;
  } catch (e) {
    setQuant({ share: { url: null, note: oneLine(`Could not make a link: ${(e as Error).message}`) } });
    return null;
  }
}

/**
 * Opens a page address's link (#s=…). Returns false when the fragment holds no readable link: the
 * notice says why and the default model opens, so the page stays usable.
 */
export async function openSharedLink(
  hash: string,
  fallback: () => Promise<boolean>,
  what = 'this share link',
): Promise<boolean> {
  let doc: LinkDocument;
  try {
    doc = decodeLink(hash);
  } catch (e) {
    await fallback();
    notice('error', `${capital(what)} cannot be opened: ${(e as Error).message}`);
    return false;
  }
  pending = doc;
  const { name, bytes } = doc.session.model;
  if (doc.source.kind === 'sample') return loadSample(doc.source.file);
  if (doc.source.kind === 'url') return loadModelUrl(doc.source.url);
  const kept = await keptModelBytes(doc.session.model.sha256);
  if (kept) return loadModelBytes(kept.name, kept.bytes);
  await fallback();
  notice(
    'info',
    `${capital(what)} is for ${name} (${bytes} bytes): open that file with "Open model" to restore it`,
  );
  return true;
}

/** Called when a model is open in the quant worker: restores a pending link that is for it. */
export async function applyPendingLink(): Promise<void> {
  const doc = pending;
  const entry = getModelEntry(getState().modelId);
  if (!doc || !entry) return;
  const want = doc.session.model;
  const sha = await sha256Hex(entry.bytes);
  if (sha !== want.sha256) {
    // While a link waits for its file, the sample opened meanwhile is not the person's answer.
    if (doc.source.kind === 'file' && modelSource(getState().modelId).kind !== 'file') return;
    notice(
      'error',
      `${entry.fileName} is not the model of the shared session: it wants ${want.name} (${want.bytes} bytes, SHA-256 ${want.sha256.slice(0, 12)}…), this file's SHA-256 is ${sha.slice(0, 12)}…`,
    );
    if (doc.source.kind !== 'file') pending = null;
    return;
  }
  pending = null;
  const ok = await uploadSession({
    name: 'the shared link',
    text: async () => serializeSession(doc.session),
  });
  if (!ok) return;
  if (doc.weightsDigest !== null) {
    try {
      const recomputed = weightsDigest(parseSession((await exportFiles()).session));
      if (recomputed !== doc.weightsDigest)
        notice(
          'error',
          'The weight parameters recomputed from the model differ from the shared ones (the link was made by another version); the activations are as shared',
        );
    } catch (e) {
      notice('error', `The shared session could not be checked: ${(e as Error).message}`);
    }
  }
  if (doc.selected) selectNode(doc.selected);
  setQuant({
    exportNote: `session restored from a share link (${Object.keys(doc.session.tensors).length} tensors)`,
  });
}

/** A link is waiting for its model file (the page says which). */
export function pendingLinkModel(): { name: string; bytes: number } | null {
  return pending && pending.source.kind === 'file'
    ? { name: pending.session.model.name, bytes: pending.session.model.bytes }
    : null;
}
