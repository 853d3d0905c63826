import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import type { Axis } from './axis.ts';
import { checkWeight, HistogramBase } from './histogram-base.ts';

/** Three-dimensional weighted histogram (x, y, z), flow bins on every axis; see {@link Hist1D}. */
export class Hist3D extends HistogramBase<Hist3D> {
  readonly xAxis: Axis;
  readonly yAxis: Axis;
  readonly zAxis: Axis;

  constructor(xAxis: Axis, yAxis: Axis, zAxis: Axis) {
    super([xAxis, yAxis, zAxis]);
    this.xAxis = xAxis;
    this.yAxis = yAxis;
    this.zAxis = zAxis;
  }

  protected make(axes: Axis[]): Hist3D {
    return new Hist3D(at(axes, 0), at(axes, 1), at(axes, 2));
  }

  /** Adds weight w at (x, y, z); NaN coordinates or a non-finite weight throw {@link PhysicsInputError}. */
  fill(x: number, y: number, z: number, w = 1): void {
    const ix = this.xAxis.index(x);
    const iy = this.yAxis.index(y);
    const iz = this.zAxis.index(z);
    if (ix < 0 || iy < 0 || iz < 0) throw new PhysicsInputError('a coordinate is NaN', { field: 'x' });
    checkWeight(w);
    const c = ix * at(this.strides, 0) + iy * at(this.strides, 1) + iz;
    this.sumW[c] = at(this.sumW, c) + w;
    this.sumW2[c] = at(this.sumW2, c) + w * w;
  }

  /** Fills (x[i], y[i], z[i]) with optional weights. */
  fillArrays(x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>, weights?: ArrayLike<number>): void {
    const n = x.length;
    if (y.length !== n || z.length !== n || (weights && weights.length !== n)) {
      throw new PhysicsInputError('x, y, z and weights must have the same length', { field: 'y' });
    }
    for (let i = 0; i < n; i++) {
      this.fill(at(x, i), at(y, i), at(z, i), weights ? at(weights, i) : 1);
    }
  }

  /** Σw of cell (ix, iy, iz), each 0 (underflow) … nBins + 1 (overflow). */
  content(ix: number, iy: number, iz: number): number {
    return at(this.sumW, this.cell([ix, iy, iz]));
  }

  /** Σw² of cell (ix, iy, iz). */
  variance(ix: number, iy: number, iz: number): number {
    return at(this.sumW2, this.cell([ix, iy, iz]));
  }

  /** Rebin by per-axis factors or edge subsets (`undefined` keeps an axis). */
  rebin(x?: number | ArrayLike<number>, y?: number | ArrayLike<number>, z?: number | ArrayLike<number>): Hist3D {
    return this.rebinned([this.rebinAxis(0, x), this.rebinAxis(1, y), this.rebinAxis(2, z)]);
  }
}
