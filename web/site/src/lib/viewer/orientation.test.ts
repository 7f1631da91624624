import { describe, expect, it } from 'vitest';
import { edgeMarkers, orientationLetters } from './orientation.ts';

describe('orientation markers', () => {
  it('names LPS directions with the strongest axis first', () => {
    expect(orientationLetters([1, 0, 0])).toBe('L');
    expect(orientationLetters([0, -1, 0])).toBe('A');
    expect(orientationLetters([0, 0, 1])).toBe('H');
    expect(orientationLetters([-0.4, 0, -0.9])).toBe('FR');
    expect(orientationLetters([0.1, 0.99, 0])).toBe('P');
  });

  it('shows an axial slice the radiological way: patient left on screen right, anterior up', () => {
    // Camera looking from the feet: normal towards the viewer is -z, up is anterior (-y).
    expect(edgeMarkers([0, -1, 0], [0, 0, -1])).toEqual({ top: 'A', bottom: 'P', left: 'R', right: 'L' });
  });

  it('shows a coronal slice with head up and patient left on screen right', () => {
    expect(edgeMarkers([0, 0, 1], [0, -1, 0])).toEqual({ top: 'H', bottom: 'F', left: 'R', right: 'L' });
  });
});
