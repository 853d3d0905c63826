/**
 * Histogram-based gradient-boosted decision trees, as LightGBM builds them (Ke et al., "LightGBM: A
 * Highly Efficient Gradient Boosting Decision Tree", NeurIPS 2017), in plain TypeScript loops
 * (Workers-safe: no Node, no tfjs; evaluation reads raw Float32Array rows).
 *
 * Training: every feature is cut into at most `maxBins` (≤ 255) quantile bins once; a tree node's
 * gradient/hessian histogram is built over its rows, the larger child's by subtracting the smaller
 * child's from the parent's; the best split of a leaf maximises the second-order gain
 *   gain = G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)
 * (Chen & Guestrin, XGBoost, KDD 2016, Eq. 7) subject to `minDataInLeaf` rows and
 * `minSumHessianInLeaf` on each side; a leaf's value is −G/(H+λ) times the shrinkage. Trees grow
 * leaf-wise (the leaf of largest gain first, up to `maxLeaves`, LightGBM's default) or depth-wise
 * (level by level), both bounded by `maxDepth`. Ties go to the lower feature index, then the lower
 * bin, then the older leaf, so the same inputs give the same trees, bit for bit.
 *
 * Objectives: `binary` (log-loss on labels 0/1, output the probability σ(F)), `multiclass`
 * (softmax over `numClass` classes with labels 0 … K−1, one tree per class and round, hessian
 * p(1−p)·K/(K−1) as in LightGBM; outputs K probabilities per row), `l2` (squared error, output F) and
 * `huber` (gradient clip(F − y, −δ, δ), unit hessian, as LightGBM; output F).
 *
 * Splits send x < threshold to the left child; thresholds are bin edges, i.e. values that occur in
 * the training data, so training and evaluation decide identically. NaN goes right (training puts
 * NaN into the last bin, which never lies left of a split).
 */
import { ModelInputError } from '../errors.ts';
import { wasmKernels } from '../runtime/wasm-kernels.ts';
import { parseInputs, quantileEdges, upperBound } from './binning.ts';
import { array, checkRows, fail, finite, header, integer, oneOf, type ParseContext, record } from './parse.ts';

/** Loss being boosted. */
export type GbdtObjective = 'binary' | 'multiclass' | 'l2' | 'huber';

/** One regression tree in flat arrays; node 0 is the root, children have larger indices. */
export interface GbdtTree {
  /** Input index of the split, −1 for a leaf. */
  feature: Int32Array;
  /** x < threshold goes left (unused, 0, in leaves). */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf output (shrinkage included; 0 in split nodes). */
  value: Float64Array;
}

/** A fitted model (JSON form {@link GbdtV1}). */
export interface GbdtParams {
  inputs: string[];
  objective: GbdtObjective;
  /** Outputs per row: K for multiclass, else 1. */
  numClass: number;
  /** Raw score before the first tree, per class. */
  initScore: number[];
  /** Round-major: tree t adds to class t mod numClass. */
  trees: GbdtTree[];
  /**
   * Regression only: input index x_s the model's response is relative to (trained on y/x_s, output
   * x_s·F, e.g. E_true/E_raw so the trees learn a dimensionless correction); null otherwise.
   */
  scaleBy: number | null;
}

/** The on-disk format `hepml-gbdt/1`. */
export interface GbdtV1 {
  format: 'hepml-gbdt';
  formatVersion: 1;
  inputs: string[];
  objective: GbdtObjective;
  numClass: number;
  initScore: number[];
  /** Input name the regression response is relative to, or null. */
  scaleBy: string | null;
  trees: { feature: number[]; threshold: number[]; left: number[]; right: number[]; value: number[] }[];
}

