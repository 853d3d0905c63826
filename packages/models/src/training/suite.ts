import {
  type CaloShowerSample,
  type ColumnarSample,
  generateBoostedJets,
  generateBTagging,
  generateCaloShowers,
  generateElectronId,
} from '@hepml/physics';
import { buildBaselineBundle } from '../baselines/bundle.ts';
import { fitTaskBaselines, type TaskBaseline } from '../baselines/suite.ts';
import type { Bundle } from '../bundle/build.ts';
import type { BundleManifestV1 } from '../bundle/manifest.ts';
import type { ClassSpec } from '../evaluation/multiclass.ts';
import { loadBaselineFromManifest } from '../runtime/baselines/dispatch.ts';
import { withDiscriminants } from '../runtime/discriminants.ts';
import type { ModelRunner } from '../runtime/runner.ts';
import { referenceTask } from '../tasks/reference.ts';
import { sampleHash } from './common.ts';
import {
  type PreparedRegression,
  prepareRegression,
  regressionFigures,
  trainEnergyRegressionCnn,
  trainEnergyRegressionMlp,
} from './energy-regression.ts';
import { splitIndices } from './samples.ts';
import { classifierFigures, discriminantColumn } from './tagger.ts';
import { BOOSTED_JET_CLASSES, trainBoostedJetNetwork, trainBTaggerNetwork, trainElectronIdNetwork } from './tasks.ts';

/** The tasks of the default suite. */
export const SUITE_TASKS = ['electron-id', 'bjet', 'boosted-jet', 'energy-regression'] as const;
export type SuiteTask = (typeof SUITE_TASKS)[number];

/**
 * Default sample sizes and epochs, from the reference task files (`data.n`, `training.epochs`),
 * sized so the whole suite (networks and baselines) trains in under 5 minutes on 2 shared cores
 * with the wasm backend (measured task by task; see the report).
 */
export const SUITE_DEFAULTS: Record<SuiteTask, { n: number; epochs: number }> = Object.fromEntries(
  SUITE_TASKS.map((name) => {
    const task = referenceTask(name);
    if (task.data.source !== 'simulation' || task.training?.epochs === undefined) {
      throw new RangeError(`tasks/${name}.json: the reference task needs data.n and training.epochs`);
    }
    return [name, { n: task.data.n, epochs: task.training.epochs }];
  }),
) as Record<SuiteTask, { n: number; epochs: number }>;

/** The networks of each task (bundle names). */
export const SUITE_NETWORKS: Record<SuiteTask, readonly string[]> = {
  'electron-id': ['electron-id-mlp'],
  bjet: ['bjet-aleph-nn'],
  'boosted-jet': ['boosted-jet-mlp'],
  'energy-regression': ['energy-regression-mlp', 'energy-regression-cnn-film'],
};

/** One trained model of the suite. */
export interface SuiteEntry {
  name: string;
  /** Its task: a reference task or a task file's name. */
  task: string;
  kind: 'network' | 'baseline';
  bundle: Bundle;
  /** Wall time to train (or fit) and evaluate it [s]. */
  seconds: number;
}

/** Options of {@link trainTaskSuite}. */
export interface TaskSuiteOptions {
  task: SuiteTask;
  /** A sample to use (e.g. read with `--data`); otherwise one is simulated with `n` and `seed`. */
  sample?: ColumnarSample | CaloShowerSample;
  n?: number;
  epochs?: number;
  seed: number;
  backend: string;
  codeVersion?: string;
  /** Which models to train, by bundle name (default all). */
  include?: (name: string) => boolean;
  /** GBDT rounds of the baselines (default 100). */
  trees?: number;
  onStart?: (name: string, epochs: number) => void;
  onEpoch?: (name: string, epoch: number, loss: number, valLoss: number) => void;
  onDone?: (entry: SuiteEntry) => void;
}

/** The simulated sample of a task (the default suite's generators). */
export function simulateTaskSample(task: SuiteTask, n: number, seed: number): ColumnarSample | CaloShowerSample {
  switch (task) {
    case 'electron-id':
      return generateElectronId({ n, seed });
    case 'bjet':
      return generateBTagging({ n, seed });
    case 'boosted-jet':
      return generateBoostedJets({ n, seed });
    case 'energy-regression':
      return generateCaloShowers({ n, seed });
  }
}

/** A runner over a baseline bundle, through the same strict loader the runtime uses. */
function baselineRunner(bundle: Bundle): ModelRunner {
  const bytes = bundle.files.get(bundle.manifest.weights) as Uint8Array;
  const evaluator = loadBaselineFromManifest(bundle.manifest, bytes);
  return withDiscriminants(bundle.manifest, {
    inputSize: evaluator.inputSize,
    imageSize: 0,
    outputSize: evaluator.outputSize,
    predict: (features, n) => evaluator.evaluate(features, n),
  });
}

/**
 * Trains one task of the default suite on one sample and one seeded split: its networks (the
 * task trainers) and its baselines (H6's `fitTaskBaselines` on the same training rows, bundled by
 * `buildBaselineBundle`), every model evaluated on the same test rows by the same figure code, so
 * the leaderboard compares like with like.
 */
