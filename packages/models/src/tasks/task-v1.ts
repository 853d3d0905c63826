/**
 * `TaskV1` (`hepml-task/1`): a task as a JSON file — what a physicist brings to train on their own
 * data, and what the four reference tasks are written in (`packages/models/tasks/*.json`). It says
 * what the rows are (a selection over the file's columns, or the objects a jagged file is flattened
 * to), what the inputs are (columns or expressions over them, with units), what is learnt (a label
 * column with its signal values or classes, or a regression target), how rows are weighted, split
 * and seeded, and where the data comes from (files, or the built-in seeded simulation).
 *
 * Read through {@link parseTaskFile}: strict (unknown keys refused), the first fault named by its
 * JSON path and the file (`t.json: inputs[2].unit: must be a non-empty string`).
 */
import { compileExpression, ExpressionColumnError, ExpressionSyntaxError, parseFormat } from '@hepml/physics';
import { z } from 'zod';
import { TaskFileError } from '../errors.ts';
import { DEFAULT_WORKING_POINTS } from '../evaluation/classifier.ts';

const message = (text: string) => ({ error: text });
const nonEmpty = (text = 'must be a non-empty string') => z.string(message(text)).min(1, message(text));
/** Task ids name leaderboards, URLs and bundle prefixes: the bundle name alphabet. */
const taskId = z
  .string(message('must be a string'))
  .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, message('must match [a-z0-9][a-z0-9-]{0,47} (lower case, digits, -)'));
/** Column names as the readers give them (`Muon_pt`, `Jet_pt[0]`, `truth.eTrue`). */
const columnName = z
  .string(message('must be a column name'))
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.]*(\[[0-9]+\])?$/,
    message('must be a column name ([A-Za-z_][A-Za-z0-9_.]*, optionally [k])'),
  );