/** Options of {@link fitGbdt}. */
export interface FitGbdtOptions {
  inputs: readonly string[];
  /** n × inputs.length raw values, row-major. */
  features: Float32Array;
  n: number;
  /** Labels (0/1; 0 … K−1 for multiclass) or regression targets. */
  target: ArrayLike<number>;
  /** Per-row weights (default 1), ≥ 0. */
  weights?: ArrayLike<number>;
  objective: GbdtObjective;
  /** Classes for `multiclass` (default: largest label + 1). */
  numClass?: number;
  /** Boosting rounds (default 100). */
  trees?: number;
  /** Shrinkage (default 0.1). */
  learningRate?: number;
  /** Maximum depth, the root at depth 0 (default 6). */
  maxDepth?: number;
  /** Maximum leaves per tree (default 31; depth-wise growth is bounded by 2^maxDepth too). */
  maxLeaves?: number;
  /** `leaf-wise` (default, LightGBM) or `depth-wise` (XGBoost's default). */
  growth?: 'leaf-wise' | 'depth-wise';
  /** Minimum rows in a leaf (default 20). */
  minDataInLeaf?: number;
  /** Minimum hessian sum in a leaf (default 1e-3). */
  minSumHessianInLeaf?: number;
  /** L2 regularisation λ of the leaf values (default 1). */
  lambdaL2?: number;
  /** A split must gain more than this (default 0). */
  minGainToSplit?: number;
  /** Quantile bins per feature (default 255, at most 255). */
  maxBins?: number;
  /** δ of the Huber loss, in target units (of y/x_s with `scaleBy`; default 1). */
  huberDelta?: number;
  /**
   * Regression only: fit y/x_s and output x_s·F, with x_s this input (positive in every row), e.g.
   * `eRaw` to learn the correction E_true/E_raw and output energies.
   */
  scaleBy?: string;
  /** Held-out rows for early stopping (same layout as `features`). */
  validation?: { features: Float32Array; n: number; target: ArrayLike<number>; weights?: ArrayLike<number> };
  /** Stop when the validation loss has not improved for this many rounds (default: never). */
  earlyStoppingRounds?: number;
  /** Called after each round with the mean training loss and the validation loss (NaN without). */
  onRound?: (round: number, trainLoss: number, validationLoss: number) => void;
}

const FORMAT: ParseContext = { format: 'hepml-gbdt' };
const OBJECTIVES = ['binary', 'multiclass', 'l2', 'huber'] as const;

interface Split {
  gain: number;
  feature: number;
  bin: number;
}

interface OpenLeaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  hist: Float64Array;
  split: Split | null;
  order: number;
}

const bad = (field: string, message: string): never => {
  throw new ModelInputError(`hepml-gbdt: ${field}: ${message}`, { field });
};

/**
 * Trains gradient-boosted trees (see the module comment). Deterministic: no sampling. Throws
 * {@link ModelInputError} naming the option when an option or a label is out of range.
 */
