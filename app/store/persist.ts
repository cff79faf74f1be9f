// Sessions that survive a reload: the current session is kept in IndexedDB as its share-link
// payload (the same codec: no second format), with a list of recent sessions; the model's bytes
// are kept too only when the person ticks "Keep model files in this browser". Without IndexedDB
// (Node, a private window that refuses it) nothing is kept and nothing breaks.
import { encodeLink, type LinkDocument } from '../session/link-codec.js';

const DB_NAME = 'qplay';
const DB_VERSION = 1;
const STATE = 'state';
const MODELS = 'models';
const RECENT_MAX = 10;
const CONSENT_KEY = 'qplay.keepModels';

export interface RecentSession {
  readonly payload: string;
  readonly model: string;
  readonly tensors: number;
  readonly savedAt: string;
}

let db: Promise<IDBDatabase | null> | null = null;

function open(): Promise<IDBDatabase | null> {
  db ??= new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') {
      resolve(null);
      return;
    }
    try {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        req.result.createObjectStore(STATE);
        req.result.createObjectStore(MODELS);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return db;
}

function request<T>(
  store: string,
  mode: IDBTransactionMode,
  run: (s: IDBObjectStore) => IDBRequest,
): Promise<T | undefined> {
  return open().then(
    (d) =>
      new Promise((resolve) => {
        if (!d) {
          resolve(undefined);
          return;
        }
        try {
          const req = run(d.transaction(store, mode).objectStore(store));
          req.onsuccess = () => resolve(req.result as T);
          req.onerror = () => resolve(undefined);
        } catch {
          resolve(undefined);
        }
      }),
  );
}

/** Keeps `doc` as the current session and first of the recent ones (same model: replaced). */
export async function saveCurrentSession(doc: LinkDocument): Promise<void> {
  const payload = encodeLink(doc);
  const entry: RecentSession = {
    payload,
    model: doc.session.model.name,
    tensors: Object.keys(doc.session.tensors).length,
    savedAt: new Date().toISOString(),
  };
  const recent = (await recentSessions()).filter((r) => r.payload !== payload && r.model !== entry.model);
  await request(STATE, 'readwrite', (s) => s.put(payload, 'current'));
  await request(STATE, 'readwrite', (s) => s.put([entry, ...recent].slice(0, RECENT_MAX), 'recent'));
}

export async function currentSessionPayload(): Promise<string | null> {
  const v = await request<unknown>(STATE, 'readonly', (s) => s.get('current'));
  return typeof v === 'string' ? v : null;
}

/** Forgets the current session (the page then opens as new). */
export async function clearCurrentSession(): Promise<void> {
  await request(STATE, 'readwrite', (s) => s.delete('current'));
}

export async function recentSessions(): Promise<RecentSession[]> {
  const v = await request<unknown>(STATE, 'readonly', (s) => s.get('recent'));
  return Array.isArray(v) ? (v as RecentSession[]).filter((r) => typeof r?.payload === 'string') : [];
}

/** Whether the person agreed to keep model files in this browser. */
export function keepModels(): boolean {
  try {
    return globalThis.localStorage?.getItem(CONSENT_KEY) === 'yes';
  } catch {
    return false;
  }
}

export function setKeepModels(on: boolean): void {
  try {
    if (on) globalThis.localStorage?.setItem(CONSENT_KEY, 'yes');
    else globalThis.localStorage?.removeItem(CONSENT_KEY);
  } catch {
    // A storage that refuses: the choice lasts for this page only.
  }
  if (!on) void request(MODELS, 'readwrite', (s) => s.clear());
}

/** Keeps a model's bytes under its SHA-256 (only with consent). */
export async function keepModelBytes(sha256: string, name: string, bytes: Uint8Array): Promise<void> {
  if (!keepModels()) return;
  await request(MODELS, 'readwrite', (s) => s.put({ name, bytes }, sha256));
}

export async function keptModelBytes(sha256: string): Promise<{ name: string; bytes: Uint8Array } | null> {
  const v = await request<{ name?: unknown; bytes?: unknown }>(MODELS, 'readonly', (s) => s.get(sha256));
  return v && typeof v.name === 'string' && v.bytes instanceof Uint8Array
    ? { name: v.name, bytes: v.bytes }
    : null;
}
