/**
 * Training a regression task file ({@link TaskV1} of kind `regression`): what the built-in energy
 * regression trains — an MLP and a histogram GBDT on the target — with its figures (MAE, eIQR of
 * prediction/target, rIQR against the task's baseline), for any target a physicist names. The
 * bundles' one output is a `value` named after the target, in its unit.
 */
import { at, type ColumnarSample, median } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { huberLoss } from '../architectures/losses.ts';
import { buildMlpModel } from '../architectures/mlp.ts';
import { fitGbdt } from '../baselines/gbdt.ts';
import { sampleMatrix } from '../baselines/matrix.ts';
import type { TaskBaseline } from '../baselines/suite.ts';
import type { EvaluationV1 } from '../bundle/evaluation.ts';
import type { BundleManifestV1, BundleOutputV1 } from '../bundle/manifest.ts';
import { permutationImportance } from '../evaluation/feature-ranking.ts';
import { evaluateRegression } from '../evaluation/regression.ts';
import type { ModelRunner } from '../runtime/runner.ts';
import { type TaskV1, taskSplit, taskTargetName } from '../tasks/task-v1.ts';
import { denseSpecs, mlpBundle, predictRows, rawMatrix, sampleHash, standardiseInPlace } from './common.ts';
import { type FitResult, fitModel, type SplitTensors } from './fit.ts';
import { splitIndices } from './samples.ts';
import { bundleBaselines, type SuiteEntry } from './suite.ts';
import type { TrainTaskFileOptions } from './task-file.ts';
import { flattenDenseWeights, standardisation } from './train-mlp.ts';

/** The split rows of a regression sample. */
export interface RegressionSplit {
  train: Uint32Array;
  validation: Uint32Array;
  test: Uint32Array;
}

/** Options of {@link targetRegressionFigures}. */
export interface TargetRegressionFiguresOptions {
  runner: ModelRunner;
  /** The task's rows: inputs as columns, `truth.target`, and `truth.baseline` / `truth.eta` where the task has them. */
  sample: ColumnarSample;
  inputNames: readonly string[];
  split: RegressionSplit;
  /** The target's output name and unit. */
  target: { name: string; unit: string };
  seed: number;
  fit?: FitResult;
  /** Test rows of the permutation ranking (default 1500). */
  rankingRows?: number;
}

/**
 * The baseline of each row: `truth.baseline` (the task's standard estimate of the target), else
 * the median of the training targets, a constant estimate (so rIQR < 1 says the model resolves
 * better than knowing nothing of the row).
 */
export function regressionBaseline(sample: ColumnarSample, trainRows: Uint32Array): (row: number) => number {
  const baseline = sample.truth.baseline;
  if (baseline) return (i) => at(baseline, i);
  const target = sample.truth.target as Float32Array;
  const m = median(Float64Array.from(trainRows, (i) => at(target, i)));
  return () => m;
}

/**
 * Regression figures of a task file's model with the bundle runtime on the test rows, as the
 * energy regression's ({@link evaluateRegression}): MAE [target unit], eIQR = IQR(ŷ/y)/1.349, the
 * median response ŷ/y, and rIQR = eIQR/eIQR(baseline) against {@link regressionBaseline}, overall
 * and in |η| bins when the task names the object's η; plus the permutation ranking by ΔMAE. The
 * ratio figures assume a target of one sign away from 0 (a response, an energy).
 */
