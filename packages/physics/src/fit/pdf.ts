import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';

/**
 * A probability density on a fixed observable range [lo, hi] (GeV for masses), normalised to 1
 * there, with named shape parameters. Invalid parameters (a width ≤ 0, a negative polynomial)
 * give NaN densities, which a likelihood turns into +∞ so a minimiser steps back: never a
 * silently wrong number.
 */
export interface Pdf {
  /** Parameter names, in the order `params` are passed. */
  readonly parameters: readonly string[];
  /** Observable range [lo, hi] on which the density integrates to 1. */
  readonly range: readonly [number, number];
  /** Normalised densities at the points xs (each inside the range). */
  density(xs: ArrayLike<number>, params: ArrayLike<number>): Float64Array;
  /**
   * Probability of each bin between consecutive `edges` (inside the range), as fractions of the
   * whole range: they sum to 1 when the edges span the range.
   */
  binFractions(edges: ArrayLike<number>, params: ArrayLike<number>): Float64Array;
}

/** Common options of the PDF factories. */
export interface PdfOptions {
  /** Observable range [lo, hi] of the normalisation. */
  range: readonly [number, number];
  /** Prefix for the parameter names (e.g. `sig.`), to keep names unique in a composite model. */
  prefix?: string;
}

/** Definition of a PDF by its unnormalised shape and, when known, an antiderivative of it. */
export interface ShapeDefinition {
  /** Parameter names without prefix. */
  parameters: readonly string[];
  /** False when the parameters are outside the domain (the density is then NaN). */
  valid(p: ArrayLike<number>): boolean;
  /** Unnormalised shape f(x) ≥ 0. */
  shape(x: number, p: ArrayLike<number>): number;
  /** Any antiderivative F with F′ = f; without it integrals use 8-point Gauss–Legendre panels. */
  primitive?(x: number, p: ArrayLike<number>): number;
}

/** Checks a range; returns it as a tuple. */
export function checkRange(range: readonly [number, number]): readonly [number, number] {
  const [lo, hi] = range;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    throw new PhysicsInputError(`range [${lo}, ${hi}] must be finite with lo < hi`, { field: 'range' });
  }
  return [lo, hi];
}

// 8-point Gauss–Legendre nodes and weights on [−1, 1] (Abramowitz & Stegun, table 25.4).
const GL_X = [
  -0.9602898564975363, -0.7966664774136267, -0.525532409916329, -0.1834346424956498, 0.1834346424956498,
  0.525532409916329, 0.7966664774136267, 0.9602898564975363,
];
const GL_W = [
  0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.362683783378362, 0.362683783378362, 0.3137066458778873,
  0.2223810344533745, 0.1012285362903763,
];

/** ∫_a^b f by `panels` 8-point Gauss–Legendre panels (exact for polynomials of degree ≤ 15 per panel). */
export function gaussLegendreIntegral(f: (x: number) => number, a: number, b: number, panels = 1): number {
  const width = (b - a) / panels;
  let sum = 0;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * width;
    for (let k = 0; k < 8; k++) sum += at(GL_W, k) * f(mid + 0.5 * width * at(GL_X, k));
  }
  return 0.5 * width * sum;
}

/** Number of Gauss–Legendre panels for the normalisation integral of a shape without primitive. */
const NORMALISATION_PANELS = 256;

/** Builds a {@link Pdf} from a {@link ShapeDefinition} on a range, with prefixed parameter names. */
export function definePdf(definition: ShapeDefinition, options: PdfOptions): Pdf {
  const range = checkRange(options.range);
  const [lo, hi] = range;
  const prefix = options.prefix ?? '';
  const { valid, shape, primitive } = definition;
  const integral = (a: number, b: number, p: ArrayLike<number>, panels: number): number =>
    primitive ? primitive(b, p) - primitive(a, p) : gaussLegendreIntegral((x) => shape(x, p), a, b, panels);
  const norm = (p: ArrayLike<number>): number => {
    const total = integral(lo, hi, p, NORMALISATION_PANELS);
    return total > 0 && Number.isFinite(total) ? total : Number.NaN;
  };
  return {
    parameters: definition.parameters.map((name) => prefix + name),
    range,
    density(xs, p) {
      const out = new Float64Array(xs.length);
      if (!valid(p)) return out.fill(Number.NaN);
      const n = norm(p);
      for (let i = 0; i < xs.length; i++) out[i] = shape(at(xs, i), p) / n;
      return out;
    },
    binFractions(edges, p) {
      const out = new Float64Array(Math.max(0, edges.length - 1));
      if (!valid(p)) return out.fill(Number.NaN);
      const n = norm(p);
      for (let i = 0; i < out.length; i++) out[i] = integral(at(edges, i), at(edges, i + 1), p, 2) / n;
      return out;
    },
  };
}