export function fitGbdt(options: FitGbdtOptions): GbdtParams {
  const { features, n, target, objective } = options;
  const inputs = [...options.inputs];
  const d = inputs.length;
  checkRows(FORMAT, features, n, d, 0, undefined);
  if (target.length !== n) bad('target', `has ${target.length} values for ${n} rows`);
  if (!OBJECTIVES.includes(objective)) bad('objective', `unknown objective "${objective}"`);
  const rounds = options.trees ?? 100;
  const lr = options.learningRate ?? 0.1;
  const maxDepth = options.maxDepth ?? 6;
  const maxLeaves = options.maxLeaves ?? 31;
  const growth = options.growth ?? 'leaf-wise';
  const minData = Math.max(1, options.minDataInLeaf ?? 20);
  const minHess = options.minSumHessianInLeaf ?? 1e-3;
  const lambda = options.lambdaL2 ?? 1;
  const minGain = options.minGainToSplit ?? 0;
  const maxBins = Math.min(255, options.maxBins ?? 255);
  const delta = options.huberDelta ?? 1;
  if (!(Number.isInteger(rounds) && rounds >= 1)) bad('trees', 'must be a positive integer');
  if (!(lr > 0)) bad('learningRate', 'must be positive');
  if (!(Number.isInteger(maxDepth) && maxDepth >= 1)) bad('maxDepth', 'must be a positive integer');
  if (!(Number.isInteger(maxLeaves) && maxLeaves >= 2)) bad('maxLeaves', 'must be an integer ≥ 2');
  if (!(lambda >= 0)) bad('lambdaL2', 'must be ≥ 0');
  if (!(maxBins >= 2)) bad('maxBins', 'must be ≥ 2');
  if (!(delta > 0)) bad('huberDelta', 'must be positive');

  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = options.weights ? (options.weights[i] as number) : 1;
    if (!(x >= 0 && Number.isFinite(x))) bad(`weights[${i}]`, 'must be finite and ≥ 0');
    w[i] = x;
  }
  let K = 1;
  if (objective === 'binary' || objective === 'multiclass') {
    let maxLabel = 0;
    for (let i = 0; i < n; i++) {
      const y = target[i] as number;
      if (!(Number.isInteger(y) && y >= 0)) bad(`target[${i}]`, 'must be a class label 0, 1, …');
      maxLabel = Math.max(maxLabel, y);
    }
    if (objective === 'binary' && maxLabel > 1) bad('target', 'binary labels must be 0 or 1');
    if (objective === 'multiclass') {
      K = options.numClass ?? maxLabel + 1;
      if (!(Number.isInteger(K) && K >= 2 && K > maxLabel)) bad('numClass', `must be an integer ≥ 2 above every label`);
    }
  } else {
    for (let i = 0; i < n; i++) if (!Number.isFinite(target[i] as number)) bad(`target[${i}]`, 'must be finite');
  }
  let scaleBy: number | null = null;
  let y: ArrayLike<number> = target;
  let valTarget = options.validation?.target;
  if (options.scaleBy !== undefined) {
    if (objective !== 'l2' && objective !== 'huber') bad('scaleBy', 'is for regression objectives only');
    const s = inputs.indexOf(options.scaleBy);
    if (s < 0) bad('scaleBy', `"${options.scaleBy}" is not one of the inputs`);
    scaleBy = s;
    y = relativeTarget(target, features, n, d, s, 'features');
    const v = options.validation;
    if (v) valTarget = relativeTarget(v.target, v.features, v.n, d, s, 'validation.features');
  }

  // Bins: row-major codes; NaN into the last bin.
  const edges = inputs.map((_, j) => quantileEdges(features, n, d, j, maxBins));
  const nb = Int32Array.from(edges, (e) => e.length + 1);
  const offset = new Int32Array(d + 1);
  for (let j = 0; j < d; j++) offset[j + 1] = (offset[j] as number) + (nb[j] as number);
  const totalBins = offset[d] as number;
  const codes = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const x = features[i * d + j] as number;
      codes[i * d + j] = Number.isNaN(x) ? (nb[j] as number) - 1 : upperBound(edges[j] as Float64Array, x);
    }
  }

  const initScore = initialScores(objective, y, w, n, K);
  const pred = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) pred[i * K + k] = initScore[k] as number;
  const val = options.validation;
  let valPred: Float64Array | null = null;
  if (val) {
    checkRows(FORMAT, val.features, val.n, d, 0, undefined);
    valPred = new Float64Array(val.n * K);
    for (let i = 0; i < val.n; i++) for (let k = 0; k < K; k++) valPred[i * K + k] = initScore[k] as number;
  }
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const rows = new Uint32Array(n);
  const scratch = new Uint32Array(n);
  const leafOf = new Int32Array(n);
  const trees: GbdtTree[] = [];
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestRounds = 0;

  const buildHist = (start: number, end: number): Float64Array => {
    const h = new Float64Array(totalBins * 3);
    for (let r = start; r < end; r++) {
      const i = rows[r] as number;
      const g = grad[i] as number;
      const hh = hess[i] as number;
      const base = i * d;
      for (let j = 0; j < d; j++) {
        const idx = ((offset[j] as number) + (codes[base + j] as number)) * 3;
        h[idx] = (h[idx] as number) + g;
        h[idx + 1] = (h[idx + 1] as number) + hh;
        h[idx + 2] = (h[idx + 2] as number) + 1;
      }
    }
    return h;
  };

  const bestSplit = (h: Float64Array, depth: number): Split | null => {
    if (depth >= maxDepth) return null;
    // Totals from feature 0's bins (every feature's bins sum to the same totals).
    let G = 0;
    let H = 0;
    let C = 0;
    for (let b = 0; b < (nb[0] as number); b++) {
      G += h[b * 3] as number;
      H += h[b * 3 + 1] as number;
      C += h[b * 3 + 2] as number;
    }
    if (C < 2 * minData) return null;
    const parent = (G * G) / (H + lambda);
    let best: Split | null = null;
    for (let j = 0; j < d; j++) {
      let gl = 0;
      let hl = 0;
      let cl = 0;
      const o = offset[j] as number;
      for (let b = 0; b < (nb[j] as number) - 1; b++) {
        const idx = (o + b) * 3;
        gl += h[idx] as number;
        hl += h[idx + 1] as number;
        cl += h[idx + 2] as number;
        if (cl < minData || hl < minHess) continue;
        const cr = C - cl;
        const hr = H - hl;
        if (cr < minData || hr < minHess) break;
        const gr = G - gl;
        const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
        if (gain > minGain && gain > 1e-12 && (!best || gain > best.gain)) best = { gain, feature: j, bin: b };
      }
    }
    return best;
  };

  const growTree = (): GbdtTree => {
    const feature: number[] = [-1];
    const threshold: number[] = [0];
    const left: number[] = [-1];
    const right: number[] = [-1];
    const value: number[] = [0];
    for (let i = 0; i < n; i++) rows[i] = i;
    let counter = 0;
    const rootHist = buildHist(0, n);
    const open: OpenLeaf[] = [
      { node: 0, start: 0, end: n, depth: 0, hist: rootHist, split: bestSplit(rootHist, 0), order: counter++ },
    ];
    const done: OpenLeaf[] = [];
    let leaves = 1;
    while (leaves < maxLeaves) {
      // Pick the next leaf to split: largest gain (leaf-wise) or shallowest, oldest (depth-wise).
      let pick = -1;
      for (let q = 0; q < open.length; q++) {
        const c = open[q] as OpenLeaf;
        if (!c.split) continue;
        if (pick < 0) {
          pick = q;
          continue;
        }
        const p = open[pick] as OpenLeaf;
        const better =
          growth === 'leaf-wise'
            ? c.split.gain > (p.split as Split).gain || (c.split.gain === (p.split as Split).gain && c.order < p.order)
            : c.depth < p.depth || (c.depth === p.depth && c.order < p.order);
        if (better) pick = q;
      }
      if (pick < 0) break;
      const leaf = open.splice(pick, 1)[0] as OpenLeaf;
      const split = leaf.split as Split;
      const j = split.feature;
      // Stable partition of the leaf's rows: bins ≤ split.bin go left.
      let l = leaf.start;
      let s = 0;
      for (let r = leaf.start; r < leaf.end; r++) {
        const i = rows[r] as number;
        if ((codes[i * d + j] as number) <= split.bin) rows[l++] = i;
        else scratch[s++] = i;
      }
      rows.set(scratch.subarray(0, s), l);
      const leftNode = feature.length;
      const rightNode = leftNode + 1;
      feature[leaf.node] = j;
      threshold[leaf.node] = (edges[j] as Float64Array)[split.bin] as number;
      left[leaf.node] = leftNode;
      right[leaf.node] = rightNode;
      feature.push(-1, -1);
      threshold.push(0, 0);
      left.push(-1, -1);
      right.push(-1, -1);
      value.push(0, 0);
      const nLeft = l - leaf.start;
      const nRight = leaf.end - l;
      let small: Float64Array;
      let large: Float64Array;
      if (nLeft <= nRight) {
        small = buildHist(leaf.start, l);
        large = leaf.hist;
        for (let k = 0; k < large.length; k++) large[k] = (large[k] as number) - (small[k] as number);
      } else {
        small = buildHist(l, leaf.end);
        large = leaf.hist;
        for (let k = 0; k < large.length; k++) large[k] = (large[k] as number) - (small[k] as number);
      }
      const histLeft = nLeft <= nRight ? small : large;
      const histRight = nLeft <= nRight ? large : small;
      const depth = leaf.depth + 1;
      open.push(
        {
          node: leftNode,
          start: leaf.start,
          end: l,
          depth,
          hist: histLeft,
          split: bestSplit(histLeft, depth),
          order: counter++,
        },
        {
          node: rightNode,
          start: l,
          end: leaf.end,
          depth,
          hist: histRight,
          split: bestSplit(histRight, depth),
          order: counter++,
        },
      );
      leaves++;
    }
    for (const leaf of open) done.push(leaf);
    for (const leaf of done) {
      let G = 0;
      let H = 0;
      for (let r = leaf.start; r < leaf.end; r++) {
        const i = rows[r] as number;
        G += grad[i] as number;
        H += hess[i] as number;
        leafOf[i] = leaf.node;
      }
      // Seven significant digits keep the file short; training continues from the rounded value.
      value[leaf.node] = Number(((-G / (H + lambda)) * lr).toPrecision(7));
    }
    return {
      feature: Int32Array.from(feature),
      threshold: Float64Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value: Float64Array.from(value),
    };
  };

  const prob = new Float64Array(K);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < K; k++) {
      gradients(objective, y, w, pred, n, K, k, delta, grad, hess, prob);
      const tree = growTree();
      trees.push(tree);
      for (let i = 0; i < n; i++)
        pred[i * K + k] = (pred[i * K + k] as number) + (tree.value[leafOf[i] as number] as number);
      if (val && valPred) {
        for (let i = 0; i < val.n; i++) {
          valPred[i * K + k] = (valPred[i * K + k] as number) + treeOutput(tree, val.features, i * d);
        }
      }
    }
    const trainLoss = meanLoss(objective, y, w, pred, n, K, delta);
    const validationLoss =
      val && valPred && valTarget ? meanLoss(objective, valTarget, val.weights, valPred, val.n, K, delta) : Number.NaN;
    options.onRound?.(round, trainLoss, validationLoss);
    if (val && options.earlyStoppingRounds !== undefined) {
      if (validationLoss < bestLoss) {
        bestLoss = validationLoss;
        bestRounds = round + 1;
      } else if (round + 1 - bestRounds >= options.earlyStoppingRounds) break;
    }
  }
  if (val && options.earlyStoppingRounds !== undefined) trees.length = bestRounds * K;
  return { inputs, objective, numClass: K, initScore, trees, scaleBy };
}

