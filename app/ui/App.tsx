import { useEffect } from 'react';
import { detectGpu, loadModelFile, openInitialModel, showNotice } from '../store/index.js';
import { followInputDims, openSharedLink, restoreLastSession, startQuantSync } from '../store/quant-index.js';
import { CalibrationPanel } from './CalibrationPanel.js';
import { ExportPanel } from './ExportPanel.js';
import { GpuNotice } from './GpuNotice.js';
import { GraphView } from './GraphView.js';
import { InspectorPanel } from './InspectorPanel.js';
import { MetricsPanel } from './MetricsPanel.js';
import { ModelSummaryPanel } from './ModelSummaryPanel.js';
import { NodeInspector } from './NodeInspector.js';
import { NoticeBar } from './NoticeBar.js';
import { RunPanel } from './RunPanel.js';
import { StrategyPanel } from './StrategyPanel.js';
import { TopBar } from './TopBar.js';
import { useFileDrop } from './use-file-drop.js';

function openDropped(files: FileList): void {
  void loadModelFile(files[0]).then((ok) => {
    if (ok && files.length > 1)
      showNotice('info', `${files.length} files dropped: opened ${files[0].name} only`);
  });
}

export function App() {
  const dragging = useFileDrop(openDropped);
  useEffect(() => startQuantSync(), []);
  useEffect(() => followInputDims(), []);
  useEffect(() => {
    // A share link (#s=…) opens its session; ?model=<url> its model; else the last session kept in
    // this browser, or the default sample.
    const initial = () => openInitialModel(window.location.search);
    if (window.location.hash.startsWith('#s=')) void openSharedLink(window.location.hash, initial);
    else if (new URLSearchParams(window.location.search).has('model')) void initial();
    else
      void restoreLastSession(initial).then((restored) => {
        if (!restored) void initial();
      });
    void detectGpu();
  }, []);
  return (
    <div className="app">
      <TopBar />
      <NoticeBar />
      <GpuNotice />
      <main className="workspace">
        <aside className="quant-panel" aria-label="Quantization">
          <CalibrationPanel />
          <MetricsPanel />
          <StrategyPanel />
          <ExportPanel />
        </aside>
        <GraphView />
        <aside className="side-panel">
          <InspectorPanel />
          <RunPanel />
          <NodeInspector />
          <ModelSummaryPanel />
        </aside>
      </main>
      {dragging === 'page' && (
        <div className="drop-overlay">
          <span className="drop-label">Drop to open the model</span>
        </div>
      )}
    </div>
  );
}
