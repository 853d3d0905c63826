import { at, auc, type ColumnarSample } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import type { Bundle } from '../bundle/build.ts';
import type { EvaluationV1 } from '../bundle/evaluation.ts';
import type { BundleManifestV1, BundleOutputV1 } from '../bundle/manifest.ts';
import { evaluateBinaryClassifier } from '../evaluation/classifier.ts';
import { permutationImportance } from '../evaluation/feature-ranking.ts';
import { evaluateMassSculpting } from '../evaluation/mass-sculpting.ts';
import { type ClassSpec, evaluateMultiClass } from '../evaluation/multiclass.ts';
import { overtrainingCheck } from '../evaluation/overtraining.ts';
import type { ModelRunner } from '../runtime/runner.ts';
import {
  type CommonTrainingOptions,
  denseSpecs,
  mlpBundle,
  predictRows,
  rawMatrix,
  sampleHash,
  standardiseInPlace,
} from './common.ts';
import { binaryCrossEntropy, categoricalCrossEntropy, type FitResult, fitModel, type SplitTensors } from './fit.ts';
import { classBalanceWeights, type ReweightAxis, reweightBackgroundToSignal, splitIndices } from './samples.ts';
import { flattenDenseWeights, type StandardisationOptions, standardisation } from './train-mlp.ts';

/** Options of {@link trainTagger}. */
export interface TaggerTrainingOptions extends CommonTrainingOptions {
  name: string;
  task: string;
  description: string;
  sample: ColumnarSample;
  inputNames: readonly string[];
  /** The network: standardised inputs → sigmoid score (binary) or softmax (multi-class). */
  build: (inputSize: number, seed: number) => tf.Sequential;
  /** Multi-class: the classes in output-column order; the first signal class is the reference. */
  classes?: ClassSpec[];
  /** Reweight the background to the signal in these variables before class balancing. */
  reweight?: ReweightAxis[];
  /** Column of the jet mass [GeV] for the mass-sculpting figure. */
  massColumn?: string;
  /** Test rows used for the permutation ranking (default 4000). */
  rankingRows?: number;
  /** Fractions of validation and test rows (default 0.2 and 0.2). */
  split?: { validation: number; test: number };
  /** Working points (default loose 95 %, medium 90 %, tight 80 % εS). */
  workingPoints?: readonly { name: string; signalEfficiency: number }[];
  /** Input descriptions and inputs left unstandardised ({@link standardisation}). */
  standardisation?: StandardisationOptions;
}

/** A trained tagger: its bundle and how training went. */
export interface TrainedTagger {
  bundle: Bundle;
  fit: FitResult;
  /** Test-split rows (sample indices), for comparisons with baselines on the same events. */
  testRows: Uint32Array;
}

/**
 * Trains a binary or multi-class MLP tagger on a columnar sample and returns its bundle:
 * seeded 60/20/20 split; inputs standardised with the training split; background optionally
 * reweighted to the signal in kinematics, then classes balanced by weights; weighted
 * cross-entropy with early stopping and learning-rate reduction. Figures are measured with the
 * bundle's runtime on the test split: ROC, AUC, εB at εS = 92 %, 1/εB at εS = 50 %, working
 * points, overtraining KS (train vs test), permutation feature ranking (ΔAUC), per-class figures
 * and mass sculpting when asked. For multi-class the ROC, working points and AUC refer to the first
 * signal class's probability, that class against the background classes.
 */
