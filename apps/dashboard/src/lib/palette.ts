/**
 * Okabe–Ito colours (Okabe & Ito 2008, "Color Universal Design"), distinguishable with the common
 * colour-vision deficiencies. Ordered for a white background: yellow comes last (weak contrast).
 */
export const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** Colour of the i-th series (cycles through the palette). */
export function seriesColour(i: number): string {
  return OKABE_ITO[i % OKABE_ITO.length] ?? '#000000';
}
