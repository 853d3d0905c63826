/**
 * Figures of merit of a model we did not train (an imported bundle) on a reference task, measured
 * like our own: the task's simulated sample and seeded 60/20/20 split of `pnpm train`'s default
 * suite, through the bundle runtime and the same figure code (classifierFigures,
 * regressionFigures), so the leaderboard compares like with like and the working points exist
 * for `pnpm calibrate`.
 */
import { type CaloShowerSample, type ColumnarSample, FieldError, STANDARD_CALIBRATION_COLUMN } from '@hepml/physics';
import type { Bundle } from '../bundle/build.ts';
import { type BundleManifestV1, modelOutputs } from '../bundle/manifest.ts';
import { createRunner } from '../runtime/runner.ts';
import { prepareRegression, regressionFigures } from './energy-regression.ts';
import { splitIndices } from './samples.ts';
import { SUITE_DEFAULTS, SUITE_TASKS, type SuiteTask, simulateTaskSample } from './suite.ts';
import { classifierFigures, discriminantColumn } from './tagger.ts';
import { BOOSTED_JET_CLASSES } from './tasks.ts';

/** Options of {@link taskFigures}. */
export interface TaskFiguresOptions {
  task: string;
  /** Events to simulate (default: the task's suite size, 60,000 or 40,000). */
  n?: number;
  /** Seed of the sample and split (default 2026, `pnpm train`'s). */
  seed?: number;
}

/** The figures a bundle carries: metrics, working points, ROC, evaluation. */
export type TaskFigures = Pick<BundleManifestV1, 'metrics' | 'workingPoints' | 'roc' | 'evaluation'>;

/**
 * Measures `bundle` on `task`. Every input must be a variable of the task's sample (a FieldError
 * names the first that is not). Classifiers: ROC, AUC, working points (loose 95 %, medium 90 %,
 * tight 80 %), KS, ranking; the boosted-jet task scores W against QCD (a three-output model must
 * give p_qcd, p_w, p_top in that order). Regression: the first `energy` output [GeV], or the
 * first `correction` μ times the standard calibration's energy, against the true energy.
 */
export function taskFigures(bundle: Bundle, options: TaskFiguresOptions): TaskFigures {
  const task = options.task as SuiteTask;
  if (!(SUITE_TASKS as readonly string[]).includes(task)) {
    throw new FieldError(`task: "${options.task}" is not a reference task (${SUITE_TASKS.join(', ')})`, {
      field: 'task',
    });
  }
  const seed = options.seed ?? 2026;
  const n = options.n ?? SUITE_DEFAULTS[task].n;
  const m = bundle.manifest;
  const sample = simulateTaskSample(task, n, seed);
  const inputNames = m.inputs.map((i) => i.name);
  const unknown = inputNames.find((name) => !(name in sample.columns));
  if (unknown !== undefined) {
    throw new FieldError(
      `inputs: "${unknown}" is not a variable of the ${task} sample (${Object.keys(sample.columns).join(', ')})`,
      { field: 'inputs' },
    );
  }
  const runner = createRunner(m, Object.fromEntries(bundle.files));
  if (task === 'energy-regression') {
    const own = modelOutputs(m.outputs);
    const energy = own.findIndex((o) => o.kind === 'energy');
    const correction = own.findIndex((o) => o.kind === 'correction');
    if (energy < 0 && correction < 0) {
      throw new FieldError('outputs: an energy regression needs an "energy" [GeV] or a "correction" output', {
        field: 'outputs',
      });
    }
    const prepared = prepareRegression(sample as CaloShowerSample, seed);
    const eRef = sample.columns[STANDARD_CALIBRATION_COLUMN] as Float32Array;
    const width = runner.outputSize;
    const energyOf = (out: Float32Array, rows: Uint32Array) =>
      Float64Array.from(rows, (row, r) =>
        energy >= 0
          ? (out[r * width + energy] as number)
          : (out[r * width + correction] as number) * (eRef[row] as number),
      );
    return regressionFigures(prepared, inputNames, runner, energyOf, undefined, undefined, 1500, seed);
  }
  const classes =
    task === 'boosted-jet' && (runner.outputSize === 1 || modelOutputs(m.outputs).length === BOOSTED_JET_CLASSES.length)
      ? BOOSTED_JET_CLASSES
      : undefined;
  const discriminant = discriminantColumn(m.outputs);
  return classifierFigures({
    runner,
    sample: sample as ColumnarSample,
    inputNames,
    split: splitIndices(sample.n, seed, { validation: 0.2, test: 0.2 }),
    seed,
    ...(classes ? { classes, massColumn: 'mass' } : {}),
    ...(discriminant ? { discriminant } : {}),
  });
}
