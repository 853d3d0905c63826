/**
 * Evaluation of a fitted histogram GBDT (`GbdtParams`, runtime/baselines/gbdt-format.ts) on raw
 * Float32Array rows, Workers-safe: the trees packed contiguously and walked tree by tree over
 * blocks of rows, on TypeScript loops or on the wasm kernel `gbdtSum` (layout in gbdt-wasm.ts);
 * both give the same bits. Splits send x < threshold to the left child; NaN goes right, or left at
 * the nodes a tree's `missingLeft` marks (imported models; the kernel has no missing direction, so
 * blocks of rows with a NaN in such a forest run on the TypeScript loops).
 */
import { checkBaselineRows } from './format.ts';
import type { GbdtParams, GbdtTree } from './gbdt-format.ts';
import { type WasmForest, wasmForest } from './gbdt-wasm.ts';

const FORMAT = 'hepml-gbdt';

/** Softmax of raw[o … o+K) into out[outOffset …) (the maximum subtracted for range safety). */
export function softmax(
  raw: ArrayLike<number>,
  o: number,
  K: number,
  out: Float64Array | Float32Array,
  outOffset = 0,
): void {
  let m = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) m = Math.max(m, raw[o + k] as number);
  let s = 0;
  for (let k = 0; k < K; k++) s += Math.exp((raw[o + k] as number) - m);
  for (let k = 0; k < K; k++) out[outOffset + k] = Math.exp((raw[o + k] as number) - m) / s;
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
  const res = checkBaselineRows(FORMAT, features, n, d, K, out);
  const packed = packedForest(params.trees);
  if (
    kernels === 'auto' &&
    (packed.wasm === undefined || (packed.wasm && (packed.wasm.d !== d || packed.wasm.K !== K)))
  ) {
    packed.wasm = wasmForest(packed, d, K, EVAL_BLOCK);
  }
  const forest = kernels === 'auto' ? packed.wasm : null;
  const rowsPerBlock = Math.min(EVAL_BLOCK, n);
  const acc = forest ? forest.acc() : new Float64Array(rowsPerBlock * K);
  for (let start = 0; start < n; start += EVAL_BLOCK) {
    const m = Math.min(EVAL_BLOCK, n - start);
    for (let r = 0; r < m; r++) for (let k = 0; k < K; k++) acc[r * K + k] = params.initScore[k] as number;
    // The kernel has no missing direction: blocks with a NaN in a forest that sends some NaN left
    // run on the TypeScript loops (the same bits: both sum in the same order).
    if (forest && !(packed.anyMissingLeft && hasNaN(features, start * d, (start + m) * d)))
      forest.sum(features, start, m);
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
  if (p.anyMissingLeft) {
    sumTreesMissing(p, features, start, m, d, K, acc);
    return;
  }
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

function hasNaN(features: Float32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (Number.isNaN(features[i])) return true;
  return false;
}

/** {@link sumTrees} where some splits send NaN left (`missingLeft`). */
function sumTreesMissing(
  p: PackedForest,
  features: Float32Array,
  start: number,
  m: number,
  d: number,
  K: number,
  acc: Float64Array,
): void {
  const { roots, feature, threshold, child, value, missingLeft } = p;
  for (let t = 0; t < roots.length; t++) {
    const root = roots[t] as number;
    const k = K === 1 ? 0 : t % K;
    for (let r = 0; r < m; r++) {
      const base = (start + r) * d;
      let node = root;
      let f = feature[node] as number;
      while (f >= 0) {
        const x = features[base + f] as number;
        const right = Number.isNaN(x) ? missingLeft[node] !== 1 : !(x < (threshold[node] as number));
        node = (child[node] as number) + (right ? 1 : 0);
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
export interface PackedForest {
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  child: Int32Array;
  value: Float64Array;
  /** 1 where a NaN input goes left (all 0 without `missingLeft` in the trees). */
  missingLeft: Uint8Array;
  /** Whether any split sends NaN left (then blocks with a NaN run on the TypeScript loops: the kernel cannot). */
  anyMissingLeft: boolean;
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
    missingLeft: new Uint8Array(total),
    anyMissingLeft: false,
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
      if (f >= 0 && t.missingLeft?.[old] === 1) {
        p.missingLeft[at] = 1;
        p.anyMissingLeft = true;
      }
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
