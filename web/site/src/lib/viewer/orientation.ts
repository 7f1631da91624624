// Orientation letters (L/R, A/P, H/F) for the edges of a 2D view, from patient (LPS) directions.

export type Vec3 = readonly [number, number, number];

/**
 * The letters for a direction in the patient's LPS frame, strongest axis first, e.g. [0.9,0,-0.4]
 * → "LF". Components below 0.25 are omitted as oblique noise, as most PACS do.
 */
export function orientationLetters(v: Vec3): string {
  const axes: Array<[number, string, string]> = [
    [v[0], 'L', 'R'],
    [v[1], 'P', 'A'],
    [v[2], 'H', 'F'],
  ];
  return axes
    .filter(([c]) => Math.abs(c) >= 0.25)
    .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
    .map(([c, pos, neg]) => (c > 0 ? pos : neg))
    .join('');
}

export function negate(v: Vec3): Vec3 {
  return [-v[0], -v[1], -v[2]];
}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export interface EdgeMarkers {
  top: string;
  bottom: string;
  left: string;
  right: string;
}

/**
 * Markers for a camera looking along `viewPlaneNormal` (towards the viewer) with `viewUp` pointing
 * to the top of the screen; the right of the screen is viewUp × normal.
 */
export function edgeMarkers(viewUp: Vec3, viewPlaneNormal: Vec3): EdgeMarkers {
  const right = cross(viewUp, viewPlaneNormal);
  return {
    top: orientationLetters(viewUp),
    bottom: orientationLetters(negate(viewUp)),
    right: orientationLetters(right),
    left: orientationLetters(negate(right)),
  };
}
