import { useRef } from 'react';
import { loadModelFile, useAppStore } from '../store/index.js';
import { GpuStatusLine } from './GpuStatusLine.js';

export function TopBar() {
  const summary = useAppStore((s) => s.summary);
  const loading = useAppStore((s) => s.loading);
  const input = useRef<HTMLInputElement>(null);
  return (
    <header className="top-bar">
      <span className="app-title">Quantization Playground</span>
      <span className="model-name" data-testid="model-name">
        {loading ? `loading ${loading}…` : summary ? summary.fileName : 'no model'}
      </span>
      {summary && (
        <span className="model-count muted" data-testid="node-count">
          {summary.nodeCount} nodes
        </span>
      )}
      <button type="button" className="button" onClick={() => input.current?.click()}>
        Open model…
      </button>
      <input
        ref={input}
        type="file"
        accept=".onnx"
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = ''; // picking the same file again should load it again
          if (file) void loadModelFile(file);
        }}
      />
      <span className="spacer" />
      <GpuStatusLine />
    </header>
  );
}
