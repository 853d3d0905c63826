import { at, type ColumnarSample, Rng, reweightToTarget } from '@hepml/physics';

/** Deterministic split of 0..n−1 into train / validation / test by a seeded Fisher–Yates shuffle. */
export function splitIndices(
  n: number,
  seed: number,
  fractions: { validation: number; test: number },
): { train: Uint32Array; validation: Uint32Array; test: Uint32Array } {
  if (!(fractions.validation >= 0 && fractions.test >= 0 && fractions.validation + fractions.test < 1)) {
    throw new RangeError('validation and test fractions must be ≥ 0 and sum below 1');
  }
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  shuffleInPlace(idx, new Rng(seed ^ 0x5eed));
  const nTest = Math.round(n * fractions.test);
  const nVal = Math.round(n * fractions.validation);
  return {
    test: idx.slice(0, nTest),
    validation: idx.slice(nTest, nTest + nVal),
    train: idx.slice(nTest + nVal),
  };
}

/** Fisher–Yates shuffle driven by the project's seeded generator. */
export function shuffleInPlace(xs: Uint32Array, rng: Rng): Uint32Array {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = at(xs, i);
    xs[i] = at(xs, j);
    xs[j] = t;
  }
  return xs;
}

/**
 * Per-event weights that give every class the same total weight over `rows`, normalised so the
 * mean weight is 1: w_i = n / (k · n_{c(i)}) × (event weight). Classes absent from `rows` are
 * ignored (k counts the present ones).
 */
export function classBalanceWeights(
  sample: ColumnarSample,
  rows: Uint32Array,
  baseWeights?: Float32Array,
): Float32Array {
  const sums = new Map<number, number>();
  let total = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = at(rows, r);
    const w = baseWeights ? at(baseWeights, r) : at(sample.weight, i);
    const c = at(sample.label, i);
    sums.set(c, (sums.get(c) ?? 0) + w);
    total += w;
  }
  const k = sums.size;
  const out = new Float32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const i = at(rows, r);
    const w = baseWeights ? at(baseWeights, r) : at(sample.weight, i);
    out[r] = (w * total) / (k * (sums.get(at(sample.label, i)) as number)) / (total / rows.length);
  }
  return out;
}

/**
 * Undersamples every class to the size of the smallest in `rows`, keeping a seeded random subset
 * (order of `rows` preserved among the kept events).
 */
export function undersampleClasses(sample: ColumnarSample, rows: Uint32Array, seed: number): Uint32Array {
  const byClass = new Map<number, number[]>();
  for (const i of rows) {
    const c = at(sample.label, i);
    const list = byClass.get(c) ?? [];
    list.push(i);
    byClass.set(c, list);
  }
  const smallest = Math.min(...[...byClass.values()].map((l) => l.length));
  const rng = new Rng(seed ^ 0xba1a);
  const keep = new Set<number>();
  for (const list of byClass.values()) {
    const idx = shuffleInPlace(Uint32Array.from(list), rng);
    for (let j = 0; j < smallest; j++) keep.add(at(idx, j));
  }
  return rows.filter((i) => keep.has(i));
}

/** Binning of one reweighting variable: edges (lo ≤ x < hi), optionally on |x|. */
export interface ReweightAxis {
  column: string;
  edges: readonly number[];
  abs?: boolean;
}

/**
 * Weights that make the background (label 0) match the signal (label ≠ 0) in the joint
 * distribution of the given variables, e.g. (ET, |η|, ⟨μ⟩), so the classifier cannot learn the
 * kinematics and pile-up of the samples instead of the shower shapes (as done for ATLAS electron
 * ID training, EPJC 79 (2019) 639, Sect. 5). Computed by `@hepml/physics`'s `reweightToTarget`
 * (H1): w_bkg = w · (S_cell/ΣS)/(B_cell/ΣB), optionally capped at `maxFactor`, rescaled so the
 * background keeps its total weight; signal weights unchanged; values outside the edges count in
 * the first/last bin; background in cells without signal gets weight 0. Returns one weight per
 * entry of `rows`, in order.
 */
export function reweightBackgroundToSignal(
  sample: ColumnarSample,
  rows: Uint32Array,
  axes: readonly ReweightAxis[],
  maxFactor?: number,
): Float32Array {
  if (axes.some((a) => a.edges.length < 2)) throw new RangeError('each reweighting axis needs at least two edges');
  const cols = axes.map((a) => {
    const c = sample.columns[a.column];
    if (!c) throw new RangeError(`sample has no column "${a.column}"`);
    return c;
  });
  const sig: number[] = [];
  const bkg: number[] = [];
  for (const [r, i] of rows.entries()) (sample.label[i] ? sig : bkg).push(r);
  const values = (which: number[]) =>
    axes.map((a, d) =>
      Float64Array.from(which, (r) => {
        const x = at(cols, d)[at(rows, r)] as number;
        return a.abs ? Math.abs(x) : x;
      }),
    );
  const out = Float32Array.from(rows, (i) => at(sample.weight, i));
  if (sig.length === 0 || bkg.length === 0) return out;
  const result = reweightToTarget({
    source: values(bkg),
    target: values(sig),
    edges: axes.map((a) => a.edges),
    sourceWeights: Float64Array.from(bkg, (r) => sample.weight[at(rows, r)] as number),
    targetWeights: Float64Array.from(sig, (r) => sample.weight[at(rows, r)] as number),
    ...(maxFactor !== undefined ? { maxFactor } : {}),
  });
  bkg.forEach((r, j) => {
    out[r] = at(result.weights, j);
  });
  return out;
}
