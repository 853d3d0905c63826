import { type Fault, nonEmptyArray, reportFault } from '@hepml/physics';
import { z } from 'zod';
import {
  type ArchitectureContext,
  CnnFilmArchitectureV1,
  checkCnnFilmArchitecture,
  DenseLayerV1,
  denseChainSize,
} from './cnn-film.ts';
import { EvaluationV1 } from './evaluation.ts';
import { nonNegativeInt, parseBundleJson, positiveInt } from './json.ts';
import { checkOnnxGraphArchitecture, OnnxGraphArchitectureV1 } from './onnx-graph.ts';

export type { ActivationV1, CnnFilmArchitectureV1, CnnLayerV1, DenseLayerV1, MapActivationV1 } from './cnn-film.ts';
export type { OnnxGraphArchitectureV1, OnnxGraphTensorV1 } from './onnx-graph.ts';

/**
 * The bundle manifest, format version 1 (`manifest.json`), as zod schemas: one per part, each
 * named like its type (`BundleManifestV1` the schema, `BundleManifestV1` its `z.infer`). Writer
 * (`buildBundle`), reader (`readBundle`, the Worker) and dashboard share them.
 */

/**
 * A monotone transform of a raw input before its standardisation: x → ln(max(x + shift, floor)),
 * `shift` in the input's unit, `floor` > 0 (the smallest argument of the logarithm, which keeps a
 * zero or an underflowed value finite). For inputs spread over decades, such as a track
 * probability (ALEPH's P_uds reaches 10⁻⁶) or a χ² difference (shift 1: ln(1 + Δχ²)), which a
 * standardisation alone leaves bunched at one end.
 */
export const InputTransformV1 = z.strictObject({
  kind: z.literal('log'),
  shift: z.number(),
  floor: z.number().refine((f) => f > 0 && Number.isFinite(f), { error: 'must be positive and finite' }),
});
export type InputTransformV1 = z.infer<typeof InputTransformV1>;

/**
 * One input of a model: raw value x enters the network as (t(x) − offset) / scale, t the input's
 * `transform` when it has one (offset and scale are then in the transformed variable), else x.
 */
export const BundleInputV1 = z.strictObject({
  name: z.string(),
  /** `GeV`, `rad`, `mm` or `1` (dimensionless); the raw value's unit, before any transform. */
  unit: z.string(),
  offset: z.number(),
  scale: z.number().refine((s) => s !== 0, { error: 'must not be zero' }),
  transform: InputTransformV1.optional(),
  description: z.string().optional(),
});
export type BundleInputV1 = z.infer<typeof BundleInputV1>;

/** t(x) of an input's {@link InputTransformV1} (x itself without one), in float64. */
export function transformInput(x: number, transform: InputTransformV1 | undefined): number {
  return transform ? Math.log(Math.max(x + transform.shift, transform.floor)) : x;
}

/**
 * Applies the inputs' transforms to a row-major raw matrix of n rows (row length = inputs.length),
 * writing into `out` (which may be `raw` itself) and returning it; NaN stays NaN. Returns `raw`
 * untouched (no copy) when no input has a transform.
 */
export function transformRows(
  raw: Float32Array,
  inputs: readonly { transform?: InputTransformV1 | undefined }[],
  out: Float32Array,
): Float32Array {
  const k = inputs.length;
  const cols: [number, InputTransformV1][] = [];
  inputs.forEach((input, i) => {
    if (input.transform) cols.push([i, input.transform]);
  });
  if (cols.length === 0) return raw;
  if (out !== raw) out.set(raw.subarray(0, out.length));
  for (let r = 0; r + k <= out.length; r += k) {
    for (const [i, t] of cols) out[r + i] = Math.log(Math.max((raw[r + i] as number) + t.shift, t.floor));
  }
  return out;
}

/** Whether any input has a transform. */
export function hasInputTransforms(inputs: readonly { transform?: InputTransformV1 | undefined }[]): boolean {
  return inputs.some((i) => i.transform !== undefined);
}

