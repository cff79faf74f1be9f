// Leaving with the result: the QDQ model, the session document, onnxruntime's overrides; and
// opening a session document saved earlier (checked against the open model); the share link.
import { useEffect, useRef } from 'react';
import {
  downloadExport,
  makeShareLink,
  reopenRecent,
  setKeepModelFiles,
  uploadSession,
  useQuantStore,
} from '../store/quant-index.js';
import { Section } from './Section.js';

export function ExportPanel() {
  const done = useQuantStore((s) => s.overview?.done ?? false);
  const hasModel = useQuantStore((s) => s.overview !== null);
  const busy = useQuantStore((s) => s.busy);
  const note = useQuantStore((s) => s.exportNote);
  const share = useQuantStore((s) => s.share);
  const recent = useQuantStore((s) => s.recent);
  const keep = useQuantStore((s) => s.keepModels);
  if (!hasModel) return null;
  return (
    <Section title="Export" testId="export-panel">
      <div className="quant-buttons">
        <button
          type="button"
          className="button"
          disabled={!done || busy !== null}
          onClick={() => void downloadExport('qdq')}
          data-testid="export-qdq"
        >
          QDQ model (.onnx)
        </button>
        <button
          type="button"
          className="button"
          disabled={!done || busy !== null}
          onClick={() => void downloadExport('session')}
          data-testid="export-session"
        >
          Session (.json)
        </button>
        <button
          type="button"
          className="button"
          disabled={!done || busy !== null}
          onClick={() => void downloadExport('overrides')}
          data-testid="export-overrides"
        >
          Overrides (.json)
        </button>
      </div>
      <label className="file-button">
        Load a session…
        <input
          type="file"
          accept=".json,application/json"
          aria-label="Load session"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void uploadSession(f);
          }}
        />
      </label>
      <div className="share-row">
        <button
          type="button"
          className="button"
          disabled={!done || busy !== null}
          onClick={() => void makeShareLink()}
          data-testid="share-button"
        >
          Share link
        </button>
      </div>
      {share.url !== null && <ShareUrl url={share.url} />}
      {share.note && (
        <p className="small muted" data-testid="share-note">
          {share.note}
        </p>
      )}
      <label className="check-line">
        <input type="checkbox" checked={keep} onChange={(e) => setKeepModelFiles(e.target.checked)} />
        Keep model files in this browser (so a reload restores a session of a local file without asking)
      </label>
      {recent.length > 0 && (
        <details className="recent-sessions" data-testid="recent-sessions">
          <summary>Recent sessions ({recent.length})</summary>
          <ul>
            {recent.map((r) => (
              <li key={r.payload}>
                <button type="button" className="link-button" onClick={() => void reopenRecent(r.payload)}>
                  {r.model}
                </button>{' '}
                <span className="small muted">
                  {r.tensors} tensors, {new Date(r.savedAt).toLocaleString()}
                </span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {note && (
        <p className="small muted" data-testid="export-note">
          {note}
        </p>
      )}
    </Section>
  );
}

/** The link, selected once when it is made (so Ctrl+C copies it) without stealing focus later. */
function ShareUrl({ url }: { url: string }) {
  const ref = useRef<HTMLInputElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: select again whenever a new link is made
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, [url]);
  return (
    <input
      ref={ref}
      className="share-url"
      type="text"
      readOnly
      aria-label="Share link"
      value={url}
      data-testid="share-url"
      onFocus={(e) => e.target.select()}
    />
  );
}
