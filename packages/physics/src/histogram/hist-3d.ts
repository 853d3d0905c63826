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
    return new Hist3D(axes[0] as Axis, axes[1] as Axis, axes[2] as Axis);
  }

  /** Adds weight w at (x, y, z); NaN coordinates or a non-finite weight throw {@link PhysicsInputError}. */
  fill(x: number, y: number, z: number, w = 1): void {
    const ix = this.xAxis.index(x);
    const iy = this.yAxis.index(y);
    const iz = this.zAxis.index(z);
    if (ix < 0 || iy < 0 || iz < 0) throw new PhysicsInputError('a coordinate is NaN', { field: 'x' });
    checkWeight(w);
    const c = ix * (this.strides[0] as number) + iy * (this.strides[1] as number) + iz;
    this.sumW[c] = (this.sumW[c] as number) + w;
    this.sumW2[c] = (this.sumW2[c] as number) + w * w;
  }

  /** Fills (x[i], y[i], z[i]) with optional weights. */
  fillArrays(x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>, weights?: ArrayLike<number>): void {
    const n = x.length;
    if (y.length !== n || z.length !== n || (weights && weights.length !== n)) {
      throw new PhysicsInputError('x, y, z and weights must have the same length', { field: 'y' });
    }
    for (let i = 0; i < n; i++) {
      this.fill(x[i] as number, y[i] as number, z[i] as number, weights ? (weights[i] as number) : 1);
    }
  }

  /** Σw of cell (ix, iy, iz), each 0 (underflow) … nBins + 1 (overflow). */
  content(ix: number, iy: number, iz: number): number {
    return this.sumW[this.cell([ix, iy, iz])] as number;
  }

  /** Σw² of cell (ix, iy, iz). */
  variance(ix: number, iy: number, iz: number): number {
    return this.sumW2[this.cell([ix, iy, iz])] as number;
  }

  /** Rebin by per-axis factors or edge subsets (`undefined` keeps an axis). */
  rebin(x?: number | ArrayLike<number>, y?: number | ArrayLike<number>, z?: number | ArrayLike<number>): Hist3D {
    return this.rebinned([this.rebinAxis(0, x), this.rebinAxis(1, y), this.rebinAxis(2, z)]);
  }
}
