/**
 * Training a task file ({@link TaskV1}) on the rows a physicist brings: the rows and columns the
 * task names are taken from a dataset (selection, inputs as columns or expressions, label or
 * target, weight), then the task is trained as the reference tasks are — an MLP with the cut-based
 * baseline, the projective likelihood and the GBDT beside it, every model measured on the same
 * seeded test rows by the same figure code, so a user task's leaderboard reads like a built-in one.
 */
import { at, type ColumnarSample, compileExpression, type Dataset, type ExpressionColumns } from '@hepml/physics';
import { buildMlpModel } from '../architectures/mlp.ts';
import { fitCuts } from '../baselines/cuts.ts';
import { fitGbdt } from '../baselines/gbdt.ts';
import { fitLikelihood } from '../baselines/likelihood.ts';
import { sampleMatrix } from '../baselines/matrix.ts';
import type { TaskBaseline } from '../baselines/suite.ts';
import type { BundleOutputV1 } from '../bundle/manifest.ts';
import { ModelInputError } from '../errors.ts';
import type { ClassSpec } from '../evaluation/multiclass.ts';
import { type TaskV1, taskSplit, taskWorkingPoints } from '../tasks/task-v1.ts';
import { splitIndices } from './samples.ts';
import { bundleBaselines, type SuiteEntry } from './suite.ts';
import { referenceDiscriminant, trainTagger } from './tagger.ts';
import { trainTaskRegression } from './task-regression.ts';

/** The rows of a task: its sample (columns named as the task's inputs) and what was left out. */
export interface TaskSample {
  sample: ColumnarSample;
  /** Multi-class: the classes in output order (label code = index). */
  classes?: ClassSpec[];
  /** Rows of the dataset, and those left out by the selection, by a label value of no class, or by a non-finite input. */
  counts: { rows: number; selected: number; unlabelled: number; nonFinite: number; kept: number };
}

/** Input descriptions of a task by input name. */
export function taskInputDescriptions(task: TaskV1): Record<string, string> {
  return Object.fromEntries(task.inputs.map((i) => [i.name, i.description]));
}

/** Classes of a multi-class task in output order: label code and softmax column = index. */
export function taskClasses(task: TaskV1): ClassSpec[] | undefined {
  return task.label?.classes?.map((c, i) => ({
    name: c.name,
    label: i,
    column: i,
    output: `p_${c.name}`,
    role: c.role,
  }));
}

/**
 * The sample a task file trains on, from a dataset read by `@hepml/physics` (CSV, Parquet, ROOT;
 * jagged collections flattened or padded by the reader as `task.data` asks). In order: the
 * selection keeps rows; each input is its column (`column`, default its `name`) or its expression,
 * as float32; the label is 1 for a value among `label.signal` (binary; 0 otherwise, or only the
 * `label.background` values when given) or the index of the class holding it (multi-class); rows
 * whose label value no class holds, and rows with a non-finite input or weight, are left out and
 * counted. Regression targets go to `truth.target`, their baseline to `truth.baseline` and the
 * object's η to `truth.eta` (rows with a non-finite target or baseline left out too). A column the task names that the data lacks is
 * a {@link ModelInputError} naming it and the file.
 */
