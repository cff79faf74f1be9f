// Downloads (QDQ model, session, overrides, Model Explorer node data) and the session upload.
import { oneLine } from './one-line.js';
import { modelName, refreshMetrics } from './quant-actions.js';
import { quantCall } from './quant-client.js';
import { getQuant, setQuant } from './quant-store.js';
import type { CalibrationOverview, ExportFiles } from './quant-types.js';
import { modelExplorerNodeData } from './quant-views.js';

export type ExportKind = 'qdq' | 'session' | 'overrides' | 'model-explorer';

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The export files of the current session (also used by tests). */
export function exportFiles(): Promise<ExportFiles> {
  return quantCall<ExportFiles>({ method: 'export' }).promise;
}

export async function downloadExport(kind: ExportKind): Promise<void> {
  try {
    setQuant({ busy: 'export', error: null });
    if (kind === 'model-explorer') {
      const m = getQuant().metrics;
      if (!m) throw new Error('no metrics yet: calibrate first');
      const json = JSON.stringify(modelExplorerNodeData(m, getQuant().sqnrKind), null, 2);
      download(`${baseName()}.sqnr-${getQuant().sqnrKind}.model-explorer.json`, json, 'application/json');
      setQuant({ exportNote: 'Model Explorer node data downloaded' });
      return;
    }
    const f = await exportFiles();
    if (kind === 'qdq') {
      download(`${f.baseName}.qdq.onnx`, f.qdq as Uint8Array<ArrayBuffer>, 'application/octet-stream');
      setQuant({
        exportNote: `${f.baseName}.qdq.onnx: ${f.qdq.length.toLocaleString('en-US')} bytes, ${f.quantizeOps} QuantizeLinear`,
      });
    } else if (kind === 'session') {
      download(`${f.baseName}.session.json`, f.session, 'application/json');
      setQuant({ exportNote: `${f.baseName}.session.json downloaded` });
    } else {
      download(`${f.baseName}.overrides.json`, f.overrides, 'application/json');
      setQuant({ exportNote: `${f.baseName}.overrides.json (onnxruntime TensorQuantOverrides) downloaded` });
    }
  } catch (e) {
    const text = oneLine(`Export failed: ${(e as Error).message}`, 400);
    setQuant({ error: text, message: text });
  } finally {
    setQuant({ busy: null });
  }
}

function baseName(): string {
  return modelName().replace(/\.onnx$/i, '');
}

/** A session document chosen by the user: read strictly and checked against the open model. */
export async function uploadSession(file: { name: string; text(): Promise<string> }): Promise<boolean> {
  try {
    setQuant({ busy: 'update', error: null });
    const text = await file.text();
    const r = await quantCall<{ notes: string[]; overview: CalibrationOverview }>({
      method: 'loadSession',
      text,
      where: file.name,
    }).promise;
    const config = await quantCall<ReturnType<typeof getQuant>['config']>({ method: 'config' }).promise;
    setQuant({
      config,
      overview: r.overview,
      phase: 'done',
      metrics: null,
      tensor: null,
      exportNote: r.notes.length > 0 ? r.notes.join('; ') : `session ${file.name} loaded`,
    });
    setQuant({ busy: null });
    await refreshMetrics(false);
    return true;
  } catch (e) {
    const text = oneLine(`Could not load the session ${file.name}: ${(e as Error).message}`, 400);
    setQuant({ error: text, message: text, busy: null });
    return false;
  }
}
