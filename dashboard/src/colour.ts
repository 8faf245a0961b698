// Colour scales readable by colour-blind people: viridis (sequential, perceptually uniform,
// from dark purple to yellow) and a categorical palette (Okabe-Ito). Never red-green alone.

/** Viridis, 9 stops from 0 (dark purple) to 1 (yellow). */
export const VIRIDIS = [
  '#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c',
  '#28ae80', '#5ec962', '#addc30', '#fde725',
] as const;

/** The viridis stops reversed: 0 yellow (good, no gap) → 1 dark purple (largest gap). */
export const GAP_SCALE = [...VIRIDIS].reverse();

/** Okabe-Ito: eight colours distinguishable with any common colour-vision deficiency. */
export const CATEGORICAL = [
  '#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000',
] as const;

function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The colour at `t` (0..1) along `stops`, linearly interpolated. */
export function interpolate(stops: readonly string[], t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = hexToRgb(stops[i]);
  const b = hexToRgb(stops[i + 1]);
  const mix = a.map((c, k) => Math.round(c + (b[k] - c) * f));
  return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
}

/** Black or white, whichever reads better on `colour` (WCAG relative luminance). */
export function textOn(colour: string): '#000000' | '#ffffff' {
  const m = colour.match(/\d+/g);
  const [r, g, b] = (m ? m.map(Number) : hexToRgb(colour)).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.179 ? '#000000' : '#ffffff';
}
