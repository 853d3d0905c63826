import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';

/**
 * Kish effective sample size (Σw)²/Σw²: the number of unweighted events with the same statistical
 * power as a weighted sample (n for unit weights; smaller the more the weights vary). 0 for an empty
 * sample. Reference: L. Kish, Survey Sampling (Wiley, 1965).
 * Throws {@link PhysicsInputError} for non-finite weights.
 */
export function effectiveSampleSize(weights: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = at(weights, i);
    if (!Number.isFinite(w)) throw new PhysicsInputError(`weights[${i}] is not finite (${w})`, { field: 'weights' });
    s += w;
    s2 += w * w;
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

/** Options of {@link reweightToTarget}. */
export interface ReweightOptions {
  /** Variables of the sample to reweight: 1 to 3 columns of equal length (e.g. ET in GeV, η, ⟨μ⟩). */
  source: readonly ArrayLike<number>[];
  /** The same variables of the target sample, in the same order and units. */
  target: readonly ArrayLike<number>[];
  /** Bin edges per variable, strictly increasing; bins lo ≤ x < hi. */
  edges: readonly ArrayLike<number>[];
  /** Existing weights of the source events (default 1); must be ≥ 0. */
  sourceWeights?: ArrayLike<number>;
  /** Weights of the target events (default 1); must be ≥ 0. */
  targetWeights?: ArrayLike<number>;
  /** Cap on the reweighting factor of one event (default +∞: no cap); must be > 0. */
  maxFactor?: number;
}

/** A binned reweighting map and the weights it gives the source sample. */
export interface Reweighting {
  edges: Float64Array[];
  /**
   * Reweighting factor per cell (row-major, last variable fastest): the target density over the
   * source density, both normalised to unit total; 0 where the source or the target is empty.
   */
  factors: Float64Array;
  /** New source weights: sourceWeight × factor (capped), rescaled so their sum equals the original sum. */
  weights: Float64Array;
  /** Number of source events whose factor hit the cap. */
  cappedEvents: number;
  /** Fraction of the original source weight sitting in cells the target does not populate (lost). */
  lostWeightFraction: number;
  /** Kish effective sample size of the source before reweighting. */
  effectiveSampleSizeBefore: number;
  /** Kish effective sample size after reweighting (the price paid in statistics). */
  effectiveSampleSize: number;
}

function axesOf(edges: readonly ArrayLike<number>[], dims: number): Axis[] {
  if (edges.length !== dims)
    throw new PhysicsInputError(`need ${dims} edge arrays (got ${edges.length})`, { field: 'edges' });
  return edges.map((e, k) => Axis.variable(e, { field: `edges[${k}]` }));
}

/** Flat cell of each event, last variable fastest; values outside the edges use the edge bins (`clamp`). */
function cellsOf(columns: readonly ArrayLike<number>[], axes: readonly Axis[], field: string): Int32Array {
  const n = at(columns, 0).length;
  const cells = new Int32Array(n);
  for (let k = 0; k < columns.length; k++) {
    const col = at(columns, k);
    if (col.length !== n)
      throw new PhysicsInputError(`${field}[${k}] has ${col.length} entries, ${field}[0] has ${n}`, { field });
  }
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let k = 0; k < columns.length; k++) {
      const x = at(at(columns, k), i);
      if (!Number.isFinite(x)) throw new PhysicsInputError(`${field}[${k}][${i}] is not finite (${x})`, { field });
      const axis = at(axes, k);
      c = c * axis.nBins + axis.find(x, 'clamp');
    }
    cells[i] = c;
  }
  return cells;
}

function weightsOrOnes(w: ArrayLike<number> | undefined, n: number, field: string): Float64Array {
  if (!w) return new Float64Array(n).fill(1);
  if (w.length !== n) throw new PhysicsInputError(`${field} has ${w.length} entries, expected ${n}`, { field });
  const out = Float64Array.from(w);
  for (let i = 0; i < n; i++) {
    const v = at(out, i);
    if (!(Number.isFinite(v) && v >= 0))
      throw new PhysicsInputError(`${field}[${i}] must be finite and ≥ 0 (got ${v})`, { field });
  }
  return out;
}

