/**
 * What a foreign model file does not say and `pnpm import-model` needs: the inputs by name with
 * units, descriptions and the standardisation the model was trained on, the outputs and the task
 * (`--inputs spec.json`, schema {@link ImportSpecV1}), or the inputs of a reference task
 * (`--task NAME`, {@link taskImportSpec}).
 */
import {
  B_TAGGING_VARIABLES,
  BOOSTED_JET_VARIABLES,
  CALO_SHOWER_VARIABLES,
  ELECTRON_ID_VARIABLES,
  FieldError,
  nonEmptyArray,
  parseFormat,
  STANDARD_CALIBRATION_COLUMN,
} from '@hepml/physics';
import { z } from 'zod';
import { BundleOutputV1, InputTransformV1 } from '../bundle/manifest.ts';
import { inputDescription } from '../input-descriptions.ts';
import { TASKS } from '../tasks.ts';

/**
 * One input as the foreign model reads it: the network sees (x − offset)/scale of the raw value
 * x in `unit` (GeV, rad, "1"); offset 0 and scale 1 when the model reads raw values. A network
 * trained on a logarithm names it as `transform` ({@link InputTransformV1}: it then sees
 * (ln(max(x + shift, floor)) − offset)/scale and clients still send x); ONNX networks only.
 */
export const ImportSpecInputV1 = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, { error: 'must match [A-Za-z_][A-Za-z0-9_.-]{0,63}' }),
  unit: z.string().min(1, { error: 'must name a unit ("GeV", "rad", "1")' }),
  description: z.string().optional(),
  offset: z.number().optional(),
  scale: z
    .number()
    .refine((s) => s !== 0, { error: 'must not be zero' })
    .optional(),
  transform: InputTransformV1.optional(),
});
export type ImportSpecInputV1 = z.infer<typeof ImportSpecInputV1>;

/**
 * The input specification file of `pnpm import-model --inputs spec.json`. `inputs` are in the
 * model's input order (the columns of its one input tensor for ONNX and for files that name no
 * features); when the file names its features, every name must appear here once. `outputs`
 * default by the model's kind (a sigmoid or binary objective: `score`; softmax: `class_k`
 * class scores; else `response`, a dimensionless correction). `task` puts the model on that
 * task's leaderboard (its inputs must then be the task's variables).
 */
export const ImportSpecV1 = z.strictObject({
  task: z.string().optional(),
  description: z.string().optional(),
  inputs: nonEmptyArray(ImportSpecInputV1).superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [i, input] of list.entries()) {
      if (seen.has(input.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate input "${input.name}"`, input });
      }
      seen.add(input.name);
    }
  }),
  outputs: nonEmptyArray(BundleOutputV1).optional(),
});
export type ImportSpecV1 = z.infer<typeof ImportSpecV1>;

/** Parses a spec file's bytes; a fault is a FieldError "<file>: <field>: <message>". */
export function readImportSpec(bytes: Uint8Array, file: string): ImportSpecV1 {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new FieldError(`${file}: not JSON (${(cause as Error).message})`, { field: '(root)', cause });
  }
  const result = parseFormat(ImportSpecV1, json);
  if (!result.success) {
    throw new FieldError(`${file}: ${result.issue.field}: ${result.issue.message}`, { field: result.issue.field });
  }
  return result.data;
}

/** The raw input variables (name → unit) of each reference task's simulation, in sample order. */
export const TASK_VARIABLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'electron-id': ELECTRON_ID_VARIABLES,
  bjet: B_TAGGING_VARIABLES,
  'boosted-jet': BOOSTED_JET_VARIABLES,
  'energy-regression': { ...CALO_SHOWER_VARIABLES, [STANDARD_CALIBRATION_COLUMN]: 'GeV' },
};

/**
 * The spec of a model that reads a reference task's variables raw (offset 0, scale 1), in the
 * order `pnpm train`'s networks read them, with their units and descriptions.
 */
export function taskImportSpec(task: string): ImportSpecV1 {
  const variables = TASK_VARIABLES[task];
  if (!variables) {
    throw new FieldError(`--task must be one of ${TASKS.map((t) => t.id).join(', ')}, got "${task}"`, {
      field: 'task',
    });
  }
  return {
    task,
    inputs: Object.entries(variables).map(([name, unit]) => ({ name, unit, ...inputDescription(name) })),
  };
}
