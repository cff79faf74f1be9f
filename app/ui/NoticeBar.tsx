import { dismissNotice, useAppStore } from '../store/index.js';

/** The one-line notice for bad input and other problems; the text is rendered, never parsed. */
export function NoticeBar() {
  const notice = useAppStore((s) => s.notice);
  if (!notice) return null;
  return (
    <div
      className={`notice notice-${notice.kind}`}
      role={notice.kind === 'error' ? 'alert' : 'status'}
      data-testid="notice"
    >
      <span className="notice-text" title={notice.text}>
        {notice.text}
      </span>
      <button type="button" className="notice-close" aria-label="Dismiss" onClick={dismissNotice}>
        ×
      </button>
    </div>
  );
}