/** A dense feed-forward network on the standardised scalar inputs. */
export const MlpArchitectureV1 = z.strictObject({
  kind: z.literal('mlp'),
  inputSize: z.number(),
  layers: nonEmptyArray(DenseLayerV1),
  parameters: z.number(),
});
export type MlpArchitectureV1 = z.infer<typeof MlpArchitectureV1>;

/** Kinds of the baselines, evaluated by `baselines/` from a JSON parameter file. */
export const BASELINE_KINDS = ['gbdt', 'likelihood', 'cuts', 'standard-calibration'] as const;

/**
 * A baseline: its parameters live in the JSON file `weights`, whose schema `format` names
 * (`hepml-gbdt/1`, …); `parameters` counts its free parameters (cuts, bin contents, leaves).
 */
export const BaselineArchitectureV1 = z.strictObject({
  kind: z.enum(BASELINE_KINDS),
  parameters: nonNegativeInt,
  format: z.string().regex(/^[a-z0-9-]+\/[0-9]+$/, { error: 'must look like "hepml-gbdt/1"' }),
});
export type BaselineArchitectureV1 = z.infer<typeof BaselineArchitectureV1>;

/** Architecture of a bundle's model, by `kind`. */
export const ArchitectureV1 = z.discriminatedUnion('kind', [
  MlpArchitectureV1,
  CnnFilmArchitectureV1,
  BaselineArchitectureV1,
  OnnxGraphArchitectureV1,
]);
export type ArchitectureV1 = z.infer<typeof ArchitectureV1>;

/**
 * Kinds of outputs: `score` ∈ [0,1] or a discriminant, `class-score` softmax probabilities,
 * `energy` and `resolution` in GeV, `correction` a dimensionless factor (of the energy
 * regression), `value` the regressed target of a task file, named after the target and in its unit.
 */
export const OUTPUT_KINDS = ['score', 'class-score', 'energy', 'resolution', 'correction', 'value'] as const;

/** Names of class-score outputs, at least one, each once. */
const outputNames = nonEmptyArray(z.string(), 'must be a non-empty array of output names').superRefine((names, ctx) => {
  if (new Set(names).size !== names.length) {
    ctx.addIssue({ code: 'custom', message: 'names an output twice', input: names });
  }
});

/** Class probabilities, by output name, that a discriminant output puts in ratio. */
export const BundleDiscriminantV1 = z.strictObject({ signal: outputNames, background: outputNames });
export type BundleDiscriminantV1 = z.infer<typeof BundleDiscriminantV1>;

/** One output of a model. */
export const BundleOutputV1 = z
  .strictObject({
    name: z.string(),
    kind: z.enum(OUTPUT_KINDS),
    unit: z.string(),
    /**
     * A discriminant the runtime derives from the class probabilities instead of a network output:
     * D = Σ p(signal) / (Σ p(signal) + Σ p(background)) over the named `class-score` outputs (0 when
     * both sums are 0). For a W/top/QCD softmax, D(W vs QCD) = p_w/(p_w + p_qcd) = σ(z_w − z_qcd) is
     * the likelihood ratio of W against QCD that the network learnt (CMS's ParticleNet `WvsQCD`);
     * p_w alone also falls for top jets. Discriminants are listed after the model's own outputs,
     * with kind `score` and unit `1`.
     */
    discriminant: BundleDiscriminantV1.optional(),
    /**
     * A `correction` only: the scalar input (GeV) the dimensionless factor multiplies, so that
     * E = correction × raw(energyBase) in GeV (the energy-regression MLP regresses
     * E_true/E_standard and names `eCalStandard`). The server answers that energy beside the factor.
     */
    energyBase: z.string().optional(),
  })
  .superRefine((o, ctx) => reportFault(ctx, checkOutput(o)));
export type BundleOutputV1 = z.infer<typeof BundleOutputV1>;

