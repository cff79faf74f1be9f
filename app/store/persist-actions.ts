// Keeping the session across reloads (./persist.ts stores it): after each metrics pass the current
// session is saved as its link payload; a page opened without a link or ?model= restores the last
// one (a sample or URL model opens by itself, a kept model file too, else the file is asked for);
// the recent sessions can be reopened from the Export panel.
import type { LinkDocument } from '../session/link-codec.js';
import {
  currentSessionPayload,
  keepModelBytes,
  keepModels,
  recentSessions,
  saveCurrentSession,
  setKeepModels,
} from './persist.js';
import { getQuant, setQuant } from './quant-store.js';
import { getModelEntry } from './registry.js';
import { currentLinkDocument, openSharedLink } from './share-actions.js';
import { getState } from './store.js';

let saving: Promise<void> = Promise.resolve();
/** The last session saved, so a new selection is saved without exporting again. */
let last: { modelId: string | null; doc: LinkDocument } | null = null;

/** Saves the current session (called after each metrics pass; one save at a time). */
export function persistCurrentSession(): Promise<void> {
  saving = saving.then(async () => {
    if (!getQuant().overview?.done) return;
    const entry = getModelEntry(getState().modelId);
    if (!entry) return;
    try {
      const doc = await currentLinkDocument();
      const { session, source } = doc;
      last = { modelId: getState().modelId, doc };
      await saveCurrentSession(doc);
      if (source.kind === 'file') await keepModelBytes(session.model.sha256, entry.fileName, entry.bytes);
      setQuant({ recent: await recentSessions() });
    } catch {
      // Keeping the session is a convenience: a failure here must not disturb the page.
    }
  });
  return saving;
}

/** Saves the new selection with the last saved session of this model. */
export function persistSelection(): void {
  const selected = getState().selectedNode;
  if (!last || last.modelId !== getState().modelId || last.doc.selected === selected) return;
  const doc = { ...last.doc, selected };
  last = { ...last, doc };
  saving = saving.then(() => saveCurrentSession(doc)).catch(() => undefined);
}

/**
 * Restores the last session when the page opens without a link or ?model= (true when it did).
 */
export async function restoreLastSession(fallback: () => Promise<boolean>): Promise<boolean> {
  setQuant({ recent: await recentSessions(), keepModels: keepModels() });
  const payload = await currentSessionPayload();
  if (!payload) return false;
  // A model opened while the browser's store answered wins over the last session.
  if (getState().modelId !== null) return true;
  await openSharedLink(`#s=${payload}`, fallback, 'your last session');
  return true;
}

export function reopenRecent(payload: string): Promise<boolean> {
  return openSharedLink(`#s=${payload}`, async () => true, 'a recent session');
}

export function setKeepModelFiles(on: boolean): void {
  setKeepModels(on);
  setQuant({ keepModels: on });
  if (on) void persistCurrentSession();
}