/** y_i / x_is, the target of a `scaleBy` regression; x_is must be positive and finite. */
function relativeTarget(
  target: ArrayLike<number>,
  features: Float32Array,
  n: number,
  d: number,
  s: number,
  field: string,
): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = features[i * d + s] as number;
    if (!(x > 0 && Number.isFinite(x))) bad(`${field}[${i}]`, 'the scaleBy input must be positive');
    out[i] = (target[i] as number) / x;
  }
  return out;
}

function initialScores(
  objective: GbdtObjective,
  y: ArrayLike<number>,
  w: Float64Array,
  n: number,
  K: number,
): number[] {
  if (objective === 'binary') {
    let sp = 0;
    let sn = 0;
    for (let i = 0; i < n; i++) {
      if (y[i]) sp += w[i] as number;
      else sn += w[i] as number;
    }
    if (!(sp > 0 && sn > 0)) bad('target', 'binary training needs both classes with positive weight');
    return [Math.log(sp / sn)];
  }
  if (objective === 'multiclass') {
    const s = new Float64Array(K);
    let total = 0;
    for (let i = 0; i < n; i++) {
      s[y[i] as number] = (s[y[i] as number] as number) + (w[i] as number);
      total += w[i] as number;
    }
    // ln of the class fractions (a floor keeps an absent class finite).
    return Array.from(s, (x) => Math.log(Math.max(x, 1e-12 * total) / total));
  }
  let sw = 0;
  for (let i = 0; i < n; i++) sw += w[i] as number;
  if (!(sw > 0)) bad('weights', 'must not all be zero');
  if (objective === 'l2') {
    let s = 0;
    for (let i = 0; i < n; i++) s += (w[i] as number) * (y[i] as number);
    return [s / sw];
  }
  // Huber: the weighted median, robust like the loss.
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (y[a] as number) - (y[b] as number) || a - b,
  );
  let acc = 0;
  for (const i of order) {
    acc += w[i] as number;
    if (acc >= sw / 2) return [y[i] as number];
  }
  return [y[order[n - 1] as number] as number];
}

