/**
 * Okabe–Ito colours (Okabe & Ito 2008, "Color Universal Design"), distinguishable with the common
 * colour-vision deficiencies. Ordered for a white background: yellow comes last (weak contrast).
 */
export const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** Colour of the i-th series (cycles through the palette). */
export function seriesColour(i: number): string {
  return OKABE_ITO[i % OKABE_ITO.length] ?? '#000000';
}

/**
 * Colour of a scale-factor cell on a diverging scale around SF = 1: Okabe–Ito blue below,
 * vermillion above, alpha growing linearly to full strength (0.55) at |SF − 1| ≥ 0.1; the number
 * in the cell carries the value itself.
 */
export function scaleFactorColour(value: number): string {
  const t = Math.max(-1, Math.min(1, (value - 1) / 0.1));
  const [r, g, b] = t < 0 ? [0, 114, 178] : [213, 94, 0];
  return `rgba(${r}, ${g}, ${b}, ${(0.55 * Math.abs(t)).toFixed(3)})`;
}
