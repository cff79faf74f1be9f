import { useEffect } from 'react';
import { detectGpu, loadDefaultSample, loadModelFile, showNotice } from '../store/index.js';
import { GpuNotice } from './GpuNotice.js';
import { GraphView } from './GraphView.js';
import { ModelSummaryPanel } from './ModelSummaryPanel.js';
import { NodeInspector } from './NodeInspector.js';
import { NoticeBar } from './NoticeBar.js';
import { RunPanel } from './RunPanel.js';
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
  useEffect(() => {
    void loadDefaultSample();
    void detectGpu();
  }, []);
  return (
    <div className="app">
      <TopBar />
      <NoticeBar />
      <GpuNotice />
      <main className="workspace">
        <GraphView />
        <aside className="side-panel">
          <RunPanel />
          <NodeInspector />
          <ModelSummaryPanel />
        </aside>
      </main>
      {dragging && <div className="drop-overlay">Drop to open the model</div>}
    </div>
  );
}
