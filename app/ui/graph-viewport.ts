// Where the graph view looks: the transforms for Fit, for bringing one node into view, and the
// visible part of the scene (for the minimap). Pure arithmetic on d3-zoom's {x, y, k}.
import type { LaidNode } from './graph-layout.js';

export interface View {
  readonly x: number;
  readonly y: number;
  readonly k: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** Boxes stay readable above this scale; focusing a node zooms to at least this. */
export const READABLE_SCALE = 0.8;
/** Below this scale the labels are hidden (unreadable anyway, and costly to paint). */
export const LABEL_SCALE = 0.35;

/** Room kept at the top for the tool bar (Fit, legends) so it does not cover the first nodes. */
const TOP_INSET = 52;

/** The whole graph centred (never above 125%); `readable` starts at the top at a readable scale. */
export function fitView(scene: Size, port: Size, readable: boolean): View {
  const height = Math.max(port.height - TOP_INSET, 1);
  const fit = Math.min(port.width / scene.width, height / scene.height, 1.25);
  const k = readable ? Math.max(fit, Math.min(0.85, port.width / scene.width)) : fit;
  const x = (port.width - scene.width * k) / 2;
  const y = TOP_INSET + (fit >= k ? (height - scene.height * k) / 2 : 0);
  return { x, y, k };
}

/** The scene rectangle the port shows under `view`. */
export function visibleRect(view: View, port: Size): { x: number; y: number; width: number; height: number } {
  return {
    x: -view.x / view.k,
    y: -view.y / view.k,
    width: port.width / view.k,
    height: port.height / view.k,
  };
}

/** Whether the node's box lies wholly in the port at a readable scale. */
export function nodeInView(node: LaidNode, view: View, port: Size): boolean {
  if (view.k < READABLE_SCALE / 2) return false;
  const r = visibleRect(view, port);
  return (
    node.x - node.width / 2 >= r.x &&
    node.x + node.width / 2 <= r.x + r.width &&
    node.y - node.height / 2 >= r.y &&
    node.y + node.height / 2 <= r.y + r.height
  );
}

/** The view centred on the node, zoomed in to a readable scale if it was below one. */
export function focusView(node: LaidNode, view: View, port: Size): View {
  const k = Math.max(view.k, READABLE_SCALE);
  return { x: port.width / 2 - node.x * k, y: port.height / 2 - node.y * k, k };
}