export function taskSample(task: TaskV1, ds: Dataset): TaskSample {
  const known = Object.keys(ds.columns);
  const compile = (source: string, where: string) => {
    try {
      return compileExpression(source, known);
    } catch (cause) {
      throw new ModelInputError(`${ds.name}: ${where}: ${(cause as Error).message.split('\n')[0]}`, {
        field: where,
        cause,
      });
    }
  };
  const columns = ds.columns as ExpressionColumns;
  /** Values of a column (or expression) on every row of the dataset. */
  const valuesOf = (ref: { column?: string; expression?: string }, fallback: string, where: string) =>
    compile(ref.expression ?? ref.column ?? fallback, where).evaluate(columns, ds.n);

  let rows: Int32Array = task.selection
    ? compile(task.selection, 'selection').select(columns, ds.n)
    : Int32Array.from({ length: ds.n }, (_, i) => i);
  const selected = rows.length;

  const inputs = task.inputs.map((input, i) => valuesOf(input, input.name, `inputs[${i}]`));
  const weight = task.weight ? compile(task.weight, 'weight').evaluate(columns, ds.n) : ds.weight;
  const classes = taskClasses(task);
  let label: Float64Array | undefined;
  let unlabelled = 0;
  if (task.label) {
    const raw = valuesOf(task.label, 'label', 'label');
    const code = (v: number): number => {
      if (classes) return task.label?.classes?.findIndex((c) => c.values.includes(v)) ?? -1;
      if (task.label?.signal?.includes(v)) return 1;
      return task.label?.background && !task.label.background.includes(v) ? -1 : 0;
    };
    label = raw.map(code);
    const before = rows.length;
    rows = rows.filter((i) => (label as Float64Array)[i] !== -1);
    unlabelled = before - rows.length;
  }
  const target = task.target ? valuesOf(task.target, 'target', 'target') : undefined;
  const baseline = task.target?.baseline
    ? compile(task.target.baseline, 'target.baseline').evaluate(columns, ds.n)
    : undefined;
  // The object's η, for the regression figures' |η| bins.
  const eta = target && task.object ? valuesOf({ column: task.object.eta }, 'object.eta', 'object.eta') : undefined;
  const before = rows.length;
  rows = rows.filter(
    (i) =>
      inputs.every((col) => Number.isFinite(col[i])) &&
      (weight === undefined || Number.isFinite(weight[i])) &&
      (target === undefined || Number.isFinite(target[i])) &&
      (baseline === undefined || Number.isFinite(baseline[i])),
  );
  const nonFinite = before - rows.length;
  if (rows.length === 0) {
    throw new ModelInputError(`${ds.name}: no row of ${ds.n} passes the task's selection and label`, {
      field: 'selection',
    });
  }
  const pick = (col: ArrayLike<number>) => Float32Array.from(rows, (i) => at(col, i));
  const sample: ColumnarSample = {
    task: task.name,
    n: rows.length,
    columns: Object.fromEntries(task.inputs.map((input, k) => [input.name, pick(inputs[k] as Float64Array)])),
    label: label ? Uint8Array.from(rows, (i) => at(label as Float64Array, i)) : new Uint8Array(rows.length),
    weight: weight ? pick(weight) : new Float32Array(rows.length).fill(1),
    truth: {
      ...(target ? { target: pick(target) } : {}),
      ...(baseline ? { baseline: pick(baseline) } : {}),
      ...(eta ? { eta: pick(eta) } : {}),
    },
    units: Object.fromEntries(task.inputs.map((input) => [input.name, input.unit])),
    seed: task.seed,
  };
  if (task.kind === 'binary') {
    const signal = sample.label.reduce((s, l) => s + l, 0);
    if (signal === 0 || signal === sample.n) {
      throw new ModelInputError(
        `${ds.name}: the label ${task.label?.column ?? task.label?.expression} gives ${signal === 0 ? 'no signal' : 'no background'} row among ${sample.n}`,
        { field: 'label' },
      );
    }
  }
  return {
    sample,
    ...(classes ? { classes } : {}),
    counts: { rows: ds.n, selected, unlabelled, nonFinite, kept: rows.length },
  };
}

/** Options of {@link trainTaskFile}. */
export interface TrainTaskFileOptions {
  task: TaskV1;
  /** The task's rows ({@link taskSample}). */
  data: TaskSample;
  /** Seed (default the task's). */
  seed?: number;
  /** Epochs of the network (default the task's `training.epochs`, else 30). */
  epochs?: number;
  /** GBDT rounds (default the task's `training.trees`, else 100). */
  trees?: number;
  backend: string;
  codeVersion?: string;
  /** Which models to train, by bundle name (default all). */
  include?: (name: string) => boolean;
  onStart?: (name: string, epochs: number) => void;
  onEpoch?: (name: string, epoch: number, loss: number, valLoss: number) => void;
  onDone?: (entry: SuiteEntry) => void;
}

/**
 * Trains a task file: a classifier (binary or multi-class) and returns its bundles, named
 * `<task>-mlp`, `<task>-cuts`, `<task>-likelihood`, `<task>-gbdt`: an MLP (default hidden 32-16,
 * sigmoid or softmax), rectangular cuts and a projective likelihood on all inputs (multi-class: the
 * first signal class against the background classes, other signal classes left out of their fit),
 * and a histogram GBDT (binary or multiclass). All on the task's seeded split, with its working
 * points; the network's classes are balanced by weights (the task's event weights times the class
 * balance). A regression task file trains an MLP and a GBDT on its target
 * ({@link trainTaskRegression}).
 */
