// Drag-and-drop of a model anywhere on the page. Listening on the window (not on an element)
// means a drop on the graph, the panel or the notice all count, and the browser never navigates
// to the dropped file. An element marked `data-own-drop` (the calibration data's drop zone)
// takes its own drops: over it the page's drop target steps aside.
import { useEffect, useState } from 'react';

/** Where a file is being dragged: over the page (a drop opens a model), over an own drop zone, or nowhere. */
export type DragState = 'page' | 'zone' | null;

export function useFileDrop(onFiles: (files: FileList) => void): DragState {
  const [dragging, setDragging] = useState<DragState>(null);
  useEffect(() => {
    let depth = 0; // dragenter/leave fire for every child crossed; count them
    const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
    const inZone = (e: DragEvent) =>
      e.target instanceof Element && e.target.closest('[data-own-drop]') !== null;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(inZone(e) ? 'zone' : 'page');
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setDragging(inZone(e) ? 'zone' : 'page');
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(null);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(null);
      if (inZone(e)) return; // the zone's own handler took it
      if (e.dataTransfer?.files.length) onFiles(e.dataTransfer.files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [onFiles]);
  return dragging;
}