/** An output's unit fits its kind; a discriminant is a `score` of unit `1`. */
function checkOutput(o: {
  kind: BundleOutputV1['kind'];
  unit: string;
  discriminant?: unknown;
  energyBase?: string | undefined;
}): Fault | undefined {
  if ((o.kind === 'energy' || o.kind === 'resolution') && o.unit !== 'GeV') {
    return { path: ['unit'], message: `must be "GeV" for ${o.kind}` };
  }
  if (o.energyBase !== undefined && o.kind !== 'correction') {
    return { path: ['energyBase'], message: 'is only for a "correction" output' };
  }
  if (o.discriminant === undefined) return undefined;
  if (o.kind !== 'score') return { path: ['kind'], message: 'must be "score" for a discriminant' };
  if (o.unit !== '1') return { path: ['unit'], message: 'must be "1" for a discriminant' };
  return undefined;
}

/** The outputs the model itself computes (those before any derived discriminant). */
export function modelOutputs(outputs: readonly BundleOutputV1[]): BundleOutputV1[] {
  return outputs.filter((o) => o.discriminant === undefined);
}

/** The calorimeter image of each row: [height, width, channels], HWC float32 row-major, in GeV. */
export const BundleImageV1 = z.strictObject({
  name: z.string(),
  shape: z.tuple([positiveInt, positiveInt, positiveInt], { error: 'must be [height, width, channels]' }),
  unit: z.literal('GeV'),
  description: z.string().optional(),
});
export type BundleImageV1 = z.infer<typeof BundleImageV1>;

/** A file of the bundle with its size and sha256 (hex). */
export const BundleFileV1 = z.strictObject({
  path: z.string().regex(/^[A-Za-z0-9._-]+$/, { error: 'must be a plain file name' }),
  bytes: nonNegativeInt,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' }),
});
export type BundleFileV1 = z.infer<typeof BundleFileV1>;

/** A working point: the cut on the score that keeps `signalEfficiency` of the signal. */
export const WorkingPointV1 = z.strictObject({
  name: z.string(),
  signalEfficiency: z.number(),
  threshold: z.number(),
  backgroundEfficiency: z.number(),
});
export type WorkingPointV1 = z.infer<typeof WorkingPointV1>;

/** Number of trainable parameters of an MLP with the given input size and layers. */
export function mlpParameterCount(inputSize: number, layers: readonly DenseLayerV1[]): number {
  return denseChainSize(inputSize, layers).parameters;
}

/** The first entry whose `key` repeats an earlier one's. */
function duplicate<T>(list: readonly T[], key: (x: T) => string, what: string, field: string): Fault | undefined {
  const seen = new Set<string>();
  for (const [i, x] of list.entries()) {
    const k = key(x);
    if (seen.has(k)) return { path: [i, field], message: `duplicate ${what} "${k}"` };
    seen.add(k);
  }
  return undefined;
}

/** Inputs, each name once. */
const inputs = nonEmptyArray(BundleInputV1).superRefine((list, ctx) =>
  reportFault(
    ctx,
    duplicate(list, (i) => i.name, 'input', 'name'),
  ),
);

/** Outputs, each name once, the model's own before the discriminants built from its class scores. */
const outputs = nonEmptyArray(BundleOutputV1).superRefine((list, ctx) =>
  reportFault(ctx, duplicate(list, (o) => o.name, 'output', 'name') ?? checkDiscriminants(list)),
);

function checkDiscriminants(list: readonly BundleOutputV1[]): Fault | undefined {
  const firstDerived = list.findIndex((o) => o.discriminant !== undefined);
  if (firstDerived < 0) return undefined;
  const after = list.findIndex((o, i) => i > firstDerived && o.discriminant === undefined);
  if (after >= 0) return { path: [after], message: 'model outputs must come before the discriminants' };
  const classScores = new Set(modelOutputs(list).flatMap((o) => (o.kind === 'class-score' ? [o.name] : [])));
  for (const [i, { discriminant }] of list.entries()) {
    if (!discriminant) continue;
    for (const role of ['signal', 'background'] as const) {
      for (const [j, name] of discriminant[role].entries()) {
        if (!classScores.has(name)) {
          return { path: [i, 'discriminant', role, j], message: `"${name}" is not a class-score output of the model` };
        }
      }
    }
    const both = discriminant.signal.find((name) => discriminant.background.includes(name));
    if (both !== undefined) return { path: [i, 'discriminant'], message: `"${both}" is both signal and background` };
  }
  return undefined;
}

