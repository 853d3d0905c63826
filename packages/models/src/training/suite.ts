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
import type { BundleManifestV1, TrainingProfileName } from '../bundle/manifest.ts';
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

/** What a training profile sets for one task. */
export interface ProfileSettings {
  /** Events simulated. */
  n: number;
  /** Most epochs of each network (early stopping may end sooner). */
  epochs: number;
  /** GBDT boosting rounds of the baselines. */
  trees: number;
  /** Energy regression: most training rows of the CNN+FiLM (its CPU cost bounds this). */
  cnnTrainRows: number;
}

/** The profiles `pnpm train --profile` accepts (`custom` is only recorded, never chosen). */
export const SUITE_PROFILES = ['default', 'full'] as const;
export type SuiteProfile = (typeof SUITE_PROFILES)[number];

/** A reference task file's sample size and epochs (`data.n`, `training.epochs`). */
function referenceTaskDefaults(name: SuiteTask): { n: number; epochs: number } {
  const task = referenceTask(name);
  if (task.data.source !== 'simulation' || task.training?.epochs === undefined) {
    throw new RangeError(`tasks/${name}.json: the reference task needs data.n and training.epochs`);
  }
  return { n: task.data.n, epochs: task.training.epochs };
}

/**
 * Sample sizes, epochs and GBDT rounds per profile. `default` is what `npm start` and CI train, its
 * events and epochs from the reference task files (`data.n`, `training.epochs`),
 * sized so the whole suite (networks and baselines) trains in under 5 minutes on 2 shared cores
 * with the wasm backend (measured task by task). `full` is for the converged figures: 5× the
 * events (the electron-ID MLP's learning curve of `pnpm study` flattens between 6·10⁴ and
 * 1.8·10⁵ training events; the energy regressions' are flat from 1.2·10⁴), 1.5–2× the epochs
 * (early stopping ends the run when the validation loss stops falling), 3× the GBDT rounds and
 * the CNN on 5× the rows (both profiles train it on the whole training split: on the default
 * profile's 24 000 rows it reaches the scalar MLP and the GBDT in 20 epochs, docs/study.md §5).
 * Meant for a GPU (`--backend auto` takes WebGPU when an adapter exists); on 2 shared cores with
 * wasm the four tasks took 662 s wall, 696 s CPU (docs/study.md, "The full profile").
 */
export const TRAINING_PROFILE_SETTINGS: Record<SuiteProfile, Record<SuiteTask, ProfileSettings>> = {
  default: {
    'electron-id': { ...referenceTaskDefaults('electron-id'), trees: 100, cnnTrainRows: 0 },
    bjet: { ...referenceTaskDefaults('bjet'), trees: 100, cnnTrainRows: 0 },
    'boosted-jet': { ...referenceTaskDefaults('boosted-jet'), trees: 100, cnnTrainRows: 0 },
    'energy-regression': { ...referenceTaskDefaults('energy-regression'), trees: 100, cnnTrainRows: 24_000 },
  },
  full: {
    'electron-id': { n: 300_000, epochs: 60, trees: 300, cnnTrainRows: 0 },
    bjet: { n: 300_000, epochs: 60, trees: 300, cnnTrainRows: 0 },
    'boosted-jet': { n: 300_000, epochs: 30, trees: 300, cnnTrainRows: 0 },
    'energy-regression': { n: 200_000, epochs: 40, trees: 300, cnnTrainRows: 120_000 },
  },
};

/** The default profile's sample sizes and epochs (what `npm start` and CI train). */
export const SUITE_DEFAULTS: Record<SuiteTask, { n: number; epochs: number }> = TRAINING_PROFILE_SETTINGS.default;

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
  /** GBDT rounds of the baselines (default: the profile's). */
  trees?: number;
  /**
   * Profile whose sizes, epochs and rounds apply where `n`, `epochs` and `trees` are not given
   * (default `default`); recorded in every bundle's lineage, as `custom` when one is overridden.
   */
  profile?: SuiteProfile;
  /** Energy regression: most CNN training rows (default: the profile's; `Infinity` for the whole split). */
  cnnTrainRows?: number;
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

/**
 * The profile a suite run records: its named profile, or `custom` when `n`, `epochs` or `trees`
 * override it (a sample given with `--data` keeps the profile: only its size is the file's).
 */
export function suiteLineageProfile(options: {
  profile?: SuiteProfile | undefined;
  n?: number | undefined;
  epochs?: number | undefined;
  trees?: number | undefined;
}): TrainingProfileName {
  const overridden = options.n !== undefined || options.epochs !== undefined || options.trees !== undefined;
  return overridden ? 'custom' : (options.profile ?? 'default');
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
  const settings = TRAINING_PROFILE_SETTINGS[options.profile ?? 'default'][task];
  const profile = suiteLineageProfile(options);
  const epochs = options.epochs ?? settings.epochs;
  const trees = options.trees ?? settings.trees;
  const sample = options.sample ?? simulateTaskSample(task, options.n ?? settings.n, seed);
  const include = options.include ?? (() => true);
  const entries: SuiteEntry[] = [];
  const common = {
    n: sample.n,
    epochs,
    seed,
    backend: options.backend,
    profile,
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
      bundle = (
        await trainer({ ...common, sample: calo, onEpoch, maxTrainRows: options.cnnTrainRows ?? settings.cnnTrainRows })
      ).bundle;
    }
    record({ name, task, kind: 'network', bundle, seconds: (performance.now() - t0) / 1000 });
  }

  const regression = task === 'energy-regression' ? prepareRegression(sample as CaloShowerSample, seed) : undefined;
  const split = regression?.split ?? splitIndices(sample.n, seed, { validation: 0.2, test: 0.2 });
  let baselines: TaskBaseline[] = [];
  // Fit only when one of them is wanted: the names follow `<task>-<kind>` (H6's suite).
  if (['cuts', 'likelihood', 'gbdt', 'standard'].some((k) => include(`${task}-${k}`))) {
    options.onStart?.(`${task} baselines`, 0);
    baselines = fitTaskBaselines(task, sample, split.train, { trees }).filter((b) => include(b.name));
  }
  await bundleBaselines({
    task,
    baselines,
    sample,
    split,
    seed,
    profile,
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
  /** Training profile recorded in each bundle's lineage (absent for a user task file). */
  profile?: TrainingProfileName;
  codeVersion?: string;
  /** Regression: the prepared sample whose figures are measured. */
  regression?: PreparedRegression;
  /** Multi-class: the classes (figures on the discriminant of the first signal class). */
  classes?: ClassSpec[];
  massColumn?: string;
  workingPoints?: readonly { name: string; signalEfficiency: number }[];
  /** Descriptions of the inputs by name (default the reference tasks'). */
  inputDescriptions?: Readonly<Record<string, string>>;
  /** Figures of a bundle from its runner, instead of the classifier or energy figures (a task file's regression). */
  figuresOf?: (
    runner: ModelRunner,
    inputNames: readonly string[],
  ) => Pick<BundleManifestV1, 'metrics' | 'workingPoints' | 'roc' | 'evaluation'>;
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
        ...(o.profile ? { profile: o.profile } : {}),
      },
    };
    const draft = await buildBaselineBundle(base);
    const runner = baselineRunner(draft);
    const inputNames = b.model.params.inputs;
    let figures: Pick<BundleManifestV1, 'metrics' | 'workingPoints' | 'roc' | 'evaluation'>;
    if (o.figuresOf) figures = o.figuresOf(runner, inputNames);
    else if (regression) {
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
