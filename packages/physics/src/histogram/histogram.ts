import { PhysicsInputError } from '../errors.ts';
import { Axis } from './axis.ts';

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

function checkWeight(w: number, field = 'weight'): void {
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
      size *= (axes[k] as Axis).nBins + 2;
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
      const i = indices[k] as number;
      const axis = this.axes[k] as Axis;
      if (!(Number.isInteger(i) && i >= 0 && i <= axis.nBins + 1)) {
        throw new PhysicsInputError(`bin index ${i} is outside 0 … ${axis.nBins + 1} on axis ${k}`, { field: 'index' });
      }
      c += i * (this.strides[k] as number);
    }
    return c;
  }

  /** Whether a flat cell lies inside every axis' range (not a flow cell). */
  protected inRange(cell: number): boolean {
    let c = cell;
    for (let k = 0; k < this.axes.length; k++) {
      const stride = this.strides[k] as number;
      const i = Math.floor(c / stride);
      c -= i * stride;
      if (i === 0 || i === (this.axes[k] as Axis).nBins + 1) return false;
    }
    return true;
  }

  /** Volume (product of bin widths) of an in-range cell. */
  protected volume(cell: number): number {
    let c = cell;
    let v = 1;
    for (let k = 0; k < this.axes.length; k++) {
      const stride = this.strides[k] as number;
      const i = Math.floor(c / stride);
      c -= i * stride;
      v *= (this.axes[k] as Axis).width(i);
    }
    return v;
  }

  /** Σw over the in-range cells, or over all cells with `includeFlow`. */
  sumOfWeights(includeFlow = false): number {
    let s = 0;
    for (let c = 0; c < this.sumW.length; c++) if (includeFlow || this.inRange(c)) s += this.sumW[c] as number;
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
      s += this.sumW[c] as number;
      s2 += this.sumW2[c] as number;
    }
    return s2 > 0 ? (s * s) / s2 : 0;
  }

  /** Copy with contents × k and variances × k². */
  scaled(k: number): T {
    checkWeight(k, 'k');
    const h = this.make([...this.axes]);
    for (let c = 0; c < this.sumW.length; c++) {
      h.sumW[c] = (this.sumW[c] as number) * k;
      h.sumW2[c] = (this.sumW2[c] as number) * k * k;
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
        h.sumW[c] = (h.sumW[c] as number) / v;
        h.sumW2[c] = (h.sumW2[c] as number) / (v * v);
      }
    }
    return h;
  }

  protected checkSameBinning(other: HistogramBase<T>, field: string): void {
    if (other.axes.length !== this.axes.length || other.axes.some((a, k) => !a.sameAs(this.axes[k] as Axis))) {
      throw new PhysicsInputError('the histograms have different binnings', { field });
    }
  }

  /** Copy of this + scale·other (contents), variances this + scale²·other. Same binning required. */
  add(other: T, scale = 1): T {
    this.checkSameBinning(other, 'other');
    checkWeight(scale, 'scale');
    const h = this.clone();
    for (let c = 0; c < h.sumW.length; c++) {
      h.sumW[c] = (h.sumW[c] as number) + scale * (other.sumW[c] as number);
      h.sumW2[c] = (h.sumW2[c] as number) + scale * scale * (other.sumW2[c] as number);
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
      const a = this.sumW[c] as number;
      const b = den.sumW[c] as number;
      const va = this.sumW2[c] as number;
      const vb = den.sumW2[c] as number;
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
   * Copy on coarser axes whose edges are subsets of the current ones (one per axis, `undefined`
   * keeps an axis); contents and variances of merged cells add. In-range bins outside a narrower new
   * range go to the flow bins. Throws {@link PhysicsInputError} when a new edge is not an old edge.
   */
  rebinned(newAxes: readonly (Axis | undefined)[]): T {
    if (newAxes.length !== this.axes.length) {
      throw new PhysicsInputError(`need ${this.axes.length} axes (got ${newAxes.length})`, { field: 'axes' });
    }
    const target = this.axes.map((a, k) => newAxes[k] ?? a);
    const maps = this.axes.map((a, k) => a.mappingTo(target[k] as Axis));
    const h = this.make(target);
    const dims = this.axes.length;
    const idx = new Array<number>(dims).fill(0);
    for (let c = 0; c < this.sumW.length; c++) {
      let rest = c;
      let nc = 0;
      for (let k = 0; k < dims; k++) {
        const stride = this.strides[k] as number;
        idx[k] = Math.floor(rest / stride);
        rest -= (idx[k] as number) * stride;
        nc += ((maps[k] as Int32Array)[idx[k] as number] as number) * (h.strides[k] as number);
      }
      h.sumW[nc] = (h.sumW[nc] as number) + (this.sumW[c] as number);
      h.sumW2[nc] = (h.sumW2[nc] as number) + (this.sumW2[c] as number);
    }
    return h;
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
  for (let i = 0; i < edges.length; i++) edges[i] = axis.edges[i * factor] as number;
  if (axis.regular) {
    // Keep the arithmetic fast path when the recomputed edges coincide bit for bit with the merged ones.
    const regular = Axis.regular(edges.length - 1, axis.lo, axis.hi);
    if (regular.edges.every((e, i) => e === edges[i])) return regular;
  }
  return Axis.variable(edges);
}

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
    return new Hist1D(axes[0] as Axis);
  }

  /** Adds weight w (default 1) at x; NaN x or non-finite w throws {@link PhysicsInputError}. */
  fill(x: number, w = 1): void {
    const b = this.axis.index(x);
    if (b < 0) throw new PhysicsInputError('x is NaN', { field: 'x' });
    checkWeight(w);
    this.sumW[b] = (this.sumW[b] as number) + w;
    this.sumW2[b] = (this.sumW2[b] as number) + w * w;
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
      for (let i = 0; i < n; i++) this.fill(x[i] as number, weights ? (weights[i] as number) : 1);
      return;
    }
    const lo = axis.lo;
    const hi = axis.hi;
    const inv = axis.inverseWidth;
    const nb = axis.nBins;
    const e = axis.edges;
    for (let i = 0; i < n; i++) {
      const v = x[i] as number;
      let b: number;
      if (v >= lo) {
        if (v < hi) {
          let k = ((v - lo) * inv) | 0;
          if (k >= nb) k = nb - 1;
          if (v < (e[k] as number)) k--;
          else if (v >= (e[k + 1] as number)) k++;
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
        const w = weights[i] as number;
        if (!(w - w === 0)) throw new PhysicsInputError(`weights[${i}] is not finite (${w})`, { field: 'weights' });
        sw[b] = (sw[b] as number) + w;
        sw2[b] = (sw2[b] as number) + w * w;
      } else {
        sw[b] = (sw[b] as number) + 1;
        sw2[b] = (sw2[b] as number) + 1;
      }
    }
  }

  /** Σw of bin i (0 underflow … nBins + 1 overflow). */
  content(i: number): number {
    return this.sumW[this.cell([i])] as number;
  }

  /** Σw² (variance) of bin i. */
  variance(i: number): number {
    return this.sumW2[this.cell([i])] as number;
  }

  /** √Σw² of bin i. */
  error(i: number): number {
    return Math.sqrt(this.variance(i));
  }

  /** Σw of the underflow bin (x < first edge). */
  get underflow(): number {
    return this.sumW[0] as number;
  }

  /** Σw of the overflow bin (x ≥ last edge). */
  get overflow(): number {
    return this.sumW[this.axis.nBins + 1] as number;
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
    const axis =
      typeof factorOrEdges === 'number' ? coarserAxis(this.axis, factorOrEdges) : Axis.variable(factorOrEdges);
    return this.rebinned([axis]);
  }
}

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
    return new Hist2D(axes[0] as Axis, axes[1] as Axis);
  }

  /** Adds weight w at (x, y); NaN coordinates or a non-finite weight throw {@link PhysicsInputError}. */
  fill(x: number, y: number, w = 1): void {
    const ix = this.xAxis.index(x);
    const iy = this.yAxis.index(y);
    if (ix < 0 || iy < 0) throw new PhysicsInputError('a coordinate is NaN', { field: ix < 0 ? 'x' : 'y' });
    checkWeight(w);
    const c = ix * (this.strides[0] as number) + iy;
    this.sumW[c] = (this.sumW[c] as number) + w;
    this.sumW2[c] = (this.sumW2[c] as number) + w * w;
  }

  /** Fills (x[i], y[i]) with optional weights. */
  fillArrays(x: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): void {
    if (y.length !== x.length || (weights && weights.length !== x.length)) {
      throw new PhysicsInputError('x, y and weights must have the same length', { field: 'y' });
    }
    for (let i = 0; i < x.length; i++) this.fill(x[i] as number, y[i] as number, weights ? (weights[i] as number) : 1);
  }

  /** Σw of cell (ix, iy), each 0 (underflow) … nBins + 1 (overflow). */
  content(ix: number, iy: number): number {
    return this.sumW[this.cell([ix, iy])] as number;
  }

  /** Σw² of cell (ix, iy). */
  variance(ix: number, iy: number): number {
    return this.sumW2[this.cell([ix, iy])] as number;
  }

  /** Projection on x: Σ over all y bins (flow included), contents and variances. */
  projectionX(): Hist1D {
    const h = new Hist1D(this.xAxis);
    const ny = this.yAxis.nBins + 2;
    for (let ix = 0; ix < this.xAxis.nBins + 2; ix++) {
      for (let iy = 0; iy < ny; iy++) {
        h.sumW[ix] = (h.sumW[ix] as number) + (this.sumW[ix * ny + iy] as number);
        h.sumW2[ix] = (h.sumW2[ix] as number) + (this.sumW2[ix * ny + iy] as number);
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
        h.sumW[iy] = (h.sumW[iy] as number) + (this.sumW[ix * ny + iy] as number);
        h.sumW2[iy] = (h.sumW2[iy] as number) + (this.sumW2[ix * ny + iy] as number);
      }
    }
    return h;
  }

  /** Rebin by per-axis factors or edge subsets (`undefined` keeps an axis). */
  rebin(x?: number | ArrayLike<number>, y?: number | ArrayLike<number>): Hist2D {
    return this.rebinned([toAxis(this.xAxis, x), toAxis(this.yAxis, y)]);
  }
}

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
    return this.rebinned([toAxis(this.xAxis, x), toAxis(this.yAxis, y), toAxis(this.zAxis, z)]);
  }
}

function toAxis(axis: Axis, spec: number | ArrayLike<number> | undefined): Axis | undefined {
  if (spec === undefined) return undefined;
  return typeof spec === 'number' ? coarserAxis(axis, spec) : Axis.variable(spec);
}