/** Files, each path once. */
const files = z.array(BundleFileV1).superRefine((list, ctx) =>
  reportFault(
    ctx,
    duplicate(list, (f) => f.path, 'file', 'path'),
  ),
);

/** Formats `pnpm import-model` reads (the `format` of {@link ImportSourceV1}). */
export const IMPORT_FORMATS = ['onnx', 'xgboost-json', 'lightgbm-text', 'lwtnn-json'] as const;

/**
 * Where an imported model came from (`lineage.source`, written by `pnpm import-model`): the
 * original file's name and sha256 (hex), its format, and the program that wrote it (ONNX's
 * `producer_name`/`producer_version`, or "xgboost", "lightgbm", "lwtnn" with the version the file
 * states). Absent for models trained here.
 */
export const ImportSourceV1 = z.strictObject({
  format: z.enum(IMPORT_FORMATS),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' }),
  producer: z.string(),
  producerVersion: z.string().optional(),
});
export type ImportSourceV1 = z.infer<typeof ImportSourceV1>;

/**
 * Training profiles a lineage names: `default` (what `npm start` and CI train: minutes on 2
 * cores), `full` (`pnpm train --profile full`: more events and epochs, the converged figures),
 * `custom` (a profile with `--n`, `--epochs` or `--trees` overridden).
 */
export const TRAINING_PROFILES = ['default', 'full', 'custom'] as const;
export type TrainingProfileName = (typeof TRAINING_PROFILES)[number];

/** Manifest of a model bundle, format version 1 (stored as `manifest.json`). */
export const BundleManifestV1 = z
  .strictObject(
    {
      format: z.literal('hepml-bundle'),
      formatVersion: z.literal(1),
      name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'must match [a-z0-9][a-z0-9._-]{0,63}' }),
      task: z.string(),
      description: z.string(),
      inputs,
      outputs,
      architecture: ArchitectureV1,
      /**
       * Parameter file: little-endian float32 for networks (`mlp`: per layer the kernel then the bias;
       * `cnn-film`: see {@link CnnFilmArchitectureV1}), JSON for baselines (schema named by `format`),
       * an ONNX ModelProto for `onnx-graph` ({@link OnnxGraphArchitectureV1}).
       */
      weights: z.string(),
      metrics: z.record(z.string(), z.number()),
      workingPoints: z.array(WorkingPointV1),
      lineage: z.strictObject({
        datasetHash: z.string(),
        codeVersion: z.string(),
        seed: z.number(),
        createdAt: z.string(),
        backend: z.string(),
        /** Set for an imported model: the file it was imported from. */
        source: ImportSourceV1.optional(),
        /** Training profile of `pnpm train` ({@link TRAINING_PROFILES}); absent for bundles made otherwise. */
        profile: z.enum(TRAINING_PROFILES).optional(),
      }),
      files,
      image: BundleImageV1.optional(),
      roc: z
        .strictObject({ signalEfficiency: z.array(z.number()), backgroundEfficiency: z.array(z.number()) })
        .superRefine((roc, ctx) => {
          if (roc.signalEfficiency.length !== roc.backgroundEfficiency.length) {
            const message = 'signalEfficiency and backgroundEfficiency must be arrays of equal length';
            ctx.addIssue({ code: 'custom', message, input: roc });
          }
        })
        .optional(),
      /** Figures of merit beyond `metrics` (bundle/evaluation.ts). */
      evaluation: EvaluationV1.optional(),
      /**
       * Data-to-simulation scale factors: `scaleFactors`, a correctionlib v2 JSON file listed in
       * `files` (one correction per working point); `tables`, optionally, the same tables in full
       * (`hepml-scale-factors/1`: stat and syst apart, efficiencies in data and MC, provenance).
       */
      calibration: z.strictObject({ scaleFactors: z.string(), tables: z.string().optional() }).optional(),
    },
    // Only the document itself raises invalid_type here: its fields have their own schemas.
    { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined) },
  )
  .superRefine((m, ctx) => {
    const context: ArchitectureContext = {
      inputNames: m.inputs.map((i) => i.name),
      imageShape: m.image?.shape,
      outputCount: modelOutputs(m.outputs).length,
    };
    reportFault(ctx, checkArchitecture(m.architecture, context) ?? checkEnergyBases(m) ?? checkFiles(m));
  });