export async function trainTaskSuite(options: TaskSuiteOptions): Promise<SuiteEntry[]> {
  const { task, seed } = options;
  const defaults = SUITE_DEFAULTS[task];
  const epochs = options.epochs ?? defaults.epochs;
  const sample = options.sample ?? simulateTaskSample(task, options.n ?? defaults.n, seed);
  const include = options.include ?? (() => true);
  const entries: SuiteEntry[] = [];
  const common = {
    n: sample.n,
    epochs,
    seed,
    backend: options.backend,
    ...(options.codeVersion ? { codeVersion: options.codeVersion } : {}),
  };
  const record = (entry: SuiteEntry) => {
    entries.push(entry);
    options.onDone?.(entry);
  };
  for (const name of SUITE_NETWORKS[task]) {
    if (!include(name)) continue;
    options.onStart?.(name, epochs);
    const onEpoch = (e: number, l: number, v: number) => options.onEpoch?.(name, e, l, v);
    const t0 = performance.now();
    let bundle: Bundle;
    if (task === 'electron-id') bundle = (await trainElectronIdNetwork({ ...common, sample, onEpoch })).bundle;
    else if (task === 'bjet') bundle = (await trainBTaggerNetwork({ ...common, sample, onEpoch })).bundle;
    else if (task === 'boosted-jet') bundle = (await trainBoostedJetNetwork({ ...common, sample, onEpoch })).bundle;
    else {
      const calo = sample as CaloShowerSample;
      const trainer = name.endsWith('cnn-film') ? trainEnergyRegressionCnn : trainEnergyRegressionMlp;
      bundle = (await trainer({ ...common, sample: calo, onEpoch })).bundle;
    }
    record({ name, task, kind: 'network', bundle, seconds: (performance.now() - t0) / 1000 });
  }

  const regression = task === 'energy-regression' ? prepareRegression(sample as CaloShowerSample, seed) : undefined;
  const split = regression?.split ?? splitIndices(sample.n, seed, { validation: 0.2, test: 0.2 });
  let baselines: TaskBaseline[] = [];
  // Fit only when one of them is wanted: the names follow `<task>-<kind>` (H6's suite).
  if (['cuts', 'likelihood', 'gbdt', 'standard'].some((k) => include(`${task}-${k}`))) {
    options.onStart?.(`${task} baselines`, 0);
    baselines = fitTaskBaselines(task, sample, split.train, options.trees ? { trees: options.trees } : {}).filter((b) =>
      include(b.name),
    );
  }
  await bundleBaselines({
    task,
    baselines,
    sample,
    split,
    seed,
    ...(options.codeVersion ? { codeVersion: options.codeVersion } : {}),
    ...(regression ? { regression } : {}),
    ...(task === 'boosted-jet' ? { classes: BOOSTED_JET_CLASSES, massColumn: 'mass' } : {}),
    record,
  });
  return entries;
}

/** Inputs of {@link bundleBaselines}. */
export interface BundleBaselinesOptions {
  task: string;
  baselines: readonly TaskBaseline[];
  sample: ColumnarSample;
  split: { train: Uint32Array; validation: Uint32Array; test: Uint32Array };
  seed: number;
  codeVersion?: string;
  /** Regression: the prepared sample whose figures are measured. */
  regression?: PreparedRegression;
  /** Multi-class: the classes (figures on the discriminant of the first signal class). */
  classes?: ClassSpec[];
  massColumn?: string;
  workingPoints?: readonly { name: string; signalEfficiency: number }[];
  /** Descriptions of the inputs by name (default the reference tasks'). */
  inputDescriptions?: Readonly<Record<string, string>>;
  record: (entry: SuiteEntry) => void;
}

/**
 * Bundles fitted baselines with their figures, measured through the runtime's own loader on the
 * test rows of `split` by the same figure code as the networks ({@link classifierFigures},
 * {@link regressionFigures}), and hands each entry to `record`.
 */
export async function bundleBaselines(o: BundleBaselinesOptions): Promise<void> {
  const { task, sample, seed, regression } = o;
  const datasetHash = o.baselines.length > 0 ? await sampleHash(sample) : '';
  for (const b of o.baselines) {
    const t1 = performance.now();
    const base = {
      name: b.name,
      task,
      description: b.description,
      model: b.model,
      units: sample.units,
      outputs: b.outputs,
      ...(o.inputDescriptions ? { inputDescriptions: o.inputDescriptions } : {}),
      lineage: {
        datasetHash,
        codeVersion: o.codeVersion ?? 'unknown',
        seed,
        createdAt: new Date().toISOString(),
        backend: 'typescript',
      },
    };
    const draft = await buildBaselineBundle(base);
    const runner = baselineRunner(draft);
    const inputNames = b.model.params.inputs;
    let figures: Pick<BundleManifestV1, 'metrics' | 'workingPoints' | 'roc' | 'evaluation'>;
    if (regression) {
      figures = regressionFigures(
        regression,
        inputNames,
        runner,
        (out) => Float64Array.from(out),
        undefined,
        undefined,
        1500,
        seed,
      );
    } else {
      const discriminant = discriminantColumn(draft.manifest.outputs);
      figures = classifierFigures({
        runner,
        sample,
        inputNames,
        split: o.split,
        seed,
        ...(o.classes ? { classes: o.classes } : {}),
        ...(o.massColumn ? { massColumn: o.massColumn } : {}),
        ...(discriminant ? { discriminant } : {}),
        ...(o.workingPoints ? { workingPoints: o.workingPoints } : {}),
      });
    }
    const bundle = await buildBaselineBundle({
      ...base,
      metrics: { ...figures.metrics, fitSeconds: b.fitSeconds },
      workingPoints: figures.workingPoints,
      ...(figures.roc ? { roc: figures.roc } : {}),
      ...(figures.evaluation ? { evaluation: figures.evaluation } : {}),
    });
    o.record({
      name: b.name,
      task,
      kind: 'baseline',
      bundle,
      seconds: b.fitSeconds + (performance.now() - t1) / 1000,
    });
  }
}
