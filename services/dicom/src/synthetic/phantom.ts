/** An axis-aligned ellipsoid in patient coordinates (mm); a huge radius makes an infinite cylinder. */
export interface PhantomShape {
  name: string;
  center: readonly [number, number, number];
  radii: readonly [number, number, number];
  value: number;
}

/** Shapes are painted in order on a background value: later shapes cover earlier ones. */
export interface Phantom {
  background: number;
  shapes: PhantomShape[];
}

const FAR = 1e7;

/** CT body phantom in HU: air, soft-tissue trunk, two lungs, a spine and a lesion sphere centred at lesionZ. */
export function ctPhantom(lesionZ: number): Phantom {
  return {
    background: -1000,
    shapes: [
      { name: 'body', center: [0, 0, 0], radii: [150, 110, FAR], value: 40 },
      { name: 'right-lung', center: [-75, -15, 0], radii: [45, 60, FAR], value: -850 },
      { name: 'left-lung', center: [75, -15, 0], radii: [45, 60, FAR], value: -850 },
      { name: 'spine', center: [0, 80, 0], radii: [16, 16, FAR], value: 700 },
      { name: 'lesion', center: [30, 45, lesionZ], radii: [18, 18, 18], value: 150 },
    ],
  };
}

/** MR head phantom in arbitrary 12-bit signal units: scalp/skull shell, brain and a bright lesion. */
export function mrPhantom(center: readonly [number, number, number] = [0, 0, 0]): Phantom {
  const [x, y, z] = center;
  return {
    background: 0,
    shapes: [
      { name: 'head', center: [x, y, z], radii: [72, 95, 110], value: 300 },
      { name: 'brain', center: [x, y, z + 8], radii: [62, 84, 92], value: 700 },
      { name: 'lesion', center: [x + 12, y - 20, z + 30], radii: [12, 12, 12], value: 1500 },
    ],
  };
}

function inside(shape: PhantomShape, point: readonly number[]): boolean {
  let sum = 0;
  for (let i = 0; i < 3; i++) {
    const d = ((point[i] ?? 0) - shape.center[i]!) / shape.radii[i]!;
    sum += d * d;
  }
  return sum <= 1;
}

/** The phantom's value at one point: what a test expects at a pixel whose patient position it knows. */
export function phantomValueAt(phantom: Phantom, point: readonly number[]): number {
  let value = phantom.background;
  for (const shape of phantom.shapes) if (inside(shape, point)) value = shape.value;
  return value;
}

/**
 * Fills one image plane: for each row the line of pixel centres is intersected with each ellipsoid analytically
 * (a quadratic in the column index), so a 512×512 slice costs a few typed-array fills, not 262k point tests.
 */
export function renderPhantomPlane(
  phantom: Phantom,
  plane: {
    rows: number;
    cols: number;
    origin: readonly number[];
    rowDirection: readonly number[];
    colDirection: readonly number[];
    pixelSpacing: readonly [number, number];
  },
  toStored: (value: number) => number,
  out: Uint16Array | Int16Array,
): void {
  const { rows, cols, origin, rowDirection, colDirection, pixelSpacing } = plane;
  // DICOM: PixelSpacing is [between rows, between columns]; the row direction cosine is the one along a row.
  const stepAlongRow = rowDirection.map((v) => v * pixelSpacing[1]);
  const stepDownCols = colDirection.map((v) => v * pixelSpacing[0]);
  out.fill(toStored(phantom.background));
  const storedValues = phantom.shapes.map((s) => toStored(s.value));
  for (let r = 0; r < rows; r++) {
    const start = [0, 1, 2].map((i) => origin[i]! + r * stepDownCols[i]!);
    const rowOffset = r * cols;
    phantom.shapes.forEach((shape, index) => {
      let a = 0;
      let b = 0;
      let c = -1;
      for (let i = 0; i < 3; i++) {
        const inv = 1 / shape.radii[i]!;
        const d = stepAlongRow[i]! * inv;
        const p = (start[i]! - shape.center[i]!) * inv;
        a += d * d;
        b += 2 * d * p;
        c += p * p;
      }
      const disc = b * b - 4 * a * c;
      if (a === 0 || disc < 0) return;
      const root = Math.sqrt(disc);
      const first = Math.max(0, Math.ceil((-b - root) / (2 * a)));
      const last = Math.min(cols - 1, Math.floor((-b + root) / (2 * a)));
      if (first <= last) out.fill(storedValues[index]!, rowOffset + first, rowOffset + last + 1);
    });
  }
}
