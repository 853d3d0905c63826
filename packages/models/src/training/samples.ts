import { type ColumnarSample, Rng } from '@hepml/physics';

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
    const t = xs[i] as number;
    xs[i] = xs[j] as number;
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
    const i = rows[r] as number;
    const w = baseWeights ? (baseWeights[r] as number) : (sample.weight[i] as number);
    const c = sample.label[i] as number;
    sums.set(c, (sums.get(c) ?? 0) + w);
    total += w;
  }
  const k = sums.size;
  const out = new Float32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    const w = baseWeights ? (baseWeights[r] as number) : (sample.weight[i] as number);
    out[r] = (w * total) / (k * (sums.get(sample.label[i] as number) as number)) / (total / rows.length);
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
    const c = sample.label[i] as number;
    const list = byClass.get(c) ?? [];
    list.push(i);
    byClass.set(c, list);
  }
  const smallest = Math.min(...[...byClass.values()].map((l) => l.length));
  const rng = new Rng(seed ^ 0xba1a);
  const keep = new Set<number>();
  for (const list of byClass.values()) {
    const idx = shuffleInPlace(Uint32Array.from(list), rng);
    for (let j = 0; j < smallest; j++) keep.add(idx[j] as number);
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
 * ID training, EPJC 79 (2019) 639, Sect. 5). w_bkg(bin) = (S_bin / ΣS) / (B_bin / ΣB); signal
 * weight 1; values outside the edges fall in the first/last bin; a bin with background but no
 * signal gets weight 0, one with signal but no background leaves nothing to weight. The returned
 * weights are normalised so that the background total equals the background count.
 */
export function reweightBackgroundToSignal(
  sample: ColumnarSample,
  rows: Uint32Array,
  axes: readonly ReweightAxis[],
): Float32Array {
  const dims = axes.map((a) => a.edges.length - 1);
  if (dims.some((d) => d < 1)) throw new RangeError('each reweighting axis needs at least two edges');
  const cells = dims.reduce((a, b) => a * b, 1);
  const sig = new Float64Array(cells);
  const bkg = new Float64Array(cells);
  const cellOf = new Uint32Array(rows.length);
  const cols = axes.map((a) => {
    const c = sample.columns[a.column];
    if (!c) throw new RangeError(`sample has no column "${a.column}"`);
    return c;
  });
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    let cell = 0;
    axes.forEach((a, d) => {
      const raw = (cols[d] as Float32Array)[i] as number;
      cell = cell * (dims[d] as number) + binOf(a.abs ? Math.abs(raw) : raw, a.edges);
    });
    cellOf[r] = cell;
    const w = sample.weight[i] as number;
    if (sample.label[i]) sig[cell] = (sig[cell] as number) + w;
    else bkg[cell] = (bkg[cell] as number) + w;
  }
  const sTot = sig.reduce((a, b) => a + b, 0);
  const bTot = bkg.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows.length);
  let bSum = 0;
  let bCount = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r] as number;
    if (sample.label[i]) {
      out[r] = sample.weight[i] as number;
      continue;
    }
    const cell = cellOf[r] as number;
    const b = bkg[cell] as number;
    out[r] =
      b > 0 && bTot > 0 && sTot > 0 ? ((sample.weight[i] as number) * ((sig[cell] as number) / sTot)) / (b / bTot) : 0;
    bSum += out[r] as number;
    bCount++;
  }
  if (bSum > 0) {
    for (let r = 0; r < rows.length; r++)
      if (!sample.label[rows[r] as number]) out[r] = ((out[r] as number) * bCount) / bSum;
  }
  return out;
}

function binOf(x: number, edges: readonly number[]): number {
  const last = edges.length - 2;
  if (!(x >= (edges[0] as number))) return 0;
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (x >= (edges[mid] as number)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
