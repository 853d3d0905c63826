/**
 * The fitted histogram GBDT in memory ({@link GbdtParams}) and on disk (`hepml-gbdt/1`,
 * {@link GbdtV1}), its strict reader and writer (Workers-safe). Fitting is `fitGbdt`
 * (baselines/gbdt.ts), evaluation `evaluateGbdt` (runtime/baselines/gbdt.ts).
 */
import { at } from '@hepml/physics';
import { z } from 'zod';
import { baselineFileV1, type FormatProblem, readFormat, refineWith } from './format.ts';

/** Loss being boosted. */
export type GbdtObjective = 'binary' | 'multiclass' | 'l2' | 'huber';

/** The objectives, in the order of {@link GbdtObjective}. */
export const GBDT_OBJECTIVES = ['binary', 'multiclass', 'l2', 'huber'] as const satisfies readonly GbdtObjective[];

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
  /**
   * Where a NaN input goes at each split: 1 left, 0 right. Absent: every NaN goes right (the
   * fitted models; imported XGBoost/LightGBM/ONNX-ML trees carry their default directions).
   */
  missingLeft?: Uint8Array;
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

const FORMAT = 'hepml-gbdt';

const integers = z.array(z.number().int());

/**
 * The on-disk format `hepml-gbdt/1`. Besides types and unknown keys the reader checks that every
 * tree is a tree: arrays of one length, split nodes name an input and point to two children with
 * larger indices (so evaluation always ends), every node but the root is the child of exactly one
 * node, leaves carry −1 links.
 */
export const GbdtV1 = baselineFileV1(FORMAT, {
  objective: z.enum(GBDT_OBJECTIVES),
  numClass: z.number().int().min(1).max(1000),
  initScore: z.array(z.number()),
  /** Input name the regression response is relative to, or null. */
  scaleBy: z.string().nullable(),
  trees: z.array(
    z.strictObject({
      feature: integers,
      threshold: z.array(z.number()),
      left: integers,
      right: integers,
      value: z.array(z.number()),
      /** Optional: 1 where a NaN input goes left at the split, 0 where it goes right (the default). */
      missingLeft: z.array(z.union([z.literal(0), z.literal(1)])).optional(),
    }),
  ),
}).superRefine(refineWith((file) => gbdtProblem(file)));
export type GbdtV1 = z.infer<typeof GbdtV1>;

function gbdtProblem(file: GbdtV1): FormatProblem | null {
  const { objective, numClass } = file;
  if ((objective === 'multiclass') !== numClass > 1) {
    const message = objective === 'multiclass' ? 'must be ≥ 2 for multiclass' : `must be 1 for ${objective}`;
    return { path: ['numClass'], message };
  }
  if (file.initScore.length !== numClass) return { path: ['initScore'], message: `must have ${numClass} entries` };
  if (file.scaleBy !== null) {
    if (!file.inputs.includes(file.scaleBy))
      return { path: ['scaleBy'], message: 'must be null or name one of the inputs' };
    if (objective !== 'l2' && objective !== 'huber')
      return { path: ['scaleBy'], message: `must be null for ${objective}` };
  }
  if (file.trees.length % numClass !== 0) {
    return { path: ['trees'], message: `must hold a multiple of numClass = ${numClass} trees` };
  }
  const d = file.inputs.length;
  for (let t = 0; t < file.trees.length; t++) {
    const problem = treeProblem(at(file.trees, t), d);
    if (problem) return { path: ['trees', t, ...problem.path], message: problem.message };
  }
  return null;
}

/** The first problem of one tree (path relative to the tree), or null. */
function treeProblem(tree: GbdtV1['trees'][number], d: number): FormatProblem | null {
  const m = tree.feature.length;
  if (m === 0) return { path: ['feature'], message: 'must not be empty' };
  for (const key of ['threshold', 'left', 'right', 'value'] as const) {
    if (tree[key].length !== m) return { path: [key], message: `must have ${m} entries, has ${tree[key].length}` };
  }
  if (tree.missingLeft && tree.missingLeft.length !== m)
    return { path: ['missingLeft'], message: `must have ${m} entries, has ${tree.missingLeft.length}` };
  const parents = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const f = at(tree.feature, i);
    if (f < -1 || f > d - 1) return { path: ['feature', i], message: `must be an integer in [-1, ${d - 1}]` };
    for (const key of ['left', 'right'] as const) {
      const c = at(tree[key], i);
      if (f < 0) {
        if (c !== -1) return { path: [key, i], message: 'must be -1 in a leaf' };
        continue;
      }
      if (c < i + 1 || c > m - 1) return { path: [key, i], message: `must be an integer in [${i + 1}, ${m - 1}]` };
      if (at(parents, c) > 0) return { path: [key, i], message: `node ${c} already has a parent` };
      parents[c] = 1;
    }
  }
  for (let i = 1; i < m; i++)
    if (parents[i] === 0) return { path: ['feature', i], message: `node ${i} is not reachable` };
  return null;
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
    format: FORMAT,
    formatVersion: 1,
    inputs: [...params.inputs],
    objective: params.objective,
    numClass: params.numClass,
    initScore: [...params.initScore],
    scaleBy: params.scaleBy === null ? null : at(params.inputs, params.scaleBy),
    trees: params.trees.map((t) => ({
      feature: Array.from(t.feature),
      threshold: Array.from(t.threshold),
      left: Array.from(t.left),
      right: Array.from(t.right),
      value: Array.from(t.value),
      ...(t.missingLeft?.some((b) => b === 1)
        ? { missingLeft: Array.from(t.missingLeft, (b) => (b === 1 ? 1 : 0)) }
        : {}),
    })),
  };
}

/**
 * Strict reader of `hepml-gbdt/1` ({@link GbdtV1}). Errors are {@link BundleError}s naming the
 * JSON path (`trees[3].left[5]`).
 */
export function parseGbdt(json: unknown): GbdtParams {
  const file = readFormat(GbdtV1, json, FORMAT);
  const { inputs } = file;
  return {
    inputs,
    objective: file.objective,
    numClass: file.numClass,
    initScore: file.initScore,
    trees: file.trees.map(
      (t): GbdtTree => ({
        feature: Int32Array.from(t.feature),
        threshold: Float64Array.from(t.threshold),
        left: Int32Array.from(t.left),
        right: Int32Array.from(t.right),
        value: Float64Array.from(t.value),
        ...(t.missingLeft ? { missingLeft: Uint8Array.from(t.missingLeft) } : {}),
      }),
    ),
    scaleBy: file.scaleBy === null ? null : inputs.indexOf(file.scaleBy),
  };
}