/**
 * Histogram-ratio reweighting of a source sample to a target in 1 to 3 variables (the electron-ID
 * seeds reweight background to signal in ET, η and ⟨μ⟩ so the classifier cannot learn those):
 *   factor(cell) = (T_cell/ΣT)/(S_cell/ΣS),  w'ᵢ = wᵢ · min(factor(cellᵢ), maxFactor),
 * then the w' are rescaled so Σw' = Σw (the source keeps its normalisation; capped factors can thus
 * end slightly above the cap). Cells are lo ≤ x < hi per variable ({@link Axis}, rule `clamp`):
 * values outside the edges are assigned to the first/last bin of that variable, so every event
 * gets a factor. Source events in
 * cells the target leaves empty get weight 0 (reported as lostWeightFraction). The effective sample
 * size before and after tells what the reweighting costs in statistics.
 * Reference: the effective sample size after weighting, L. Kish, Survey Sampling (Wiley, 1965).
 * Throws {@link PhysicsInputError} for 0 or more than 3 variables, mismatched lengths, non-finite
 * values, negative weights, bad edges, maxFactor ≤ 0, or an empty source or target.
 */
export function reweightToTarget(options: ReweightOptions): Reweighting {
  const dims = options.source.length;
  if (dims < 1 || dims > 3)
    throw new PhysicsInputError(`reweighting takes 1 to 3 variables (got ${dims})`, { field: 'source' });
  if (options.target.length !== dims) {
    throw new PhysicsInputError(`target has ${options.target.length} variables, source has ${dims}`, {
      field: 'target',
    });
  }
  const maxFactor = options.maxFactor ?? Number.POSITIVE_INFINITY;
  if (!(maxFactor > 0)) throw new PhysicsInputError(`maxFactor must be > 0 (got ${maxFactor})`, { field: 'maxFactor' });
  const axes = axesOf(options.edges, dims);
  const nCells = axes.reduce((p, a) => p * a.nBins, 1);
  const sCells = cellsOf(options.source, axes, 'source');
  const tCells = cellsOf(options.target, axes, 'target');
  const ns = sCells.length;
  const sw = weightsOrOnes(options.sourceWeights, ns, 'sourceWeights');
  const tw = weightsOrOnes(options.targetWeights, tCells.length, 'targetWeights');
  const sHist = new Float64Array(nCells);
  const tHist = new Float64Array(nCells);
  let sTotal = 0;
  let tTotal = 0;
  for (let i = 0; i < ns; i++) {
    const c = at(sCells, i);
    sHist[c] = at(sHist, c) + at(sw, i);
    sTotal += at(sw, i);
  }
  for (let i = 0; i < tCells.length; i++) {
    const c = at(tCells, i);
    tHist[c] = at(tHist, c) + at(tw, i);
    tTotal += at(tw, i);
  }
  if (!(sTotal > 0)) throw new PhysicsInputError('the source has no positive total weight', { field: 'source' });
  if (!(tTotal > 0)) throw new PhysicsInputError('the target has no positive total weight', { field: 'target' });
  const factors = new Float64Array(nCells);
  let lost = 0;
  for (let c = 0; c < nCells; c++) {
    const s = at(sHist, c);
    const t = at(tHist, c);
    if (s > 0 && t > 0) factors[c] = t / tTotal / (s / sTotal);
    else if (s > 0) lost += s;
  }
  const weights = new Float64Array(ns);
  let cappedEvents = 0;
  let newTotal = 0;
  for (let i = 0; i < ns; i++) {
    let f = at(factors, at(sCells, i));
    if (f > maxFactor) {
      f = maxFactor;
      cappedEvents++;
    }
    weights[i] = at(sw, i) * f;
    newTotal += at(weights, i);
  }
  if (newTotal > 0) {
    const k = sTotal / newTotal;
    for (let i = 0; i < ns; i++) weights[i] = at(weights, i) * k;
  }
  return {
    edges: axes.map((a) => a.edges),
    factors,
    weights,
    cappedEvents,
    lostWeightFraction: lost / sTotal,
    effectiveSampleSizeBefore: effectiveSampleSize(sw),
    effectiveSampleSize: effectiveSampleSize(weights),
  };
}

/**
 * Reweighting factors of a {@link Reweighting} map for new events (e.g. the test split), before
 * capping and normalisation: factor of the cell of each event (values outside the edges use the edge
 * bins: {@link Axis} rule `clamp`). Throws {@link PhysicsInputError} for a wrong number of
 * variables, mismatched lengths, non-finite values or bad edges in the map.
 */
export function reweightingFactors(
  map: Pick<Reweighting, 'edges' | 'factors'>,
  variables: readonly ArrayLike<number>[],
): Float64Array {
  if (variables.length !== map.edges.length) {
    throw new PhysicsInputError(`need ${map.edges.length} variables (got ${variables.length})`, { field: 'variables' });
  }
  const cells = cellsOf(variables, axesOf(map.edges, map.edges.length), 'variables');
  const out = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) out[i] = at(map.factors, at(cells, i));
  return out;
}
