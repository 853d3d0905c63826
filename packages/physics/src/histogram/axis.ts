import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';

/**
 * What a lookup does with a value outside [lo, hi) — the one statement of the out-of-range rule for
 * every binning in hepml-edge (see {@link Axis.find}):
 * - `clamp`: below the first edge into the first bin, from the last edge up into the last bin (for
 *   lookups that must give every object a bin, e.g. a scale factor or a flat working point);
 * - `drop`: −1 (the object is not used, e.g. a resolution bin).
 * NaN gives −1 under either rule: a NaN belongs to no bin and the caller decides what it means.
 * The ROOT convention with flow bins (0 underflow, nBins + 1 overflow) is {@link Axis.index}.
 */
export type OutOfRange = 'clamp' | 'drop';

/** Options of {@link Axis.variable}. */
export interface AxisOptions {
  /** Name of the field the edges came from, used in the error message and `field` (default `edges`). */
  field?: string;
  /**
   * Allow −∞ as the first edge and +∞ as the last (default false), for binnings read from formats
   * with open edge bins (correctionlib's "-inf"/"inf"). The open bins have no finite width or
   * centre; lookups keep lo ≤ x < hi, so −∞ falls in an open first bin and +∞ overflows.
   */
  openEnds?: boolean;
}

/**
 * A binned axis with `nBins` in-range bins and two flow bins. Bin convention: bin i (1 … nBins)
 * holds lo_i ≤ x < hi_i; index 0 is the underflow (x < first edge, −∞ included) and nBins + 1 the
 * overflow (x ≥ last edge, +∞ included), as in ROOT. NaN is rejected by the fill methods.
 * Lookups: {@link Axis.index} (flow bins, ROOT's indices) and {@link Axis.find} (0-based in-range
 * bins with a stated {@link OutOfRange} rule).
 */
export class Axis {
  /** Bin edges, strictly increasing, length nBins + 1. */
  readonly edges: Float64Array;
  readonly nBins: number;
  /** True for equal-width bins (the arithmetic fast path). */
  readonly regular: boolean;
  /** First edge. */
  readonly lo: number;
  /** Last edge. */
  readonly hi: number;
  /** nBins/(hi − lo) for regular axes. */
  readonly inverseWidth: number;

  private constructor(edges: Float64Array, regular: boolean) {
    this.edges = edges;
    this.nBins = edges.length - 1;
    this.regular = regular;
    this.lo = at(edges, 0);
    this.hi = at(edges, this.nBins);
    this.inverseWidth = this.nBins / (this.hi - this.lo);
  }

