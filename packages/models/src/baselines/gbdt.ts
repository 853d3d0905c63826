/**
 * Histogram-based gradient-boosted decision trees, as LightGBM builds them (Ke et al., "LightGBM: A
 * Highly Efficient Gradient Boosting Decision Tree", NeurIPS 2017), in plain TypeScript loops
 * (Workers-safe: no Node, no tfjs). This is the fit; the model's format `hepml-gbdt/1` is
 * runtime/baselines/gbdt-format.ts, its evaluation runtime/baselines/gbdt.ts, the objectives'
 * gradients and losses gbdt-objectives.ts.
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
import { at, cutPointIndex } from '@hepml/physics';
import { checkBaselineRows } from '../runtime/baselines/format.ts';
import {
  GBDT_OBJECTIVES,
  type GbdtObjective,
  type GbdtParams,
  type GbdtTree,
} from '../runtime/baselines/gbdt-format.ts';
import { quantileEdges } from './binning.ts';
import { gbdtInputError, gradients, initialScores, meanLoss, relativeTarget } from './gbdt-objectives.ts';

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

const FORMAT = 'hepml-gbdt';

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

const bad = gbdtInputError;

/**
 * Trains gradient-boosted trees (see the module comment). Deterministic: no sampling. Throws
 * {@link ModelInputError} naming the option when an option or a label is out of range.
 */
export function fitGbdt(options: FitGbdtOptions): GbdtParams {
  const { features, n, target, objective } = options;
  const inputs = [...options.inputs];
  const d = inputs.length;
  checkBaselineRows(FORMAT, features, n, d, 0, undefined);
  if (target.length !== n) bad('target', `has ${target.length} values for ${n} rows`);
  if (!GBDT_OBJECTIVES.includes(objective)) bad('objective', `unknown objective "${objective}"`);
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
    const x = options.weights ? at(options.weights, i) : 1;
    if (!(x >= 0 && Number.isFinite(x))) bad(`weights[${i}]`, 'must be finite and ≥ 0');
    w[i] = x;
  }
  let K = 1;
  if (objective === 'binary' || objective === 'multiclass') {
    let maxLabel = 0;
    for (let i = 0; i < n; i++) {
      const y = at(target, i);
      if (!(Number.isInteger(y) && y >= 0)) bad(`target[${i}]`, 'must be a class label 0, 1, …');
      maxLabel = Math.max(maxLabel, y);
    }
    if (objective === 'binary' && maxLabel > 1) bad('target', 'binary labels must be 0 or 1');
    if (objective === 'multiclass') {
      K = options.numClass ?? maxLabel + 1;
      if (!(Number.isInteger(K) && K >= 2 && K > maxLabel)) bad('numClass', `must be an integer ≥ 2 above every label`);
    }
  } else {
    for (let i = 0; i < n; i++) if (!Number.isFinite(at(target, i))) bad(`target[${i}]`, 'must be finite');
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
  for (let j = 0; j < d; j++) offset[j + 1] = at(offset, j) + at(nb, j);
  const totalBins = at(offset, d);
  const binOf = edges.map((e) => cutPointIndex(e));
  const codes = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const x = at(features, i * d + j);
      codes[i * d + j] = Number.isNaN(x) ? at(nb, j) - 1 : at(binOf, j)(x);
    }
  }

  const initScore = initialScores(objective, y, w, n, K);
  const pred = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) pred[i * K + k] = at(initScore, k);
  const val = options.validation;
  let valPred: Float64Array | null = null;
  if (val) {
    checkBaselineRows(FORMAT, val.features, val.n, d, 0, undefined);
    valPred = new Float64Array(val.n * K);
    for (let i = 0; i < val.n; i++) for (let k = 0; k < K; k++) valPred[i * K + k] = at(initScore, k);
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
      const i = at(rows, r);
      const g = at(grad, i);
      const hh = at(hess, i);
      const base = i * d;
      for (let j = 0; j < d; j++) {
        const idx = (at(offset, j) + at(codes, base + j)) * 3;
        h[idx] = at(h, idx) + g;
        h[idx + 1] = at(h, idx + 1) + hh;
        h[idx + 2] = at(h, idx + 2) + 1;
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
    for (let b = 0; b < at(nb, 0); b++) {
      G += at(h, b * 3);
      H += at(h, b * 3 + 1);
      C += at(h, b * 3 + 2);
    }
    if (C < 2 * minData) return null;
    const parent = (G * G) / (H + lambda);
    let best: Split | null = null;
    for (let j = 0; j < d; j++) {
      let gl = 0;
      let hl = 0;
      let cl = 0;
      const o = at(offset, j);
      for (let b = 0; b < at(nb, j) - 1; b++) {
        const idx = (o + b) * 3;
        gl += at(h, idx);
        hl += at(h, idx + 1);
        cl += at(h, idx + 2);
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
        const c = at(open, q);
        if (!c.split) continue;
        if (pick < 0) {
          pick = q;
          continue;
        }
        const p = at(open, pick);
        const better =
          growth === 'leaf-wise'
            ? c.split.gain > (p.split as Split).gain || (c.split.gain === (p.split as Split).gain && c.order < p.order)
            : c.depth < p.depth || (c.depth === p.depth && c.order < p.order);
        if (better) pick = q;
      }
      if (pick < 0) break;
      const leaf = at(open.splice(pick, 1), 0);
      const split = leaf.split as Split;
      const j = split.feature;
      // Stable partition of the leaf's rows: bins ≤ split.bin go left.
      let l = leaf.start;
      let s = 0;
      for (let r = leaf.start; r < leaf.end; r++) {
        const i = at(rows, r);
        if (at(codes, i * d + j) <= split.bin) rows[l++] = i;
        else scratch[s++] = i;
      }
      rows.set(scratch.subarray(0, s), l);
      const leftNode = feature.length;
      const rightNode = leftNode + 1;
      feature[leaf.node] = j;
      threshold[leaf.node] = at(edges, j)[split.bin] as number;
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
        for (let k = 0; k < large.length; k++) large[k] = at(large, k) - at(small, k);
      } else {
        small = buildHist(l, leaf.end);
        large = leaf.hist;
        for (let k = 0; k < large.length; k++) large[k] = at(large, k) - at(small, k);
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
        const i = at(rows, r);
        G += at(grad, i);
        H += at(hess, i);
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
      for (let i = 0; i < n; i++) pred[i * K + k] = at(pred, i * K + k) + (tree.value[at(leafOf, i)] as number);
      if (val && valPred) {
        for (let i = 0; i < val.n; i++) {
          valPred[i * K + k] = at(valPred, i * K + k) + treeOutput(tree, val.features, i * d);
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

/** Leaf value reached by the row starting at `base` of a row-major matrix. */
function treeOutput(tree: GbdtTree, x: ArrayLike<number>, base: number): number {
  let node = 0;
  for (;;) {
    const f = at(tree.feature, node);
    if (f < 0) return at(tree.value, node);
    node = at(x, base + f) < at(tree.threshold, node) ? at(tree.left, node) : at(tree.right, node);
  }
}
