import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis, coarserAxis } from './axis.ts';

/**
 * How the uncertainty of a ratio of histograms is computed (see {@link HistogramBase.divide}):
 * `uncorrelated` for independent numerator and denominator, `binomial` when the numerator is a
 * subset of the denominator (an efficiency).
 */
export type RatioMode = 'uncorrelated' | 'binomial';

/** Options of {@link HistogramBase.normalized}. */
export interface NormalizeOptions {
  /** Divide each bin by its volume (product of widths) so that Σ content·volume = 1 (default false). */
  density?: boolean;
  /** Include the flow bins in the total that is normalised to 1 (default false). */
  includeFlow?: boolean;
}

/** Throws {@link PhysicsInputError} unless the weight (or factor) `w` is finite. */
export function checkWeight(w: number, field = 'weight'): void {
  if (Number.isNaN(w) || !Number.isFinite(w)) throw new PhysicsInputError(`${field} is not finite (${w})`, { field });
}

/**
 * Shared storage and operations of {@link Hist1D}, {@link Hist2D} and {@link Hist3D}: per cell Σw and
 * Σw² (the variance of the content) over all bins including under/overflow, row-major with the last
 * axis fastest; cell index of axis k runs 0 (underflow) … nBins + 1 (overflow).
 */
export abstract class HistogramBase<T extends HistogramBase<T>> {
  readonly axes: readonly Axis[];
  /** Σw per cell, flow cells included. */
  readonly sumW: Float64Array;
  /** Σw² per cell, flow cells included. */
  readonly sumW2: Float64Array;
  protected readonly strides: readonly number[];

  protected constructor(axes: Axis[]) {
    this.axes = axes;
    const strides = new Array<number>(axes.length);
    let size = 1;
    for (let k = axes.length - 1; k >= 0; k--) {
      strides[k] = size;
      size *= at(axes, k).nBins + 2;
    }
    this.strides = strides;
    this.sumW = new Float64Array(size);
    this.sumW2 = new Float64Array(size);
  }

  /** A new empty histogram of the same kind on the given axes. */
  protected abstract make(axes: Axis[]): T;

  /** Deep copy. */
  clone(): T {
    const h = this.make([...this.axes]);
    h.sumW.set(this.sumW);
    h.sumW2.set(this.sumW2);
    return h;
  }

  /** Flat cell index from per-axis indices (0 … nBins + 1 each). */
  protected cell(indices: readonly number[]): number {
    let c = 0;
    for (let k = 0; k < indices.length; k++) {
      const i = at(indices, k);
      const axis = at(this.axes, k);
      if (!(Number.isInteger(i) && i >= 0 && i <= axis.nBins + 1)) {
        throw new PhysicsInputError(`bin index ${i} is outside 0 … ${axis.nBins + 1} on axis ${k}`, { field: 'index' });
      }
      c += i * at(this.strides, k);
    }
    return c;
  }

  /** Whether a flat cell lies inside every axis' range (not a flow cell). */
  protected inRange(cell: number): boolean {
    let c = cell;
    for (let k = 0; k < this.axes.length; k++) {
      const stride = at(this.strides, k);
      const i = Math.floor(c / stride);
      c -= i * stride;
      if (i === 0 || i === at(this.axes, k).nBins + 1) return false;
    }
    return true;
  }

  /** Volume (product of bin widths) of an in-range cell. */
  protected volume(cell: number): number {
    let c = cell;
    let v = 1;
    for (let k = 0; k < this.axes.length; k++) {
      const stride = at(this.strides, k);
      const i = Math.floor(c / stride);
      c -= i * stride;
      v *= at(this.axes, k).width(i);
    }
    return v;
  }

  /** Σw over the in-range cells, or over all cells with `includeFlow`. */
  sumOfWeights(includeFlow = false): number {
    let s = 0;
    for (let c = 0; c < this.sumW.length; c++) if (includeFlow || this.inRange(c)) s += at(this.sumW, c);
    return s;
  }

  /**
   * Kish effective number of entries (Σw)²/Σw² over all cells (flow included): the number of
   * unweighted events with the same relative statistical precision. 0 for an empty histogram.
   */
  effectiveEntries(): number {
    let s = 0;
    let s2 = 0;
    for (let c = 0; c < this.sumW.length; c++) {
      s += at(this.sumW, c);
      s2 += at(this.sumW2, c);
    }
    return s2 > 0 ? (s * s) / s2 : 0;
  }

  /** Copy with contents × k and variances × k². */
  scaled(k: number): T {
    checkWeight(k, 'k');
    const h = this.make([...this.axes]);
    for (let c = 0; c < this.sumW.length; c++) {
      h.sumW[c] = at(this.sumW, c) * k;
      h.sumW2[c] = at(this.sumW2, c) * k * k;
    }
    return h;
  }