function gradients(
  objective: GbdtObjective,
  y: ArrayLike<number>,
  w: Float64Array,
  pred: Float64Array,
  n: number,
  K: number,
  k: number,
  delta: number,
  grad: Float64Array,
  hess: Float64Array,
  prob: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const wi = w[i] as number;
    if (objective === 'binary') {
      const p = 1 / (1 + Math.exp(-(pred[i] as number)));
      grad[i] = (p - (y[i] as number)) * wi;
      hess[i] = Math.max(p * (1 - p), 1e-16) * wi;
    } else if (objective === 'multiclass') {
      softmax(pred, i * K, K, prob);
      const p = prob[k] as number;
      grad[i] = (p - (y[i] === k ? 1 : 0)) * wi;
      hess[i] = Math.max((K / (K - 1)) * p * (1 - p), 1e-16) * wi;
    } else if (objective === 'l2') {
      grad[i] = ((pred[i] as number) - (y[i] as number)) * wi;
      hess[i] = wi;
    } else {
      const r = (pred[i] as number) - (y[i] as number);
      grad[i] = Math.max(-delta, Math.min(delta, r)) * wi;
      hess[i] = wi;
    }
  }
}

function softmax(raw: ArrayLike<number>, o: number, K: number, out: Float64Array | Float32Array, outOffset = 0): void {
  let m = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) m = Math.max(m, raw[o + k] as number);
  let s = 0;
  for (let k = 0; k < K; k++) s += Math.exp((raw[o + k] as number) - m);
  for (let k = 0; k < K; k++) out[outOffset + k] = Math.exp((raw[o + k] as number) - m) / s;
}

/** Weighted mean loss: log-loss, softmax cross-entropy, ½ squared error, or Huber. */
function meanLoss(
  objective: GbdtObjective,
  y: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  pred: Float64Array,
  n: number,
  K: number,
  delta: number,
): number {
  let s = 0;
  let sw = 0;
  const prob = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const wi = weights ? (weights[i] as number) : 1;
    const f = pred[i * K] as number;
    let loss: number;
    if (objective === 'binary') {
      // −[y ln σ(f) + (1−y) ln(1−σ(f))] = ln(1 + e^f) − y f, computed stably.
      loss = Math.max(f, 0) + Math.log1p(Math.exp(-Math.abs(f))) - (y[i] as number) * f;
    } else if (objective === 'multiclass') {
      softmax(pred, i * K, K, prob);
      loss = -Math.log(Math.max(prob[y[i] as number] as number, 1e-300));
    } else {
      const r = f - (y[i] as number);
      loss = objective === 'l2' || Math.abs(r) <= delta ? 0.5 * r * r : delta * (Math.abs(r) - 0.5 * delta);
    }
    s += wi * loss;
    sw += wi;
  }
  return s / sw;
}

/** Leaf value reached by the row starting at `base` of a row-major matrix. */
function treeOutput(tree: GbdtTree, x: ArrayLike<number>, base: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.value[node] as number;
    node =
      (x[base + f] as number) < (tree.threshold[node] as number)
        ? (tree.left[node] as number)
        : (tree.right[node] as number);
  }
}

