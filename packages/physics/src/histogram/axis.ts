import { PhysicsInputError } from '../errors.ts';

/**
 * A binned axis with `nBins` in-range bins and two flow bins. Bin convention: bin i (1 … nBins)
 * holds lo_i ≤ x < hi_i; index 0 is the underflow (x < first edge, −∞ included) and nBins + 1 the
 * overflow (x ≥ last edge, +∞ included), as in ROOT. NaN is rejected by the fill methods.
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
    this.lo = edges[0] as number;
    this.hi = edges[this.nBins] as number;
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
   * Axis with the given edges (variable widths). Throws {@link PhysicsInputError} unless there are
   * at least two finite, strictly increasing edges.
   */
  static variable(edges: ArrayLike<number>): Axis {
    const e = Float64Array.from(edges);
    if (e.length < 2) throw new PhysicsInputError('an axis needs at least two edges', { field: 'edges' });
    for (let i = 0; i < e.length; i++) {
      if (!Number.isFinite(e[i] as number))
        throw new PhysicsInputError(`edges[${i}] is not finite`, { field: 'edges' });
      if (i > 0 && !((e[i] as number) > (e[i - 1] as number))) {
        throw new PhysicsInputError(`edges must be strictly increasing (at index ${i})`, { field: 'edges' });
      }
    }
    return new Axis(e, false);
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
      if (x < (e[i] as number)) i--;
      else if (x >= (e[i + 1] as number)) i++;
      return i + 1;
    }
    let lo = 0;
    let hi = this.nBins - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (x >= (e[mid] as number)) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Width of in-range bin i (1 … nBins). */
  width(i: number): number {
    return (this.edges[i] as number) - (this.edges[i - 1] as number);
  }

  /** Centre of in-range bin i (1 … nBins). */
  centre(i: number): number {
    return 0.5 * ((this.edges[i] as number) + (this.edges[i - 1] as number));
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
      while (j <= this.nBins && (this.edges[j] as number) < edge) j++;
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