export function targetRegressionFigures(
  o: TargetRegressionFiguresOptions,
): Pick<BundleManifestV1, 'metrics' | 'workingPoints' | 'evaluation'> {
  const { runner, sample, inputNames, split, seed } = o;
  const test = split.test;
  const k = inputNames.length;
  const width = runner.outputSize;
  const target = sample.truth.target as Float32Array;
  const baseline = regressionBaseline(sample, split.train);
  const features = rawMatrix(sample, inputNames, test);
  const predicted = (out: Float32Array, n: number) => Float64Array.from({ length: n }, (_, r) => at(out, r * width));
  const yHat = predicted(predictRows(runner, features, test.length), test.length);
  const y = Float64Array.from(test, (i) => at(target, i));
  const eta = sample.truth.eta;
  const { evaluation: regression, metrics } = evaluateRegression({
    eReco: yHat,
    eStandard: Float64Array.from(test, (i) => baseline(i)),
    eTrue: y,
    ...(eta ? { eta: Float64Array.from(test, (i) => at(eta, i)) } : {}),
    energyEdges: null,
    target: o.target,
  });
  const nRank = Math.min(o.rankingRows ?? 1500, test.length);
  const evaluation: EvaluationV1 = {
    split: { train: split.train.length, validation: split.validation.length, test: test.length },
    regression,
    featureRanking: permutationImportance({
      inputs: inputNames,
      features: features.subarray(0, nRank * k),
      n: nRank,
      predict: (f, n) => predictRows(runner, f, n),
      figure: (out) => {
        const p = predicted(out, nRank);
        let s = 0;
        for (let i = 0; i < nRank; i++) s += Math.abs(at(p, i) - at(y, i));
        return s / nRank;
      },
      metric: 'mae',
      repeats: 2,
      seed,
    }),
  };
  return {
    metrics: o.fit
      ? { ...metrics, epochs: o.fit.history.loss.length, trainSamplesPerSecond: o.fit.samplesPerSecond }
      : { ...metrics },
    workingPoints: [],
    evaluation,
  };
}

/**
 * Trains a regression task file: `<task>-mlp`, an MLP (default hidden 32-16, linear output) on the
 * standardised inputs learning the standardised target z = (y − mean)/sd with a Huber loss (δ = 1
 * sd), its last layer then rescaled so the bundle outputs y itself (W·sd, b·sd + mean: exact, the
 * `mlp` architecture has no output scaling), in batches of train/16 rows (16 to 256); and `<task>-gbdt`, a histogram GBDT (Huber, δ = 1 sd
 * of the training targets) on the raw inputs. Both on the task's seeded split, weighted by the
 * task's weights, their figures from {@link targetRegressionFigures}.
 */