/** An expression over columns, checked by the safe expression parser (no eval). */
const expression = z.string(message('must be an expression string')).superRefine((source, ctx) => {
  try {
    compileExpression(source);
  } catch (err) {
    if (err instanceof ExpressionSyntaxError || err instanceof ExpressionColumnError) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid expression: ${err.message.split('\n')[0]}`,
        input: source,
      });
    } else throw err;
  }
});
const fraction = z
  .number(message('must be a number in [0, 1)'))
  .min(0, message('must be a number in [0, 1)'))
  .lt(1, message('must be a number in [0, 1)'));

/** One input: a column of the data, or an expression over columns, with its unit and meaning. */
export const TaskInputV1 = z
  .strictObject({
    /** Name of the input in bundles and prediction requests. */
    name: columnName,
    /** The column it reads (default: the column called `name`). */
    column: columnName.optional(),
    /** An expression over columns instead of one column (`sqrt(MET_px**2 + MET_py**2)`). */
    expression: expression.optional(),
    /** Unit (`GeV`, `rad`, `mm`; `1` for a dimensionless number). */
    unit: nonEmpty(),
    description: nonEmpty(),
    /** Standardise with the training split's mean and standard deviation (default true). */
    standardise: z.boolean(message('must be true or false')).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.column !== undefined && input.expression !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['expression'], message: 'give column or expression, not both', input });
    }
  });
export type TaskInputV1 = z.infer<typeof TaskInputV1>;

/** One class of a multi-class task: the label values it holds and its role. */
export const TaskClassV1 = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9]{0,15}$/, message('must match [a-z][a-z0-9]{0,15}')),
  values: z
    .array(z.number(message('must be a number')), message('must be an array of numbers'))
    .min(1, message('must be a non-empty array')),
  role: z.enum(['signal', 'background'], message('must be "signal" or "background"')),
});
export type TaskClassV1 = z.infer<typeof TaskClassV1>;

/**
 * The label: a column (or expression) and either the values that are signal (binary: every other
 * value is background) or the classes (multi-class, in output order).
 */
export const TaskLabelV1 = z.strictObject({
  column: columnName.optional(),
  expression: expression.optional(),
  signal: z
    .array(z.number(message('must be a number')), message('must be an array of numbers'))
    .min(1, message('must be a non-empty array'))
    .optional(),
  background: z
    .array(z.number(message('must be a number')), message('must be an array of numbers'))
    .min(1, message('must be a non-empty array'))
    .optional(),
  classes: z
    .array(TaskClassV1, message('must be an array of classes'))
    .min(2, message('must hold at least two classes'))
    .optional(),
});
export type TaskLabelV1 = z.infer<typeof TaskLabelV1>;

/**
 * A regression target: a column (or expression) with its unit; `name` names the bundles' output
 * (default the column; required for an expression); `baseline`, an expression of the standard estimate of the
 * same quantity (`1 / (1 - Jet_rawFactor)`: the jet energy correction in the file), is what rIQR
 * is measured against (without one, against the median of the training targets, a constant).
 */
export const TaskTargetV1 = z.strictObject({
  column: columnName.optional(),
  expression: expression.optional(),
  name: columnName.optional(),
  unit: nonEmpty(),
  description: nonEmpty().optional(),
  baseline: expression.optional(),
});
export type TaskTargetV1 = z.infer<typeof TaskTargetV1>;

/** Where the rows come from: files a physicist brings, or the built-in seeded simulation. */
export const TaskDataV1 = z.discriminatedUnion(
  'source',
  [
    z.strictObject({
      source: z.literal('files'),
      /** Files (relative to the task file); `pnpm train --data` overrides them. */
      files: z.array(nonEmpty(), message('must be an array of file names')).optional(),
      /** TTree of ROOT files (default: the first). */
      tree: nonEmpty().optional(),
      /** Flatten jagged branches one row per object of this collection (`Muon`: `nMuon`, `Muon_*`). */
      objects: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9]*$/, message('must be a collection name (Muon, Jet)'))
        .optional(),
      /**
       * The first k objects of these collections as columns `Jet_pt[0]` … (`{"Jet": 4}`; missing
       * ones NaN): one row per event, or beside each object when `objects` is given.
       */
      pad: z
        .record(
          z.string(),
          z.number().int(message('must be a positive integer')).positive(message('must be a positive integer')),
        )
        .optional(),
      /**
       * Columns taken across collections before the layout: `{"name": "Jet_genPt", "from":
       * "GenJet_pt", "index": "Jet_genJetIdx"}` is, per jet, the pt of its matched generator jet
       * (NaN when unmatched); `name` must lie in the index's collection (`Jet_…`).
       */
      gather: z
        .array(
          z.strictObject({ name: columnName, from: columnName, index: columnName }),
          message('must be an array of {name, from, index}'),
        )
        .optional(),
    }),
    z.strictObject({
      source: z.literal('simulation'),
      /** The generator of `@hepml/physics`' sim (`pnpm simulate --task`). */
      generator: z.enum(
        ['electron-id', 'bjet', 'boosted-jet', 'calo-showers'],
        message('must be one of electron-id, bjet, boosted-jet, calo-showers'),
      ),
      /** Events simulated by default. */
      n: z.number().int(message('must be a positive integer')).positive(message('must be a positive integer')),
    }),
  ],
  message('must be an object with source "files" or "simulation"'),
);
export type TaskDataV1 = z.infer<typeof TaskDataV1>;

/** A working point: a name and the signal efficiency εS its cut keeps. */
export const TaskWorkingPointV1 = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,23}$/, message('must match [a-z][a-z0-9-]{0,23}')),
  signalEfficiency: z
    .number(message('must be a number in (0, 1)'))
    .gt(0, message('must be a number in (0, 1)'))
    .lt(1, message('must be a number in (0, 1)')),
});

/** A task file, format `hepml-task` version 1. */
export const TaskV1 = z
  .strictObject({
    format: z.literal('hepml-task', message('must be "hepml-task"')),
    formatVersion: z.literal(1, message('must be 1')),
    /** Id: the leaderboard's URL, the bundles' `task` and name prefix. */
    name: taskId,
    /** Title on the dashboard. */
    title: nonEmpty(),
    /** What the rows are and what is learnt, honestly (where the label comes from). */
    description: nonEmpty(),
    kind: z.enum(['binary', 'multi-class', 'regression'], message('must be one of binary, multi-class, regression')),
    inputs: z.array(TaskInputV1, message('must be an array of inputs')).min(1, message('must be a non-empty array')),
    label: TaskLabelV1.optional(),
    target: TaskTargetV1.optional(),
    /** Event weight: a column or an expression (default 1 per row). */
    weight: expression.optional(),
    /** Rows to keep: an expression over columns (after flattening objects). */
    selection: expression.optional(),
    /** The object's pt [GeV] and η columns, where scale factors are looked up (binned in pt × |η|). */
    object: z.strictObject({ pt: columnName, eta: columnName }).optional(),
    /** Working points (binary and multi-class): default loose 95 %, medium 90 %, tight 80 % εS. */
    workingPoints: z
      .array(TaskWorkingPointV1, message('must be an array of working points'))
      .min(1, message('must be a non-empty array'))
      .optional(),
    /** Fractions of rows for validation and test (the rest trains); default 0.2 and 0.2. */
    split: z.strictObject({ validation: fraction, test: fraction }).optional(),
    /** Seed of the split, the initial weights and the shuffles. */
    seed: z
      .number()
      .int(message('must be a non-negative integer'))
      .nonnegative(message('must be a non-negative integer')),
    data: TaskDataV1,
    /** Training defaults: epochs of the networks, hidden widths of the MLP, GBDT rounds. */
    training: z
      .strictObject({
        epochs: z
          .number()
          .int(message('must be a positive integer'))
          .positive(message('must be a positive integer'))
          .optional(),
        hidden: z
          .array(z.number().int(message('must be a positive integer')).positive(message('must be a positive integer')))
          .min(1, message('must be a non-empty array'))
          .optional(),
        trees: z
          .number()
          .int(message('must be a positive integer'))
          .positive(message('must be a positive integer'))
          .optional(),
      })
      .optional(),
  })
  .superRefine((task, ctx) => {
    const fault = (path: (string | number)[], text: string) =>
      ctx.addIssue({ code: 'custom', path, message: text, input: task });
    if (task.kind === 'regression') {
      if (!task.target) fault(['target'], 'is required for kind regression');
      if (task.target && !task.target.name && !task.target.column)
        fault(['target', 'name'], 'is required for a target expression');
      if (task.label) fault(['label'], 'is not used by kind regression (give target)');
      if (task.workingPoints) fault(['workingPoints'], 'are not used by kind regression');
    } else {
      if (!task.label) fault(['label'], `is required for kind ${task.kind}`);
      if (task.target) fault(['target'], `is not used by kind ${task.kind} (give label)`);
    }
    const source = (task.label ?? task.target) as { column?: string; expression?: string } | undefined;
    const where = task.label ? 'label' : 'target';
    if (source && (source.column === undefined) === (source.expression === undefined)) {
      fault([where, 'column'], 'give exactly one of column and expression');
    }
    if (task.label && task.kind === 'binary') {
      if (!task.label.signal)
        fault(['label', 'signal'], 'is required for kind binary (the label values that are signal)');
      if (task.label.classes) fault(['label', 'classes'], 'are for kind multi-class');
      const both = task.label.background?.find((v) => task.label?.signal?.includes(v));
      if (both !== undefined) fault(['label', 'background'], `holds ${both}, which is also signal`);
    }
    if (task.label && task.kind === 'multi-class') {
      const classes = task.label.classes;
      if (!classes) fault(['label', 'classes'], 'are required for kind multi-class');
      else {
        if (task.label.signal || task.label.background) fault(['label', 'signal'], 'is for kind binary (give classes)');
        if (!classes.some((c) => c.role === 'signal')) fault(['label', 'classes'], 'need a class with role signal');
        if (!classes.some((c) => c.role === 'background'))
          fault(['label', 'classes'], 'need a class with role background');
        const seen = new Map<number, string>();
        classes.forEach((c, i) => {
          if (classes.findIndex((d) => d.name === c.name) !== i)
            fault(['label', 'classes', i, 'name'], `repeats "${c.name}"`);
          c.values.forEach((v, j) => {
            const other = seen.get(v);
            if (other !== undefined)
              fault(['label', 'classes', i, 'values', j], `${v} is already a value of class ${other}`);
            seen.set(v, c.name);
          });
        });
      }
    }
    const names = new Set<string>();
    task.inputs.forEach((input, i) => {
      if (names.has(input.name)) fault(['inputs', i, 'name'], `repeats input "${input.name}"`);
      names.add(input.name);
    });
    task.workingPoints?.forEach((wp, i) => {
      if (task.workingPoints?.findIndex((w) => w.name === wp.name) !== i)
        fault(['workingPoints', i, 'name'], `repeats "${wp.name}"`);
    });
    if (task.split && !(task.split.validation + task.split.test < 1)) {
      fault(['split', 'test'], 'validation + test must be below 1');
    }
    if (task.data.source === 'files' && task.data.objects && task.data.pad?.[task.data.objects] !== undefined) {
      fault(
        ['data', 'pad', task.data.objects],
        `collection ${task.data.objects} is flattened (objects), so it cannot be padded too`,
      );
    }
  });
export type TaskV1 = z.infer<typeof TaskV1>;

/**
 * Parses a task file's JSON value with {@link TaskV1}; throws {@link TaskFileError}
 * `"<file>: <field>: <message>"` naming the first fault by its JSON path (`field` set).
 */
export function parseTaskFile(value: unknown, file = 'task.json'): TaskV1 {
  const result = parseFormat(TaskV1, value);
  if (result.success) return result.data;
  const { field, message: text } = result.issue;
  throw new TaskFileError(`${file}: ${field}: ${text}`, { field, cause: result.error });
}

/** Parses a task file's text (JSON syntax errors are a {@link TaskFileError} naming the file). */
export function parseTaskJson(text: string, file = 'task.json'): TaskV1 {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TaskFileError(`${file}: not valid JSON (${(cause as Error).message})`, { field: file, cause });
  }
  return parseTaskFile(value, file);
}

/** Working points of a task: its own, else loose 95 %, medium 90 %, tight 80 % εS. */
export function taskWorkingPoints(task: TaskV1): { name: string; signalEfficiency: number }[] {
  return task.workingPoints ?? DEFAULT_WORKING_POINTS.map((wp) => ({ ...wp }));
}

/** Validation and test fractions of a task (default 0.2 each). */
export function taskSplit(task: TaskV1): { validation: number; test: number } {
  return task.split ?? { validation: 0.2, test: 0.2 };
}

/** The output name of a regression task's target: `target.name`, else its column. */
export function taskTargetName(task: TaskV1): string {
  return task.target?.name ?? task.target?.column ?? 'target';
}
