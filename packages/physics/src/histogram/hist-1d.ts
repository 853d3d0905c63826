import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from './axis.ts';
import { checkWeight, HistogramBase } from './histogram-base.ts';

/**
 * One-dimensional weighted histogram with under/overflow (bin convention lo ≤ x < hi, see
 * {@link Axis}). Bin index i: 0 underflow, 1 … nBins, nBins + 1 overflow.
 */
export class Hist1D extends HistogramBase<Hist1D> {
  readonly axis: Axis;

  constructor(axis: Axis) {
    super([axis]);
    this.axis = axis;
  }

  /** Equal-width histogram: nBins on [lo, hi). */
  static regular(nBins: number, lo: number, hi: number): Hist1D {
    return new Hist1D(Axis.regular(nBins, lo, hi));
  }

  /** Histogram with the given (variable) edges. */
  static variable(edges: ArrayLike<number>): Hist1D {
    return new Hist1D(Axis.variable(edges));
  }

  protected make(axes: Axis[]): Hist1D {
    return new Hist1D(at(axes, 0));
  }

  /** Adds weight w (default 1) at x; NaN x or non-finite w throws {@link PhysicsInputError}. */
  fill(x: number, w = 1): void {
    const b = this.axis.index(x);
    if (b < 0) throw new PhysicsInputError('x is NaN', { field: 'x' });
    checkWeight(w);
    this.sumW[b] = at(this.sumW, b) + w;
    this.sumW2[b] = at(this.sumW2, b) + w * w;
  }

  /**
   * Fills every x (with weights when given). A tight loop with arithmetic binning for regular axes
   * (≥ 10⁷ fills/s, see bench/physics.bench.ts). Throws {@link PhysicsInputError} on the first NaN x
   * or non-finite weight; entries before it stay filled.
   */
  fillArray(x: ArrayLike<number>, weights?: ArrayLike<number>): void {
    const n = x.length;
    if (weights && weights.length !== n) {
      throw new PhysicsInputError(`weights has ${weights.length} entries, x has ${n}`, { field: 'weights' });
    }
    const sw = this.sumW;
    const sw2 = this.sumW2;
    const axis = this.axis;
    if (!axis.regular) {
      for (let i = 0; i < n; i++) this.fill(at(x, i), weights ? at(weights, i) : 1);
      return;
    }
    const lo = axis.lo;
    const hi = axis.hi;
    const inv = axis.inverseWidth;
    const nb = axis.nBins;
    const e = axis.edges;
    for (let i = 0; i < n; i++) {
      const v = at(x, i);
      let b: number;
      if (v >= lo) {
        if (v < hi) {
          let k = ((v - lo) * inv) | 0;
          if (k >= nb) k = nb - 1;
          if (v < at(e, k)) k--;
          else if (v >= at(e, k + 1)) k++;
          b = k + 1;
        } else {
          b = nb + 1;
        }
      } else if (v < lo) {
        b = 0;
      } else {
        throw new PhysicsInputError(`x[${i}] is NaN`, { field: 'x' });
      }
      if (weights) {
        const w = at(weights, i);
        if (!(w - w === 0)) throw new PhysicsInputError(`weights[${i}] is not finite (${w})`, { field: 'weights' });
        sw[b] = at(sw, b) + w;
        sw2[b] = at(sw2, b) + w * w;
      } else {
        sw[b] = at(sw, b) + 1;
        sw2[b] = at(sw2, b) + 1;
      }
    }
  }

  /** Σw of bin i (0 underflow … nBins + 1 overflow). */
  content(i: number): number {
    return at(this.sumW, this.cell([i]));
  }

  /** Σw² (variance) of bin i. */
  variance(i: number): number {
    return at(this.sumW2, this.cell([i]));
  }

  /** √Σw² of bin i. */
  error(i: number): number {
    return Math.sqrt(this.variance(i));
  }

  /** Σw of the underflow bin (x < first edge). */
  get underflow(): number {
    return at(this.sumW, 0);
  }

  /** Σw of the overflow bin (x ≥ last edge). */
  get overflow(): number {
    return at(this.sumW, this.axis.nBins + 1);
  }

  /** In-range contents (copy, length nBins). */
  values(): Float64Array {
    return this.sumW.slice(1, this.axis.nBins + 1);
  }

  /** In-range variances Σw² (copy, length nBins). */
  variances(): Float64Array {
    return this.sumW2.slice(1, this.axis.nBins + 1);
  }

  /** In-range errors √Σw² (length nBins). */
  errors(): Float64Array {
    return this.variances().map(Math.sqrt);
  }

  /** Merge every `factor` adjacent bins, or rebin onto `edges` (a subset of the current edges). */
  rebin(factorOrEdges: number | ArrayLike<number>): Hist1D {
    return this.rebinned([this.rebinAxis(0, factorOrEdges)]);
  }
}
