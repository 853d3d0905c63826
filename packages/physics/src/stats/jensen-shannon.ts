import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';

function normalised(h: ArrayLike<number>, field: string): Float64Array {
  let total = 0;
  for (let i = 0; i < h.length; i++) {
    const v = at(h, i);
    if (!(Number.isFinite(v) && v >= 0))
      throw new PhysicsInputError(`${field}[${i}] must be finite and ≥ 0 (got ${v})`, { field });
    total += v;
  }
  if (!(total > 0)) throw new PhysicsInputError(`${field} has no positive total`, { field });
  const out = new Float64Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = at(h, i) / total;
  return out;
}

/**
 * Jensen–Shannon divergence between two binned distributions p and q (normalised here to unit sum):
 *   JSD = ½ Σ pᵢ log₂(pᵢ/mᵢ) + ½ Σ qᵢ log₂(qᵢ/mᵢ),  m = (p + q)/2,
 * with 0·log 0 = 0. Base-2 logarithms bound it to [0, 1]: 0 for identical shapes, 1 for
 * non-overlapping ones. Symmetric; √JSD is a metric (scipy's `jensenshannon(p, q, base=2)`).
 * Reference: J. Lin, IEEE Trans. Inf. Theory 37 (1991) 145, DOI 10.1109/18.61115.
 * Throws {@link PhysicsInputError} for different lengths, negative or non-finite entries, or a zero total.
 */
export function jensenShannonDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new PhysicsInputError(`q has ${q.length} bins, p has ${p.length}`, { field: 'q' });
  const pn = normalised(p, 'p');
  const qn = normalised(q, 'q');
  let jsd = 0;
  for (let i = 0; i < pn.length; i++) {
    const pi = at(pn, i);
    const qi = at(qn, i);
    const m = 0.5 * (pi + qi);
    if (pi > 0) jsd += 0.5 * pi * Math.log2(pi / m);
    if (qi > 0) jsd += 0.5 * qi * Math.log2(qi / m);
  }
  return Math.min(1, Math.max(0, jsd));
}

/** Options of {@link massSculpting}. */
export interface MassSculptingOptions {
  /** Jet or candidate mass per event, GeV. */
  mass: ArrayLike<number>;
  /** Classifier score per event; the cut keeps score ≥ threshold. */
  scores: ArrayLike<number>;
  threshold: number;
  /**
   * Mass bin edges in GeV, finite and strictly increasing; bins lo ≤ m < hi ({@link Axis}), masses
   * outside are not counted (rule `drop`).
   */
  edges: ArrayLike<number>;
  /** Optional labels: when given, only background (0/false) events are used. */
  labels?: ArrayLike<number | boolean>;
  /** Optional non-negative event weights. */
  weights?: ArrayLike<number>;
}

/** Result of {@link massSculpting}. */
export interface MassSculptingResult {
  /** JSD (base 2) between the background mass shapes before and after the cut, in [0, 1]. */
  jsd: number;
  /** 1/JSD, the "decorrelation" figure of merit (+∞ when the shapes are identical). */
  inverseJsd: number;
  /** Weighted fraction of (in-range) background events that pass the cut. */
  passFraction: number;
  /** The background mass histograms (weighted) before and after the cut. */
  before: Float64Array;
  after: Float64Array;
}

/**
 * Mass sculpting of a tagger: the Jensen–Shannon divergence ({@link jensenShannonDivergence})
 * between the background mass distribution of all events and of those passing `score >= threshold`.
 * A tagger decorrelated from the mass keeps the shape (JSD → 0, 1/JSD large).
 * Reference: ATLAS, ATL-PHYS-PUB-2018-014 (1/JSD vs rejection); C. Shimmin et al.,
 * Phys. Rev. D 96 (2017) 074034, arXiv:1703.03507.
 * Throws {@link PhysicsInputError} for mismatched lengths, bad edges, negative or non-finite
 * weights, non-finite masses or scores, or when no background passes (the shape is undefined).
 */
export function massSculpting(options: MassSculptingOptions): MassSculptingResult {
  const { mass, scores, threshold, labels, weights } = options;
  const n = mass.length;
  if (scores.length !== n)
    throw new PhysicsInputError(`scores has ${scores.length} entries, mass has ${n}`, { field: 'scores' });
  if (labels && labels.length !== n)
    throw new PhysicsInputError(`labels has ${labels.length} entries, mass has ${n}`, { field: 'labels' });
  if (weights && weights.length !== n)
    throw new PhysicsInputError(`weights has ${weights.length} entries, mass has ${n}`, { field: 'weights' });
  if (Number.isNaN(threshold)) throw new PhysicsInputError('threshold is NaN', { field: 'threshold' });
  const axis = Axis.variable(options.edges, { field: 'edges' });
  const nb = axis.nBins;
  const before = new Float64Array(nb);
  const after = new Float64Array(nb);
  let totalBefore = 0;
  let totalAfter = 0;
  for (let i = 0; i < n; i++) {
    if (labels?.[i]) continue;
    const m = at(mass, i);
    const s = at(scores, i);
    if (!Number.isFinite(m)) throw new PhysicsInputError(`mass[${i}] is not finite (${m})`, { field: 'mass' });
    if (!Number.isFinite(s)) throw new PhysicsInputError(`scores[${i}] is not finite (${s})`, { field: 'scores' });
    const w = weights ? at(weights, i) : 1;
    if (!(Number.isFinite(w) && w >= 0))
      throw new PhysicsInputError(`weights[${i}] must be finite and ≥ 0 (got ${w})`, { field: 'weights' });
    const b = axis.find(m, 'drop');
    if (b < 0) continue;
    before[b] = at(before, b) + w;
    totalBefore += w;
    if (s >= threshold) {
      after[b] = at(after, b) + w;
      totalAfter += w;
    }
  }
  if (!(totalBefore > 0)) throw new PhysicsInputError('no background weight inside the mass edges', { field: 'mass' });
  if (!(totalAfter > 0))
    throw new PhysicsInputError('no background passes the cut: the sculpted shape is undefined', {
      field: 'threshold',
    });
  const jsd = jensenShannonDivergence(before, after);
  return {
    jsd,
    inverseJsd: jsd > 0 ? 1 / jsd : Number.POSITIVE_INFINITY,
    passFraction: totalAfter / totalBefore,
    before,
    after,
  };
}