export async function trainTaskRegression(options: TrainTaskFileOptions): Promise<SuiteEntry[]> {
  const { task } = options;
  const { sample } = options.data;
  const seed = options.seed ?? task.seed;
  const epochs = options.epochs ?? task.training?.epochs ?? 30;
  const trees = options.trees ?? task.training?.trees ?? 100;
  const hidden = task.training?.hidden ?? [32, 16];
  const include = options.include ?? (() => true);
  const split = splitIndices(sample.n, seed, taskSplit(task));
  const inputNames = task.inputs.map((i) => i.name);
  const descriptions = Object.fromEntries(task.inputs.map((i) => [i.name, i.description]));
  const unscaled = new Set(task.inputs.filter((i) => i.standardise === false).map((i) => i.name));
  const target = targetOf(task);
  const outputs: BundleOutputV1[] = [{ name: target.name, kind: 'value', unit: target.unit }];
  const y = sample.truth.target as Float32Array;
  const trainTargets = Float64Array.from(split.train, (i) => at(y, i));
  const mean = trainTargets.reduce((s, v) => s + v, 0) / trainTargets.length;
  const sd = Math.sqrt(trainTargets.reduce((s, v) => s + (v - mean) ** 2, 0) / trainTargets.length) || 1;
  const figuresOf = (runner: ModelRunner, names: readonly string[], fit?: FitResult) =>
    targetRegressionFigures({ runner, sample, inputNames: names, split, target, seed, ...(fit ? { fit } : {}) });
  const entries: SuiteEntry[] = [];
  const record = (entry: SuiteEntry) => {
    entries.push(entry);
    options.onDone?.(entry);
  };

  const mlp = `${task.name}-mlp`;
  if (include(mlp)) {
    options.onStart?.(mlp, epochs);
    const t0 = performance.now();
    const inputs = standardisation(sample, inputNames, split.train, { descriptions, unscaled });
    const k = inputs.length;
    const tensors = (rows: Uint32Array): SplitTensors => ({
      x: [tf.tensor2d(standardiseInPlace(rawMatrix(sample, inputNames, rows), inputs), [rows.length, k])],
      y: tf.tensor2d(
        Float32Array.from(rows, (i) => (at(y, i) - mean) / sd),
        [rows.length, 1],
      ),
      weight: tf.tensor1d(Float32Array.from(rows, (i) => at(sample.weight, i))),
    });
    const train = tensors(split.train);
    const validation = tensors(split.validation);
    const model = buildMlpModel({ inputSize: k, hidden, outputs: 1, outputActivation: 'linear', seed });
    let fit: FitResult;
    try {
      fit = await fitModel({
        model,
        loss: huberLoss(1),
        train,
        validation,
        epochs,
        seed,
        learningRate: 1e-3,
        // At least 16 steps an epoch: a physicist's file may hold a few hundred rows.
        batchSize: Math.min(256, Math.max(16, Math.floor(split.train.length / 16))),
        onEpoch: (e, l, v) => options.onEpoch?.(mlp, e, l, v),
      });
      // Fold the target's standardisation into the output layer: the bundle outputs y in its unit.
      const last = model.layers[model.layers.length - 1] as tf.layers.Layer;
      const [kernel, bias] = last.getWeights() as [tf.Tensor, tf.Tensor];
      const scaled = tf.tidy(() => [tf.mul(kernel, sd), tf.add(tf.mul(bias, sd), mean)]);
      last.setWeights(scaled);
      tf.dispose(scaled);
    } finally {
      tf.dispose([...train.x, train.y, train.weight, ...validation.x, validation.y, validation.weight]);
    }
    const layers = denseSpecs(model);
    const weights = flattenDenseWeights(model);
    model.dispose();
    const meta = {
      name: mlp,
      task: task.name,
      description: `MLP ${[k, ...hidden, 1].join('-')} regressing ${target.name} [${target.unit}] (Huber loss) on ${task.title}`,
      inputs,
      outputs,
      lineage: {
        datasetHash: await sampleHash(sample),
        codeVersion: options.codeVersion ?? 'unknown',
        seed,
        createdAt: new Date().toISOString(),
        backend: options.backend,
      },
    };
    const bundle = await mlpBundle(meta, layers, weights, (runner) => figuresOf(runner, inputNames, fit));
    record({ name: mlp, task: task.name, kind: 'network', bundle, seconds: (performance.now() - t0) / 1000 });
  }

  const gbdt = `${task.name}-gbdt`;
  if (!include(gbdt)) return entries;
  options.onStart?.(`${task.name} baselines`, 0);
  const t1 = performance.now();
  const all = sampleMatrix(sample, inputNames, split.train);
  const params = fitGbdt({
    inputs: all.inputs,
    features: all.features,
    n: all.n,
    target: trainTargets,
    weights: Float64Array.from(split.train, (i) => at(sample.weight, i)),
    trees,
    objective: 'huber',
    huberDelta: sd,
  });
  const baseline: TaskBaseline = {
    name: gbdt,
    description: `Huber histogram GBDT of ${target.name} [${target.unit}], ${trees} rounds, on ${inputNames.length} inputs`,
    outputs,
    model: { kind: 'gbdt', params },
    fitSeconds: (performance.now() - t1) / 1000,
  };
  await bundleBaselines({
    task: task.name,
    baselines: [baseline],
    sample,
    split,
    seed,
    ...(options.codeVersion ? { codeVersion: options.codeVersion } : {}),
    inputDescriptions: descriptions,
    figuresOf: (runner, names) => figuresOf(runner, names),
    record,
  });
  return entries;
}

/** The output name and unit of a regression task's target. */
function targetOf(task: TaskV1): { name: string; unit: string } {
  return { name: taskTargetName(task), unit: task.target?.unit ?? '1' };
}