  /**
   * Equal-width axis of `nBins` bins on [lo, hi); edges lo + i·(hi − lo)/nBins.
   * Throws {@link PhysicsInputError} unless nBins is a positive integer and lo < hi are finite.
   */
  static regular(nBins: number, lo: number, hi: number): Axis {
    if (!(Number.isInteger(nBins) && nBins > 0)) {
      throw new PhysicsInputError(`nBins must be a positive integer (got ${nBins})`, { field: 'nBins' });
    }
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
      throw new PhysicsInputError(`need finite lo < hi (got ${lo}, ${hi})`, { field: 'lo' });
    }
    const edges = new Float64Array(nBins + 1);
    for (let i = 0; i <= nBins; i++) edges[i] = lo + ((hi - lo) * i) / nBins;
    edges[nBins] = hi;
    return new Axis(edges, true);
  }

  /**
   * Axis with the given edges (variable widths). Throws {@link PhysicsInputError} naming
   * `options.field` unless there are at least two finite, strictly increasing edges (the one check
   * of bin edges in hepml-edge: readers of edges from files call it too); with `openEnds` the first
   * edge may be −∞ and the last +∞.
   */
  static variable(edges: ArrayLike<number>, options: AxisOptions = {}): Axis {
    const field = options.field ?? 'edges';
    const e = Float64Array.from(edges);
    if (e.length < 2) throw new PhysicsInputError(`${field}: an axis needs at least two edges`, { field });
    const i = Axis.firstBadEdge(e, options.openEnds === true);
    if (i >= 0) {
      if (!Number.isFinite(at(e, i))) throw new PhysicsInputError(`${field}[${i}] is not finite`, { field });
      throw new PhysicsInputError(`${field} must be strictly increasing (at index ${i})`, { field });
    }
    return new Axis(e, false);
  }

  /**
   * Index of the first edge that is not finite or not above the one before, −1 when there is none
   * (any number of edges, none included; with `openEnds`, −∞ first and +∞ last are allowed): the
   * edge check of {@link Axis.variable}, for validators
   * that report the offending element by its own path (a zod `superRefine`).
   */
  static firstBadEdge(edges: ArrayLike<number>, openEnds = false): number {
    const last = edges.length - 1;
    for (let i = 0; i < edges.length; i++) {
      const x = at(edges, i);
      const open = openEnds && ((i === 0 && x === -Infinity) || (i === last && x === Infinity));
      if (!(open || Number.isFinite(x))) return i;
      if (i > 0 && !(at(edges, i) > at(edges, i - 1))) return i;
    }
    return -1;
  }

  /** Bin index of x: 0 underflow, 1 … nBins in range, nBins + 1 overflow; NaN gives −1. */
  index(x: number): number {
    if (!(x >= this.lo)) return x < this.lo ? 0 : -1;
    if (x >= this.hi) return this.nBins + 1;
    const e = this.edges;
    if (this.regular) {
      let i = Math.floor((x - this.lo) * this.inverseWidth);
      // The product can round across an edge; the stored edges decide (lo ≤ x < hi exactly).
      if (i >= this.nBins) i = this.nBins - 1;
      if (x < at(e, i)) i--;
      else if (x >= at(e, i + 1)) i++;
      return i + 1;
    }
    let lo = 0;
    let hi = this.nBins - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (x >= at(e, mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /**
   * 0-based in-range bin of x (bin b holds edges[b] ≤ x < edges[b + 1], b = 0 … nBins − 1), with
   * values outside [lo, hi) handled by `outOfRange` (see {@link OutOfRange}); NaN gives −1.
   */
  find(x: number, outOfRange: OutOfRange): number {
    const i = this.index(x);
    if (i < 0) return -1;
    if (i === 0) return outOfRange === 'clamp' ? 0 : -1;
    if (i > this.nBins) return outOfRange === 'clamp' ? this.nBins - 1 : -1;
    return i - 1;
  }

  /** Width of in-range bin i (1 … nBins). */
  width(i: number): number {
    return at(this.edges, i) - at(this.edges, i - 1);
  }

  /** Centre of in-range bin i (1 … nBins). */
  centre(i: number): number {
    return 0.5 * (at(this.edges, i) + at(this.edges, i - 1));
  }

  /** Whether both axes have identical edges. */
  sameAs(other: Axis): boolean {
    if (other.nBins !== this.nBins) return false;
    for (let i = 0; i <= this.nBins; i++) if (other.edges[i] !== this.edges[i]) return false;
    return true;
  }

  /**
   * Map from this axis' indices (0 … nBins + 1) to those of `coarser`, whose edges must be a subset of
   * this axis' edges; flow bins map to flow bins, and in-range bins left outside the coarser range go
   * to its flow bins. Throws {@link PhysicsInputError} when an edge of `coarser` is not an edge here.
   */
  mappingTo(coarser: Axis): Int32Array {
    const map = new Int32Array(this.nBins + 2);
    let j = 0;
    for (const edge of coarser.edges) {
      while (j <= this.nBins && at(this.edges, j) < edge) j++;
      if (this.edges[j] !== edge) {
        throw new PhysicsInputError(`new edge ${edge} is not an edge of the axis being rebinned`, { field: 'edges' });
      }
    }
    map[0] = 0;
    map[this.nBins + 1] = coarser.nBins + 1;
    for (let i = 1; i <= this.nBins; i++) map[i] = coarser.index(this.centre(i));
    return map;
  }
}

/** Merge every `factor` adjacent bins of an axis (nBins must be divisible by factor). */
export function coarserAxis(axis: Axis, factor: number): Axis {
  if (!(Number.isInteger(factor) && factor >= 1 && axis.nBins % factor === 0)) {
    throw new PhysicsInputError(`factor ${factor} must be a positive integer dividing nBins = ${axis.nBins}`, {
      field: 'factor',
    });
  }
  const edges = new Float64Array(axis.nBins / factor + 1);
  for (let i = 0; i < edges.length; i++) edges[i] = at(axis.edges, i * factor);
  if (axis.regular) {
    // Keep the arithmetic fast path when the recomputed edges coincide bit for bit with the merged ones.
    const regular = Axis.regular(edges.length - 1, axis.lo, axis.hi);
    if (regular.edges.every((e, i) => e === edges[i])) return regular;
  }
  return Axis.variable(edges);
}

/**
 * The lookup of the m + 1 bins that m ≥ 0 cut points c₁ < … < c_m split the real line into: bin k
 * (0 … m) holds c_k ≤ x < c_(k+1) with c₀ = −∞ and c_(m+1) = +∞, i.e. the returned function gives
 * the number of points ≤ x. For m ≥ 2 that is {@link Axis.index} of the axis with these edges
 * (underflow 0, overflow m); the same rule holds for m = 1 (two bins) and m = 0 (one), where no
 * axis exists — thresholds learnt from data have them (a binary column has one cut point, a
 * constant one none). NaN gives −1 (no bin; the caller decides). Throws {@link PhysicsInputError}
 * naming `options.field` unless the points are finite and strictly increasing.
 */
export function cutPointIndex(points: ArrayLike<number>, options: AxisOptions = {}): (x: number) => number {
  if (points.length >= 2) {
    const axis = Axis.variable(points, options);
    return (x) => axis.index(x);
  }
  const field = options.field ?? 'edges';
  if (Axis.firstBadEdge(points) >= 0) throw new PhysicsInputError(`${field}[0] is not finite`, { field });
  if (points.length === 1) {
    const c = at(points, 0);
    return (x) => (x >= c ? 1 : x < c ? 0 : -1);
  }
  return (x) => (Number.isNaN(x) ? -1 : 0);
}
