import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import type { Axis } from './axis.ts';
import { Hist1D } from './hist-1d.ts';
import { checkWeight, HistogramBase } from './histogram-base.ts';

/** Two-dimensional weighted histogram (x, y), flow bins on both axes; see {@link Hist1D}. */
export class Hist2D extends HistogramBase<Hist2D> {
  readonly xAxis: Axis;
  readonly yAxis: Axis;

  constructor(xAxis: Axis, yAxis: Axis) {
    super([xAxis, yAxis]);
    this.xAxis = xAxis;
    this.yAxis = yAxis;
  }

  protected make(axes: Axis[]): Hist2D {
    return new Hist2D(at(axes, 0), at(axes, 1));
  }

  /** Adds weight w at (x, y); NaN coordinates or a non-finite weight throw {@link PhysicsInputError}. */
  fill(x: number, y: number, w = 1): void {
    const ix = this.xAxis.index(x);
    const iy = this.yAxis.index(y);
    if (ix < 0 || iy < 0) throw new PhysicsInputError('a coordinate is NaN', { field: ix < 0 ? 'x' : 'y' });
    checkWeight(w);
    const c = ix * at(this.strides, 0) + iy;
    this.sumW[c] = at(this.sumW, c) + w;
    this.sumW2[c] = at(this.sumW2, c) + w * w;
  }

  /** Fills (x[i], y[i]) with optional weights. */
  fillArrays(x: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): void {
    if (y.length !== x.length || (weights && weights.length !== x.length)) {
      throw new PhysicsInputError('x, y and weights must have the same length', { field: 'y' });
    }
    for (let i = 0; i < x.length; i++) this.fill(at(x, i), at(y, i), weights ? at(weights, i) : 1);
  }

  /** Σw of cell (ix, iy), each 0 (underflow) … nBins + 1 (overflow). */
  content(ix: number, iy: number): number {
    return at(this.sumW, this.cell([ix, iy]));
  }

  /** Σw² of cell (ix, iy). */
  variance(ix: number, iy: number): number {
    return at(this.sumW2, this.cell([ix, iy]));
  }

  /** Projection on x: Σ over all y bins (flow included), contents and variances. */
  projectionX(): Hist1D {
    const h = new Hist1D(this.xAxis);
    const ny = this.yAxis.nBins + 2;
    for (let ix = 0; ix < this.xAxis.nBins + 2; ix++) {
      for (let iy = 0; iy < ny; iy++) {
        h.sumW[ix] = at(h.sumW, ix) + at(this.sumW, ix * ny + iy);
        h.sumW2[ix] = at(h.sumW2, ix) + at(this.sumW2, ix * ny + iy);
      }
    }
    return h;
  }

  /** Projection on y: Σ over all x bins (flow included). */
  projectionY(): Hist1D {
    const h = new Hist1D(this.yAxis);
    const ny = this.yAxis.nBins + 2;
    for (let ix = 0; ix < this.xAxis.nBins + 2; ix++) {
      for (let iy = 0; iy < ny; iy++) {
        h.sumW[iy] = at(h.sumW, iy) + at(this.sumW, ix * ny + iy);
        h.sumW2[iy] = at(h.sumW2, iy) + at(this.sumW2, ix * ny + iy);
      }
    }
    return h;
  }

  /** Rebin by per-axis factors or edge subsets (`undefined` keeps an axis). */
  rebin(x?: number | ArrayLike<number>, y?: number | ArrayLike<number>): Hist2D {
    return this.rebinned([this.rebinAxis(0, x), this.rebinAxis(1, y)]);
  }
}
