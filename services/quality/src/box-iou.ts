/** Axis-aligned box in image coordinates (pixels), corners in any order. */
export interface Box2 {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Exact IoU of two axis-aligned boxes; two degenerate (zero-area) boxes give 0. */
export function boxIou(a: Box2, b: Box2): number {
  const ax0 = Math.min(a.x0, a.x1);
  const ax1 = Math.max(a.x0, a.x1);
  const ay0 = Math.min(a.y0, a.y1);
  const ay1 = Math.max(a.y0, a.y1);
  const bx0 = Math.min(b.x0, b.x1);
  const bx1 = Math.max(b.x0, b.x1);
  const by0 = Math.min(b.y0, b.y1);
  const by1 = Math.max(b.y0, b.y1);
  const iw = Math.max(0, Math.min(ax1, bx1) - Math.max(ax0, bx0));
  const ih = Math.max(0, Math.min(ay1, by1) - Math.max(ay0, by0));
  const inter = iw * ih;
  const union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter;
  return union > 0 ? inter / union : 0;
}