export async function trainTagger(options: TaggerTrainingOptions): Promise<TrainedTagger> {
  const { sample, inputNames, seed } = options;
  const multi = options.classes !== undefined && options.classes.length > 2;
  const split = splitIndices(sample.n, seed, options.split ?? { validation: 0.2, test: 0.2 });
  const inputs = standardisation(sample, inputNames, split.train, options.standardisation);
  const k = inputs.length;
  const classCount = multi ? (options.classes as ClassSpec[]).length : 1;
  const targetOf = (rows: Uint32Array) => {
    const y = new Float32Array(rows.length * classCount);
    rows.forEach((i, r) => {
      const l = at(sample.label, i);
      if (multi) {
        const col = (options.classes as ClassSpec[]).find((c) => c.label === l)?.column;
        if (col === undefined) throw new RangeError(`label ${l} is not one of the classes`);
        y[r * classCount + col] = 1;
      } else y[r] = l ? 1 : 0;
    });
    return y;
  };
  const weightsOf = (rows: Uint32Array) => {
    const base = options.reweight ? reweightBackgroundToSignal(sample, rows, options.reweight) : undefined;
    return classBalanceWeights(sample, rows, base);
  };
  const tensors = (rows: Uint32Array): SplitTensors => ({
    x: [tf.tensor2d(standardiseInPlace(rawMatrix(sample, inputNames, rows), inputs), [rows.length, k])],
    y: tf.tensor2d(targetOf(rows), [rows.length, classCount]),
    weight: tf.tensor1d(weightsOf(rows)),
  });
  const train = tensors(split.train);
  const validation = tensors(split.validation);
  const model = options.build(k, seed);
  let fit: FitResult;
  try {
    fit = await fitModel({
      model,
      loss: multi ? categoricalCrossEntropy : binaryCrossEntropy,
      train,
      validation,
      epochs: options.epochs,
      seed,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.learningRate ? { learningRate: options.learningRate } : {}),
      ...(options.onEpoch ? { onEpoch: (e, l, v) => options.onEpoch?.(e, l, v) } : {}),
    });
  } finally {
    tf.dispose([...train.x, train.y, train.weight, ...validation.x, validation.y, validation.weight]);
  }
  const layers = denseSpecs(model);
  const weights = flattenDenseWeights(model);
  model.dispose();

  const discriminant = multi ? referenceDiscriminant(options.classes as ClassSpec[]) : undefined;
  const outputs: BundleOutputV1[] = multi
    ? (options.classes as ClassSpec[]).map((c) => ({ name: c.output, kind: 'class-score' as const, unit: '1' }))
    : [{ name: 'score', kind: 'score', unit: '1' }];
  if (discriminant) outputs.push(discriminant);
  const meta = {
    name: options.name,
    task: options.task,
    description: options.description,
    inputs,
    outputs,
    lineage: {
      datasetHash: await sampleHash(sample),
      codeVersion: options.codeVersion ?? 'unknown',
      seed,
      createdAt: new Date().toISOString(),
      backend: options.backend,
      ...(options.profile ? { profile: options.profile } : {}),
    },
  };
  const bundle = await mlpBundle(meta, layers, weights, (runner) =>
    classifierFigures({
      runner,
      sample,
      inputNames,
      split,
      seed,
      fit,
      ...(options.classes ? { classes: options.classes } : {}),
      ...(discriminant ? { discriminant: { column: outputs.length - 1, output: discriminant.name } } : {}),
      ...(options.massColumn ? { massColumn: options.massColumn } : {}),
      ...(options.rankingRows ? { rankingRows: options.rankingRows } : {}),
      ...(options.workingPoints ? { workingPoints: options.workingPoints } : {}),
    }),
  );
  return { bundle, fit, testRows: split.test };
}

/**
 * The discriminant output of the first signal class against the background classes,
 * D = p_s/(p_s + Σ p_b) — for W/top/QCD `w_vs_qcd` = p_w/(p_w + p_qcd) = σ(z_w − z_qcd), the
 * likelihood ratio of W against QCD the softmax learnt. It is the tagger's score: working points,
 * ROC and the served score are on D, not on p_s, which also falls for jets of the other signal
 * class (top) and ranks W against QCD worse.
 */
export function referenceDiscriminant(classes: readonly ClassSpec[]): BundleOutputV1 {
  const signal = classes.find((c) => c.role === 'signal');
  const background = classes.filter((c) => c.role === 'background');
  if (!signal || background.length === 0) throw new RangeError('classes need a signal and a background class');
  return {
    name: `${signal.name}_vs_${background.map((c) => c.name).join('_')}`,
    kind: 'score',
    unit: '1',
    discriminant: { signal: [signal.output], background: background.map((c) => c.output) },
  };
}

/** The first discriminant among `outputs` as {@link classifierFigures} takes it (column and name). */
export function discriminantColumn(outputs: readonly BundleOutputV1[]): { column: number; output: string } | undefined {
  const column = outputs.findIndex((o) => o.discriminant !== undefined);
  return column < 0 ? undefined : { column, output: at(outputs, column).name };
}

/** Inputs of {@link classifierFigures}. */
export interface ClassifierFiguresOptions {
  runner: ModelRunner;
  sample: ColumnarSample;
  inputNames: readonly string[];
  split: { train: Uint32Array; validation: Uint32Array; test: Uint32Array };
  /**
   * Classes of a multi-class task. With a k-output runner: softmax columns; with a one-output
   * runner (a W-against-QCD baseline): the score is the first signal class against the background
   * classes, other signal classes left out.
   */
  classes?: ClassSpec[];
  /**
   * The runner's column holding the reference discriminant ({@link referenceDiscriminant}) and
   * its output name: the score of every binary figure when given, else the reference class's
   * probability.
   */
  discriminant?: { column: number; output: string };
  massColumn?: string;
  rankingRows?: number;
  /** Working points (default loose 95 %, medium 90 %, tight 80 % εS). */
  workingPoints?: readonly { name: string; signalEfficiency: number }[];
  seed: number;
  fit?: FitResult;
}

/**
 * Figures of merit of a classifier bundle measured with its runtime: ROC, AUC, εB at εS = 92 %,
 * 1/εB at εS = 50 %, loose/medium/tight working points on the test split; overtraining KS (train
 * vs test); permutation ranking by ΔAUC; per-class figures (multi-class outputs) and mass
 * sculpting (when `massColumn`). With a discriminant column the binary figures are on it, and
 * `aucProbability` is the AUC the reference class's probability alone would give, for comparison.
 * Networks and baselines go through this same function, on the same split, so their numbers
 * compare.
 */