export async function trainTaskFile(options: TrainTaskFileOptions): Promise<SuiteEntry[]> {
  const { task } = options;
  const { sample, classes } = options.data;
  if (task.kind === 'regression') return trainTaskRegression(options);
  const seed = options.seed ?? task.seed;
  const epochs = options.epochs ?? task.training?.epochs ?? 30;
  const trees = options.trees ?? task.training?.trees ?? 100;
  const hidden = task.training?.hidden ?? [32, 16];
  const include = options.include ?? (() => true);
  const fractions = taskSplit(task);
  const workingPoints = taskWorkingPoints(task);
  const descriptions = taskInputDescriptions(task);
  const inputNames = task.inputs.map((i) => i.name);
  const unscaled = new Set(task.inputs.filter((i) => i.standardise === false).map((i) => i.name));
  const multi = classes !== undefined;
  const entries: SuiteEntry[] = [];
  const record = (entry: SuiteEntry) => {
    entries.push(entry);
    options.onDone?.(entry);
  };

  const mlp = `${task.name}-mlp`;
  if (include(mlp)) {
    options.onStart?.(mlp, epochs);
    const t0 = performance.now();
    const widths = [inputNames.length, ...hidden, multi ? classes.length : 1].join('-');
    const trained = await trainTagger({
      name: mlp,
      task: task.name,
      description: `MLP ${widths} (${multi ? 'softmax' : 'sigmoid'}) on ${task.title}`,
      sample,
      inputNames,
      epochs,
      seed,
      backend: options.backend,
      ...(options.codeVersion ? { codeVersion: options.codeVersion } : {}),
      build: (inputSize, s) =>
        buildMlpModel({
          inputSize,
          hidden,
          outputs: multi ? classes.length : 1,
          outputActivation: multi ? 'softmax' : 'sigmoid',
          seed: s,
        }),
      ...(classes ? { classes } : {}),
      split: fractions,
      workingPoints,
      standardisation: { descriptions, unscaled },
      onEpoch: (e, l, v) => options.onEpoch?.(mlp, e, l, v),
    });
    record({
      name: mlp,
      task: task.name,
      kind: 'network',
      bundle: trained.bundle,
      seconds: (performance.now() - t0) / 1000,
    });
  }

  const split = splitIndices(sample.n, seed, fractions);
  const wanted = ['cuts', 'likelihood', 'gbdt'].filter((k) => include(`${task.name}-${k}`));
  if (wanted.length === 0) return entries;
  options.onStart?.(`${task.name} baselines`, 0);
  const baselines = fitClassifierBaselines(task.name, sample, split.train, { trees, classes }).filter((b) =>
    include(b.name),
  );
  await bundleBaselines({
    task: task.name,
    baselines,
    sample,
    split,
    seed,
    ...(options.codeVersion ? { codeVersion: options.codeVersion } : {}),
    ...(classes ? { classes } : {}),
    workingPoints,
    inputDescriptions: descriptions,
    record,
  });
  return entries;
}

/**
 * The baselines of a classifier task on `trainRows`: rectangular cuts and a projective likelihood
 * on every input (multi-class: the first signal class against the background classes), and a
 * histogram GBDT of `trees` rounds (binary, or multiclass with the class probabilities and the
 * reference discriminant as outputs).
 */
export function fitClassifierBaselines(
  name: string,
  sample: ColumnarSample,
  trainRows: Uint32Array,
  options: { trees: number; classes?: ClassSpec[] | undefined },
): TaskBaseline[] {
  const inputs = Object.keys(sample.columns);
  const timed = (f: () => TaskBaseline['model']) => {
    const t0 = performance.now();
    const model = f();
    return { model, fitSeconds: (performance.now() - t0) / 1000 };
  };
  const classes = options.classes;
  const reference = classes?.find((c) => c.role === 'signal');
  const backgroundLabels = new Set(classes?.filter((c) => c.role === 'background').map((c) => c.label));
  // The cuts and the likelihood are two-class fits: the reference signal class against the background.
  const binaryRows = classes
    ? trainRows.filter((r) => sample.label[r] === reference?.label || backgroundLabels.has(at(sample.label, r)))
    : trainRows;
  const binary = sampleMatrix(sample, inputs, binaryRows);
  const binaryLabels = Uint8Array.from(binaryRows, (r) =>
    classes ? (sample.label[r] === reference?.label ? 1 : 0) : at(sample.label, r),
  );
  const common = { inputs, features: binary.features, n: binary.n, labels: binaryLabels, variables: inputs };
  const against = reference
    ? `, ${reference.name} against ${classes
        ?.filter((c) => c.role === 'background')
        .map((c) => c.name)
        .join(' + ')}`
    : '';
  const all = sampleMatrix(sample, inputs, trainRows);
  const score: BundleOutputV1[] = [{ name: 'score', kind: 'score', unit: '1' }];
  const gbdtOutputs: BundleOutputV1[] = classes
    ? [
        ...classes.map((c): BundleOutputV1 => ({ name: c.output, kind: 'class-score', unit: '1' })),
        referenceDiscriminant(classes),
      ]
    : score;
  return [
    {
      name: `${name}-cuts`,
      description: `Rectangular cuts on ${inputs.length} variables${against}, nested levels from εS = 99 % to 10 % (score: levels passed)`,
      outputs: score,
      ...timed(() => ({ kind: 'cuts', params: fitCuts(common) })),
    },
    {
      name: `${name}-likelihood`,
      description: `Projective likelihood of ${inputs.length} variables${against}, score d′ = −ln(1/d − 1)/15`,
      outputs: score,
      ...timed(() => ({ kind: 'likelihood', params: fitLikelihood({ ...common, binning: null }) })),
    },
    {
      name: `${name}-gbdt`,
      description: `${classes ? `Multiclass (${classes.map((c) => c.name).join(', ')}) ` : ''}histogram GBDT, ${options.trees} rounds, on ${inputs.length} inputs`,
      outputs: gbdtOutputs,
      ...timed(() => ({
        kind: 'gbdt',
        params: fitGbdt({
          inputs: all.inputs,
          features: all.features,
          n: all.n,
          target: Uint8Array.from(trainRows, (r) => at(sample.label, r)),
          trees: options.trees,
          ...(classes ? { objective: 'multiclass', numClass: classes.length } : { objective: 'binary' }),
        }),
      })),
    },
  ];
}