  /**
   * Copy normalised to unit area: contents × 1/Σw (in-range Σw unless `includeFlow`), variances ×
   * 1/(Σw)² (the total is treated as fixed, the usual shape-comparison convention); with `density`
   * each in-range cell is also divided by its volume (units 1/(axis unit)^dims), flow cells are not.
   * Throws {@link PhysicsInputError} when the total is not > 0.
   */
  normalized(options: NormalizeOptions = {}): T {
    const total = this.sumOfWeights(options.includeFlow ?? false);
    if (!(total > 0))
      throw new PhysicsInputError(`cannot normalise a histogram whose total is ${total}`, { field: 'sumW' });
    const h = this.scaled(1 / total);
    if (options.density) {
      for (let c = 0; c < h.sumW.length; c++) {
        if (!this.inRange(c)) continue;
        const v = this.volume(c);
        h.sumW[c] = at(h.sumW, c) / v;
        h.sumW2[c] = at(h.sumW2, c) / (v * v);
      }
    }
    return h;
  }

  protected checkSameBinning(other: HistogramBase<T>, field: string): void {
    if (other.axes.length !== this.axes.length || other.axes.some((a, k) => !a.sameAs(at(this.axes, k)))) {
      throw new PhysicsInputError('the histograms have different binnings', { field });
    }
  }

  /** Copy of this + scale·other (contents), variances this + scale²·other. Same binning required. */
  add(other: T, scale = 1): T {
    this.checkSameBinning(other, 'other');
    checkWeight(scale, 'scale');
    const h = this.clone();
    for (let c = 0; c < h.sumW.length; c++) {
      h.sumW[c] = at(h.sumW, c) + scale * at(other.sumW, c);
      h.sumW2[c] = at(h.sumW2, c) + scale * scale * at(other.sumW2, c);
    }
    return h;
  }

  /**
   * Cell-by-cell ratio r = a/b of this histogram (a) over `den` (b), returned as a histogram whose
   * variance is σ²(r):
   *   uncorrelated: σ²(r) = (σ²_a b² + a² σ²_b)/b⁴   (independent a and b, first-order propagation);
   *   binomial:     σ²(r) = ((1 − 2r) σ²_a + r² σ²_b)/b²   (a a subset of b; for unit weights
   *                 r(1 − r)/b, as ROOT's TH1::Divide option "B"; see {@link weightedEfficiency}); the
   *                 absolute value is taken, as ROOT does, when negative weights make the bracket < 0.
   * Cells with b = 0 get NaN content and variance (the ratio is undefined there).
   * Reference: ROOT TH1::Divide; T. Ullrich, Z. Xu, arXiv:physics/0701199.
   * Throws {@link PhysicsInputError} for different binnings.
   */
  divide(den: T, mode: RatioMode = 'uncorrelated'): T {
    this.checkSameBinning(den, 'den');
    if (mode !== 'uncorrelated' && mode !== 'binomial') {
      throw new PhysicsInputError(`mode must be 'uncorrelated' or 'binomial' (got ${String(mode)})`, { field: 'mode' });
    }
    const h = this.make([...this.axes]);
    for (let c = 0; c < h.sumW.length; c++) {
      const a = at(this.sumW, c);
      const b = at(den.sumW, c);
      const va = at(this.sumW2, c);
      const vb = at(den.sumW2, c);
      if (b === 0) {
        h.sumW[c] = Number.NaN;
        h.sumW2[c] = Number.NaN;
        continue;
      }
      const r = a / b;
      h.sumW[c] = r;
      h.sumW2[c] =
        mode === 'uncorrelated'
          ? (va * b * b + a * a * vb) / (b * b * b * b)
          : Math.abs((1 - 2 * r) * va + r * r * vb) / (b * b);
    }
    return h;
  }

  /**
   * The axis `k` after rebinning by `spec`: merged by a factor (a number, see {@link coarserAxis}),
   * replaced by a subset of its edges (an array), or kept (`undefined`).
   */
  protected rebinAxis(k: number, spec: number | ArrayLike<number> | undefined): Axis | undefined {
    if (spec === undefined) return undefined;
    return typeof spec === 'number' ? coarserAxis(at(this.axes, k), spec) : Axis.variable(spec);
  }

  /**
   * Copy on coarser axes whose edges are subsets of the current ones (one per axis, `undefined`
   * keeps an axis); contents and variances of merged cells add. In-range bins outside a narrower new
   * range go to the flow bins. Throws {@link PhysicsInputError} when a new edge is not an old edge.
   */
  rebinned(newAxes: readonly (Axis | undefined)[]): T {
    if (newAxes.length !== this.axes.length) {
      throw new PhysicsInputError(`need ${this.axes.length} axes (got ${newAxes.length})`, { field: 'axes' });
    }
    const target = this.axes.map((a, k) => newAxes[k] ?? a);
    const maps = this.axes.map((a, k) => a.mappingTo(at(target, k)));
    const h = this.make(target);
    const dims = this.axes.length;
    const idx = new Array<number>(dims).fill(0);
    for (let c = 0; c < this.sumW.length; c++) {
      let rest = c;
      let nc = 0;
      for (let k = 0; k < dims; k++) {
        const stride = at(this.strides, k);
        idx[k] = Math.floor(rest / stride);
        rest -= at(idx, k) * stride;
        nc += at(at(maps, k), at(idx, k)) * at(h.strides, k);
      }
      h.sumW[nc] = at(h.sumW, nc) + at(this.sumW, c);
      h.sumW2[nc] = at(h.sumW2, nc) + at(this.sumW2, c);
    }
    return h;
  }
}