/**
 * Model output per row: σ(F) for `binary`, the K softmax probabilities for `multiclass`
 * (n × K, row-major), the raw sum F = init + Σ trees for `l2` and `huber` (target units), times x_s
 * with `scaleBy`. With `kernels: 'auto'` the trees run on the wasm kernel `gbdtSum` where the kernels
 * load (see `createRunner`'s option of that name), else on TypeScript loops, which `ts` forces; both
 * give the same bits.
 */
export function evaluateGbdt(
  params: GbdtParams,
  features: Float32Array,
  n: number,
  out?: Float32Array,
  kernels: 'auto' | 'ts' = 'auto',
): Float32Array {
  const d = params.inputs.length;
  const K = params.numClass;
  const res = checkRows(FORMAT, features, n, d, K, out);
  const packed = packedForest(params.trees);
  if (
    kernels === 'auto' &&
    (packed.wasm === undefined || (packed.wasm && (packed.wasm.d !== d || packed.wasm.K !== K)))
  ) {
    packed.wasm = wasmForest(packed, d, K);
  }
  const forest = kernels === 'auto' ? packed.wasm : null;
  const rowsPerBlock = Math.min(EVAL_BLOCK, n);
  const acc = forest ? forest.acc() : new Float64Array(rowsPerBlock * K);
  for (let start = 0; start < n; start += EVAL_BLOCK) {
    const m = Math.min(EVAL_BLOCK, n - start);
    for (let r = 0; r < m; r++) for (let k = 0; k < K; k++) acc[r * K + k] = params.initScore[k] as number;
    if (forest) forest.sum(features, start, m);
    else sumTrees(packed, features, start, m, d, K, acc);
    finish(params, features, start, m, acc, res);
  }
  return res;
}

/**
 * Adds every tree's leaf to acc for rows start … start + m − 1, tree by tree: one tree's nodes stay
 * in cache while the rows go through it, and the step to a child is an add (x < threshold → child,
 * else child + 1). The sum per row runs over the trees in the same order as row by row, so the
 * results are identical to a plain walk (and to the wasm kernel).
 */
function sumTrees(
  p: PackedForest,
  features: Float32Array,
  start: number,
  m: number,
  d: number,
  K: number,
  acc: Float64Array,
): void {
  const { roots, feature, threshold, child, value } = p;
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t] as number;
    const k = K === 1 ? 0 : t % K;
    for (let r = 0; r < m; r++) {
      const base = (start + r) * d;
      let node = root;
      let f = feature[node] as number;
      while (f >= 0) {
        node = (child[node] as number) + ((features[base + f] as number) < (threshold[node] as number) ? 0 : 1);
        f = feature[node] as number;
      }
      acc[r * K + k] = (acc[r * K + k] as number) + (value[node] as number);
    }
  }
}

/** The link of the raw sums acc of rows start … start + m − 1 into res. */
function finish(
  params: GbdtParams,
  features: Float32Array,
  start: number,
  m: number,
  acc: Float64Array,
  res: Float32Array,
): void {
  const K = params.numClass;
  const d = params.inputs.length;
  const scale = params.scaleBy ?? -1;
  for (let r = 0; r < m; r++) {
    const i = start + r;
    if (params.objective === 'binary') res[i] = 1 / (1 + Math.exp(-(acc[r] as number)));
    else if (params.objective === 'multiclass') softmax(acc, r * K, K, res, i * K);
    else res[i] = (acc[r] as number) * (scale < 0 ? 1 : (features[i * d + scale] as number));
  }
}

/** Rows evaluated together, tree by tree. */
const EVAL_BLOCK = 256;

/**
 * All trees of a model in one set of arrays. The children of a split are adjacent (left at
 * `child`, right at `child + 1`, laid out breadth first), so a step is an add, not a branch.
 */
interface PackedForest {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  child: Int32Array;
  value: Float64Array;
  /** The same trees in the wasm kernels' memory (built on first evaluation); null without them. */
  wasm?: WasmForest | null;
}

/** Packed forms by trees array: models are not changed after fitting or parsing. */
const packedCache = new WeakMap<readonly GbdtTree[], PackedForest>();