export function classifierFigures(
  o: ClassifierFiguresOptions,
): Pick<BundleManifestV1, 'metrics' | 'workingPoints' | 'roc' | 'evaluation'> {
  const { runner, sample, inputNames, split, seed, fit } = o;
  const k = inputNames.length;
  const classCount = runner.outputSize;
  const multi = classCount > 1;
  const reference = o.classes?.find((c) => c.role === 'signal');
  const refColumn = reference && multi ? reference.column : 0;
  const scoreColumn = multi && o.discriminant ? o.discriminant.column : refColumn;
  const backgroundLabels = new Set((o.classes ?? []).filter((c) => c.role === 'background').map((c) => c.label));
  /** Reference score and binary label per row; rows of other signal classes are dropped. */
  const binaryView = (rows: Uint32Array, out: Float32Array) => {
    const scores: number[] = [];
    const labels: number[] = [];
    rows.forEach((i, r) => {
      const l = at(sample.label, i);
      if (!reference) {
        scores.push(at(out, r));
        labels.push(l ? 1 : 0);
      } else if (l === reference.label || backgroundLabels.has(l)) {
        scores.push(at(out, r * classCount + scoreColumn));
        labels.push(l === reference.label ? 1 : 0);
      }
    });
    return { scores, labels };
  };
  const testRaw = rawMatrix(sample, inputNames, split.test);
  const testOut = predictRows(runner, testRaw, split.test.length);
  const trainOut = predictRows(runner, rawMatrix(sample, inputNames, split.train), split.train.length);
  const test = binaryView(split.test, testOut);
  const trainView = binaryView(split.train, trainOut);
  const figures = evaluateBinaryClassifier(test.scores, test.labels, undefined, o.workingPoints);
  const evaluation: EvaluationV1 = {
    split: { train: split.train.length, validation: split.validation.length, test: split.test.length },
    overtraining: overtrainingCheck(trainView, test),
  };
  if (reference && multi) evaluation.reference = o.discriminant?.output ?? reference.output;
  const nRank = Math.min(o.rankingRows ?? 4000, split.test.length);
  const rankRows = split.test.subarray(0, nRank);
  const rankView = binaryView(rankRows, testOut.subarray(0, nRank * classCount));
  const keepForRank = Array.from(
    rankRows,
    (i) => !reference || sample.label[i] === reference.label || backgroundLabels.has(at(sample.label, i)),
  );
  const keptRows = keepForRank.flatMap((keep, r) => (keep ? [r] : []));
  evaluation.featureRanking = permutationImportance({
    inputs: inputNames,
    features: testRaw.subarray(0, nRank * k),
    n: nRank,
    predict: (f, n) => predictRows(runner, f, n),
    figure: (out) =>
      auc(
        Float64Array.from(keptRows, (r) => at(out, r * classCount + scoreColumn)),
        rankView.labels,
      ),
    metric: 'auc',
    repeats: 2,
    seed,
  });
  const pS = evaluation.overtraining?.signal.pValue ?? 1;
  const pB = evaluation.overtraining?.background.pValue ?? 1;
  const metrics: Record<string, number> = {
    ...figures.metrics,
    ksPValueSignal: pS,
    ksPValueBackground: pB,
    ksPValue: Math.min(pS, pB),
  };
  if (fit) {
    metrics.epochs = fit.history.loss.length;
    metrics.trainSamplesPerSecond = fit.samplesPerSecond;
  }
  if (multi && reference && o.discriminant) {
    // The reference class's probability alone on the same rows, to show what the discriminant gains.
    const alone: number[] = [];
    split.test.forEach((i, r) => {
      const l = at(sample.label, i);
      if (l === reference.label || backgroundLabels.has(l)) alone.push(at(testOut, r * classCount + refColumn));
    });
    metrics.aucProbability = auc(alone, test.labels);
  }
  if (multi && o.classes) {
    const labels = Array.from(split.test, (i) => at(sample.label, i));
    evaluation.classes = evaluateMultiClass(testOut, labels, o.classes, classCount);
    for (const c of evaluation.classes) {
      metrics[`auc_${c.name}`] = c.auc;
      if (c.rejectionAt50 !== undefined) metrics[`rejectionAt50_${c.name}`] = c.rejectionAt50;
    }
  }
  if (o.massColumn) {
    const mass = sample.columns[o.massColumn] as Float32Array;
    const massOf: number[] = [];
    split.test.forEach((i) => {
      const l = at(sample.label, i);
      if (!reference || l === reference.label || backgroundLabels.has(l)) massOf.push(at(mass, i));
    });
    evaluation.massSculpting = evaluateMassSculpting({ mass: massOf, scores: test.scores, labels: test.labels });
    const at50 = evaluation.massSculpting.points.find((p) => p.signalEfficiency === 0.5);
    if (at50) metrics.jsdAt50 = at50.jsd;
  }
  return { metrics, workingPoints: figures.workingPoints, roc: figures.roc, evaluation };
}