export type BundleManifestV1 = z.infer<typeof BundleManifestV1>;

/** The architecture against the inputs, image and outputs of the manifest (cnn-film: cnn-film.ts). */
function checkArchitecture(arch: ArchitectureV1, context: ArchitectureContext): Fault | undefined {
  if (arch.kind === 'cnn-film') return checkCnnFilmArchitecture(arch, context);
  if (arch.kind === 'onnx-graph') return checkOnnxGraphArchitecture(arch, context);
  if (context.imageShape) {
    return { path: ['image'], message: `is only taken by architecture.kind "cnn-film", not "${arch.kind}"` };
  }
  if (arch.kind !== 'mlp') return undefined;
  const { inputNames, outputCount } = context;
  if (arch.inputSize !== inputNames.length) {
    const message = `is ${arch.inputSize} but the manifest lists ${inputNames.length} inputs`;
    return { path: ['architecture', 'inputSize'], message };
  }
  const last = arch.layers[arch.layers.length - 1];
  if (last && last.units !== outputCount) {
    return { path: ['outputs'], message: `lists ${outputCount} outputs but the last layer has ${last.units} units` };
  }
  const expected = mlpParameterCount(arch.inputSize, arch.layers);
  if (arch.parameters !== expected) {
    return { path: ['architecture', 'parameters'], message: `is ${arch.parameters}, the layers have ${expected}` };
  }
  return undefined;
}

/** Every `energyBase` names a scalar input of the model. */
function checkEnergyBases(m: BundleManifestV1): Fault | undefined {
  for (const [i, o] of m.outputs.entries()) {
    if (o.energyBase !== undefined && !m.inputs.some((input) => input.name === o.energyBase)) {
      return { path: ['outputs', i, 'energyBase'], message: `"${o.energyBase}" is not an input of the model` };
    }
  }
  return undefined;
}

/** The weights file and the calibration files are listed, networks' weights of the right size. */
function checkFiles(m: BundleManifestV1): Fault | undefined {
  const weights = m.files.find((f) => f.path === m.weights);
  if (!weights) return { path: ['files'], message: `has no entry for the weights file "${m.weights}"` };
  if (m.architecture.kind === 'mlp' || m.architecture.kind === 'cnn-film') {
    const expected = m.architecture.parameters * 4;
    if (weights.bytes !== expected) {
      return {
        path: ['files'],
        message: `weights file "${m.weights}" has ${weights.bytes} bytes, expected ${expected}`,
      };
    }
  }
  if (!m.calibration) return undefined;
  const listed = new Set(m.files.map((f) => f.path));
  const { scaleFactors, tables } = m.calibration;
  const at = (key: string, message: string): Fault => ({ path: ['calibration', key], message });
  if (!listed.has(scaleFactors)) return at('scaleFactors', `"${scaleFactors}" is not listed in files`);
  if (scaleFactors === m.weights) return at('scaleFactors', 'must not be the weights file');
  if (tables === undefined) return undefined;
  if (!listed.has(tables)) return at('tables', `"${tables}" is not listed in files`);
  if (tables === m.weights || tables === scaleFactors) return at('tables', 'must be a file of its own');
  return undefined;
}

/**
 * Validates a parsed `manifest.json` strictly with {@link BundleManifestV1}: unknown keys, wrong
 * types, non-finite numbers, a zero scale, layer sizes that disagree with the inputs, or a missing
 * file entry are BundleErrors naming the field. Returns the manifest typed (a fresh copy).
 */
export function parseManifest(value: unknown): BundleManifestV1 {
  return parseBundleJson(BundleManifestV1, value);
}