/** The trees packed contiguously, children in adjacent pairs (see {@link PackedForest}). */
function packedForest(trees: readonly GbdtTree[]): PackedForest {
  const cached = packedCache.get(trees);
  if (cached && cached.roots.length === trees.length) return cached;
  let total = 0;
  for (const t of trees) total += t.feature.length;
  const p: PackedForest = {
    roots: new Int32Array(trees.length),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    child: new Int32Array(total),
    value: new Float64Array(total),
  };
  let next = 0;
  trees.forEach((t, k) => {
    // Breadth first from the root (node 0): each split's two children get the next two slots.
    const slot = new Int32Array(t.feature.length).fill(-1);
    const order = [0];
    slot[0] = next++;
    p.roots[k] = slot[0] as number;
    for (let q = 0; q < order.length; q++) {
      const old = order[q] as number;
      const at = slot[old] as number;
      const f = t.feature[old] as number;
      p.feature[at] = f;
      p.threshold[at] = t.threshold[old] as number;
      p.value[at] = t.value[old] as number;
      if (f < 0) {
        p.child[at] = -1;
        continue;
      }
      const l = t.left[old] as number;
      const r = t.right[old] as number;
      slot[l] = next;
      slot[r] = next + 1;
      p.child[at] = next;
      next += 2;
      order.push(l, r);
    }
  });
  packedCache.set(trees, p);
  return p;
}

/** A forest laid out for the wasm kernel `gbdtSum` (kernels/kernels.ts), with its block buffers. */
interface WasmForest {
  /** Inputs per row and classes it was laid out for. */
  d: number;
  K: number;
  /** The raw sums of a block of rows, [EVAL_BLOCK × K] (a view renewed when the memory grew). */
  acc(): Float64Array;
  /** Adds every tree's leaf to acc() for rows start … start + m − 1 (m ≤ EVAL_BLOCK) of features. */
  sum(features: Float32Array, start: number, m: number): void;
}

/**
 * The packed trees copied into the wasm kernels' memory in gbdtSum's layout: 16-byte nodes
 * [feature byte offset, left child address, threshold f64], leaves pointing at themselves with a
 * threshold of −∞, values beside, and per tree [root address, depth, class byte offset]. The regions
 * return to the allocator once the packed forest is collected. Null where the kernels are missing.
 */
function wasmForest(p: PackedForest, d: number, K: number): WasmForest | null {
  const kernels = wasmKernels();
  if (!kernels) return null;
  const scope = kernels.scope();
  const total = p.feature.length;
  const T = p.roots.length;
  const nodesAt = scope.alloc(4 * total);
  const valuesAt = scope.alloc(2 * total);
  const treesAt = scope.alloc(4 * T);
  const xAt = scope.alloc(EVAL_BLOCK * d);
  const accAt = scope.alloc(2 * EVAL_BLOCK * K);
  const buffer = kernels.exports.memory.buffer;
  const i32 = new Int32Array(buffer);
  const f64 = new Float64Array(buffer);
  for (let i = 0; i < total; i++) {
    const at = nodesAt + 16 * i;
    const f = p.feature[i] as number;
    const leaf = f < 0;
    i32[at >> 2] = leaf ? 0 : 4 * f;
    i32[(at >> 2) + 1] = leaf ? at - 16 : nodesAt + 16 * (p.child[i] as number);
    f64[(at >> 3) + 1] = leaf ? Number.NEGATIVE_INFINITY : (p.threshold[i] as number);
    f64[(valuesAt >> 3) + i] = p.value[i] as number;
  }
  // Depth of each tree: the nodes of a tree are contiguous and breadth first, children after parents.
  const depth = new Int32Array(total);
  for (let t = 0; t < T; t++) {
    const root = p.roots[t] as number;
    const end = t + 1 < T ? (p.roots[t + 1] as number) : total;
    let max = 0;
    for (let i = root; i < end; i++) {
      if ((p.feature[i] as number) < 0) {
        max = Math.max(max, depth[i] as number);
        continue;
      }
      const c = p.child[i] as number;
      depth[c] = (depth[i] as number) + 1;
      depth[c + 1] = (depth[i] as number) + 1;
    }
    const rec = (treesAt >> 2) + 4 * t;
    i32[rec] = nodesAt + 16 * root;
    i32[rec + 1] = max;
    i32[rec + 2] = 8 * (K === 1 ? 0 : t % K);
  }
  kernels.releaseWhenCollected(p, scope);
  const exports = kernels.exports;
  let view = new Float64Array(buffer, accAt, EVAL_BLOCK * K);
  return {
    d,
    K,
    acc() {
      if (view.buffer !== exports.memory.buffer) view = new Float64Array(exports.memory.buffer, accAt, EVAL_BLOCK * K);
      return view;
    },
    sum(features, start, m) {
      kernels.heap().set(features.subarray(start * d, (start + m) * d), xAt >> 2);
      exports.gbdtSum(treesAt, T, nodesAt, valuesAt, xAt, m, d, accAt, K);
    },
  };
}

/** Number of parameters: a threshold per split and a value per leaf, plus the initial scores. */
export function gbdtParameterCount(params: GbdtParams): number {
  let k = params.initScore.length;
  for (const t of params.trees) k += t.feature.length;
  return k;
}

/** JSON form (`hepml-gbdt/1`). */
export function serializeGbdt(params: GbdtParams): GbdtV1 {
  return {
    format: 'hepml-gbdt',
    formatVersion: 1,
    inputs: [...params.inputs],
    objective: params.objective,
    numClass: params.numClass,
    initScore: [...params.initScore],
    scaleBy: params.scaleBy === null ? null : (params.inputs[params.scaleBy] as string),
    trees: params.trees.map((t) => ({
      feature: Array.from(t.feature),
      threshold: Array.from(t.threshold),
      left: Array.from(t.left),
      right: Array.from(t.right),
      value: Array.from(t.value),
    })),
  };
}

/**
 * Strict reader of `hepml-gbdt/1`. Besides types and unknown keys it checks that every tree is a
 * tree: arrays of one length, split nodes name an input and point to two children with larger
 * indices (so evaluation always ends), every node but the root is the child of exactly one node,
 * leaves carry −1 links. Errors are {@link BundleError}s naming the JSON path (`trees[3].left[5]`).
 */
export function parseGbdt(json: unknown): GbdtParams {
  const ctx = FORMAT;
  const r = record(ctx, json, '', [
    'format',
    'formatVersion',
    'inputs',
    'objective',
    'numClass',
    'initScore',
    'scaleBy',
    'trees',
  ]);
  header(ctx, r);
  const inputs = parseInputs(ctx, r.inputs);
  const objective = oneOf(ctx, r.objective, 'objective', OBJECTIVES);
  const numClass = integer(ctx, r.numClass, 'numClass', 1, 1000);
  if ((objective === 'multiclass') !== numClass > 1) {
    fail(ctx, 'numClass', objective === 'multiclass' ? 'must be ≥ 2 for multiclass' : `must be 1 for ${objective}`);
  }
  const initScore = array(ctx, r.initScore, 'initScore', numClass).map((x, k) => finite(ctx, x, `initScore[${k}]`));
  let scaleBy: number | null = null;
  if (r.scaleBy !== null) {
    scaleBy = typeof r.scaleBy === 'string' ? inputs.indexOf(r.scaleBy) : -1;
    if (scaleBy < 0) fail(ctx, 'scaleBy', 'must be null or name one of the inputs');
    if (objective !== 'l2' && objective !== 'huber') fail(ctx, 'scaleBy', `must be null for ${objective}`);
  }
  const rawTrees = array(ctx, r.trees, 'trees');
  if (rawTrees.length % numClass !== 0) fail(ctx, 'trees', `must hold a multiple of numClass = ${numClass} trees`);
  const d = inputs.length;
  const trees = rawTrees.map((raw, t): GbdtTree => {
    const ft = `trees[${t}]`;
    const tr = record(ctx, raw, ft, ['feature', 'threshold', 'left', 'right', 'value']);
    const feature = array(ctx, tr.feature, `${ft}.feature`);
    const m = feature.length;
    if (m === 0) fail(ctx, `${ft}.feature`, 'must not be empty');
    const threshold = array(ctx, tr.threshold, `${ft}.threshold`, m);
    const left = array(ctx, tr.left, `${ft}.left`, m);
    const right = array(ctx, tr.right, `${ft}.right`, m);
    const value = array(ctx, tr.value, `${ft}.value`, m);
    const tree: GbdtTree = {
      feature: new Int32Array(m),
      threshold: new Float64Array(m),
      left: new Int32Array(m),
      right: new Int32Array(m),
      value: new Float64Array(m),
    };
    const parents = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      const f = integer(ctx, feature[i], `${ft}.feature[${i}]`, -1, d - 1);
      tree.feature[i] = f;
      tree.threshold[i] = finite(ctx, threshold[i], `${ft}.threshold[${i}]`);
      tree.value[i] = finite(ctx, value[i], `${ft}.value[${i}]`);
      if (f < 0) {
        tree.left[i] = integer(ctx, left[i], `${ft}.left[${i}]`, -1, -1);
        tree.right[i] = integer(ctx, right[i], `${ft}.right[${i}]`, -1, -1);
      } else {
        for (const [key, links, out] of [
          ['left', left, tree.left],
          ['right', right, tree.right],
        ] as const) {
          const c = integer(ctx, links[i], `${ft}.${key}[${i}]`, i + 1, m - 1);
          if ((parents[c] as number) > 0) fail(ctx, `${ft}.${key}[${i}]`, `node ${c} already has a parent`);
          parents[c] = 1;
          out[i] = c;
        }
      }
    }
    for (let i = 1; i < m; i++) if (parents[i] === 0) fail(ctx, `${ft}.feature[${i}]`, `node ${i} is not reachable`);
    return tree;
  });
  return { inputs, objective, numClass, initScore, trees, scaleBy };
}
