import {
  type CnnFilmArchitectureV1,
  type DenseLayerV1,
  denseChainSize,
  parseCnnFilmArchitecture,
  parseDenseLayers,
} from './cnn-film.ts';
import { type EvaluationV1, parseEvaluation } from './evaluation.ts';
import { fail, isRecord, noExtraKeys, num, oneOf, positiveInt, str } from './json.ts';

export type { ActivationV1, CnnFilmArchitectureV1, CnnLayerV1, DenseLayerV1, MapActivationV1 } from './cnn-film.ts';

/** One input of a model: raw value x enters the network as (x − offset) / scale. */
export interface BundleInputV1 {
  name: string;
  /** `GeV`, `rad`, `mm` or `1` (dimensionless). */
  unit: string;
  offset: number;
  scale: number;
  description?: string;
}

/** A dense feed-forward network on the standardised scalar inputs. */
export interface MlpArchitectureV1 {
  kind: 'mlp';
  inputSize: number;
  layers: DenseLayerV1[];
  parameters: number;
}

/** Kinds of the baselines, evaluated by `baselines/` from a JSON parameter file. */
export const BASELINE_KINDS = ['gbdt', 'likelihood', 'cuts', 'standard-calibration'] as const;

/**
 * A baseline: its parameters live in the JSON file `weights`, whose schema `format` names
 * (`hepml-gbdt/1`, …); `parameters` counts its free parameters (cuts, bin contents, leaves).
 */
export interface BaselineArchitectureV1 {
  kind: (typeof BASELINE_KINDS)[number];
  parameters: number;
  format: string;
}

/** Architecture of a bundle's model. */
export type ArchitectureV1 = MlpArchitectureV1 | CnnFilmArchitectureV1 | BaselineArchitectureV1;

/** Kinds of outputs: `score` ∈ [0,1] or a discriminant, `class-score` softmax probabilities, `energy` and `resolution` in GeV, `correction` a dimensionless factor. */
export const OUTPUT_KINDS = ['score', 'class-score', 'energy', 'resolution', 'correction'] as const;

/** One output of a model. */
export interface BundleOutputV1 {
  name: string;
  kind: (typeof OUTPUT_KINDS)[number];
  unit: string;
  /**
   * A discriminant the runtime derives from the class probabilities instead of a network output:
   * D = Σ p(signal) / (Σ p(signal) + Σ p(background)) over the named `class-score` outputs (0 when
   * both sums are 0). For a W/top/QCD softmax, D(W vs QCD) = p_w/(p_w + p_qcd) = σ(z_w − z_qcd) is
   * the likelihood ratio of W against QCD that the network learnt (CMS's ParticleNet `WvsQCD`);
   * p_w alone also falls for top jets. Discriminants are listed after the model's own outputs,
   * with kind `score` and unit `1`.
   */
  discriminant?: BundleDiscriminantV1;
}

/** Class probabilities, by output name, that a discriminant output puts in ratio. */
export interface BundleDiscriminantV1 {
  signal: string[];
  background: string[];
}

/** The outputs the model itself computes (those before any derived discriminant). */
export function modelOutputs(outputs: readonly BundleOutputV1[]): BundleOutputV1[] {
  return outputs.filter((o) => o.discriminant === undefined);
}

/** The calorimeter image of each row: [height, width, channels], HWC float32 row-major, in GeV. */
export interface BundleImageV1 {
  name: string;
  shape: [number, number, number];
  unit: 'GeV';
  description?: string;
}

/** A file of the bundle with its size and sha256 (hex). */
export interface BundleFileV1 {
  path: string;
  bytes: number;
  sha256: string;
}

/** A working point: the cut on the score that keeps `signalEfficiency` of the signal. */
export interface WorkingPointV1 {
  name: string;
  signalEfficiency: number;
  threshold: number;
  backgroundEfficiency: number;
}

/** Manifest of a model bundle, format version 1 (stored as `manifest.json`). */
export interface BundleManifestV1 {
  format: 'hepml-bundle';
  formatVersion: 1;
  name: string;
  task: string;
  description: string;
  inputs: BundleInputV1[];
  image?: BundleImageV1;
  outputs: BundleOutputV1[];
  architecture: ArchitectureV1;
  /**
   * Parameter file: little-endian float32 for networks (`mlp`: per layer the kernel then the bias;
   * `cnn-film`: see {@link CnnFilmArchitectureV1}), JSON for baselines (schema named by `format`).
   */
  weights: string;
  metrics: Record<string, number>;
  workingPoints: WorkingPointV1[];
  roc?: { signalEfficiency: number[]; backgroundEfficiency: number[] };
  /** Figures of merit beyond `metrics` (validated by `parseEvaluation`, bundle/evaluation.ts). */
  evaluation?: EvaluationV1;
  /**
   * Data-to-simulation scale factors: `scaleFactors`, a correctionlib v2 JSON file listed in
   * `files` (one correction per working point); `tables`, optionally, the same tables in full
   * (`hepml-scale-factors/1`: stat and syst apart, efficiencies in data and MC, provenance).
   */
  calibration?: { scaleFactors: string; tables?: string };
  lineage: { datasetHash: string; codeVersion: string; seed: number; createdAt: string; backend: string };
  files: BundleFileV1[];
}

const TOP_KEYS = [
  'format',
  'formatVersion',
  'name',
  'task',
  'description',
  'inputs',
  'image',
  'outputs',
  'architecture',
  'weights',
  'metrics',
  'workingPoints',
  'roc',
  'evaluation',
  'calibration',
  'lineage',
  'files',
] as const;
const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Number of trainable parameters of an MLP with the given input size and layers. */
export function mlpParameterCount(inputSize: number, layers: readonly DenseLayerV1[]): number {
  return denseChainSize(inputSize, layers).parameters;
}

/** A discriminant definition of output `f` (kind `score`, unit `1`; names checked by the caller). */
function parseDiscriminant(raw: unknown, f: string, kind: string, unit: string): BundleDiscriminantV1 {
  const field = `${f}.discriminant`;
  if (kind !== 'score') fail(`${f}.kind`, 'must be "score" for a discriminant');
  if (unit !== '1') fail(`${f}.unit`, 'must be "1" for a discriminant');
  if (!isRecord(raw)) fail(field, 'must be an object');
  noExtraKeys(raw, ['signal', 'background'], field);
  const names = (v: unknown, g: string): string[] => {
    if (!Array.isArray(v) || v.length === 0) fail(g, 'must be a non-empty array of output names');
    const list = v.map((x, k) => str(x, `${g}[${k}]`));
    if (new Set(list).size !== list.length) fail(g, 'names an output twice');
    return list;
  };
  return { signal: names(raw.signal, `${field}.signal`), background: names(raw.background, `${field}.background`) };
}

/**
 * Validates a parsed `manifest.json` strictly: unknown keys, wrong types, non-finite numbers,
 * a zero scale, layer sizes that disagree with the inputs, or a missing file entry are errors
 * naming the field. Returns the manifest typed.
 */
export function parseManifest(value: unknown): BundleManifestV1 {
  if (!isRecord(value)) fail('(root)', 'must be a JSON object');
  noExtraKeys(value, TOP_KEYS, '');
  if (value.format !== 'hepml-bundle') fail('format', 'must be "hepml-bundle"');
  if (value.formatVersion !== 1) fail('formatVersion', 'must be 1');
  const name = str(value.name, 'name');
  if (!NAME_RE.test(name)) fail('name', 'must match [a-z0-9][a-z0-9._-]{0,63}');
  const task = str(value.task, 'task');
  const description = str(value.description, 'description');

  if (!Array.isArray(value.inputs) || value.inputs.length === 0) fail('inputs', 'must be a non-empty array');
  const seen = new Set<string>();
  const inputs = value.inputs.map((raw, i): BundleInputV1 => {
    const f = `inputs[${i}]`;
    if (!isRecord(raw)) fail(f, 'must be an object');
    noExtraKeys(raw, ['name', 'unit', 'offset', 'scale', 'description'], f);
    const inputName = str(raw.name, `${f}.name`);
    if (seen.has(inputName)) fail(`${f}.name`, `duplicate input "${inputName}"`);
    seen.add(inputName);
    const scale = num(raw.scale, `${f}.scale`);
    if (scale === 0) fail(`${f}.scale`, 'must not be zero');
    const input: BundleInputV1 = {
      name: inputName,
      unit: str(raw.unit, `${f}.unit`),
      offset: num(raw.offset, `${f}.offset`),
      scale,
    };
    if (raw.description !== undefined) input.description = str(raw.description, `${f}.description`);
    return input;
  });

  if (!Array.isArray(value.outputs) || value.outputs.length === 0) fail('outputs', 'must be a non-empty array');
  const outputNames = new Set<string>();
  const outputs = value.outputs.map((raw, i): BundleOutputV1 => {
    const f = `outputs[${i}]`;
    if (!isRecord(raw)) fail(f, 'must be an object');
    noExtraKeys(raw, ['name', 'kind', 'unit', 'discriminant'], f);
    const outputName = str(raw.name, `${f}.name`);
    if (outputNames.has(outputName)) fail(`${f}.name`, `duplicate output "${outputName}"`);
    outputNames.add(outputName);
    const kind = oneOf(raw.kind, OUTPUT_KINDS, `${f}.kind`);
    const unit = str(raw.unit, `${f}.unit`);
    if ((kind === 'energy' || kind === 'resolution') && unit !== 'GeV') fail(`${f}.unit`, `must be "GeV" for ${kind}`);
    if (raw.discriminant === undefined) return { name: outputName, kind, unit };
    return { name: outputName, kind, unit, discriminant: parseDiscriminant(raw.discriminant, f, kind, unit) };
  });
  const firstDerived = outputs.findIndex((o) => o.discriminant !== undefined);
  if (firstDerived >= 0) {
    const after = outputs.findIndex((o, i) => i > firstDerived && o.discriminant === undefined);
    if (after >= 0) fail(`outputs[${after}]`, 'model outputs must come before the discriminants');
    const classScores = new Set(outputs.filter((o) => o.kind === 'class-score' && !o.discriminant).map((o) => o.name));
    outputs.forEach((o, i) => {
      if (!o.discriminant) return;
      const { signal, background } = o.discriminant;
      for (const [role, names] of [
        ['signal', signal],
        ['background', background],
      ] as const) {
        names.forEach((name, j) => {
          if (!classScores.has(name)) {
            fail(`outputs[${i}].discriminant.${role}[${j}]`, `"${name}" is not a class-score output of the model`);
          }
        });
      }
      const both = signal.find((name) => background.includes(name));
      if (both !== undefined) fail(`outputs[${i}].discriminant`, `"${both}" is both signal and background`);
    });
  }

  let image: BundleImageV1 | undefined;
  if (value.image !== undefined) image = parseImage(value.image);

  const architecture = parseArchitecture(value.architecture, inputs, image, modelOutputs(outputs).length);

  const weights = str(value.weights, 'weights');
  if (!isRecord(value.metrics)) fail('metrics', 'must be an object');
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(value.metrics)) metrics[k] = num(v, `metrics.${k}`);

  if (!Array.isArray(value.workingPoints)) fail('workingPoints', 'must be an array');
  const workingPoints = value.workingPoints.map((raw, i): WorkingPointV1 => {
    const f = `workingPoints[${i}]`;
    if (!isRecord(raw)) fail(f, 'must be an object');
    noExtraKeys(raw, ['name', 'signalEfficiency', 'threshold', 'backgroundEfficiency'], f);
    return {
      name: str(raw.name, `${f}.name`),
      signalEfficiency: num(raw.signalEfficiency, `${f}.signalEfficiency`),
      threshold: num(raw.threshold, `${f}.threshold`),
      backgroundEfficiency: num(raw.backgroundEfficiency, `${f}.backgroundEfficiency`),
    };
  });

  let roc: BundleManifestV1['roc'];
  if (value.roc !== undefined) {
    if (!isRecord(value.roc)) fail('roc', 'must be an object');
    noExtraKeys(value.roc, ['signalEfficiency', 'backgroundEfficiency'], 'roc');
    const s = value.roc.signalEfficiency;
    const b = value.roc.backgroundEfficiency;
    if (!Array.isArray(s) || !Array.isArray(b) || s.length !== b.length) {
      fail('roc', 'signalEfficiency and backgroundEfficiency must be arrays of equal length');
    }
    roc = {
      signalEfficiency: s.map((x, i) => num(x, `roc.signalEfficiency[${i}]`)),
      backgroundEfficiency: b.map((x, i) => num(x, `roc.backgroundEfficiency[${i}]`)),
    };
  }

  const l = value.lineage;
  if (!isRecord(l)) fail('lineage', 'must be an object');
  noExtraKeys(l, ['datasetHash', 'codeVersion', 'seed', 'createdAt', 'backend'], 'lineage');
  const lineage = {
    datasetHash: str(l.datasetHash, 'lineage.datasetHash'),
    codeVersion: str(l.codeVersion, 'lineage.codeVersion'),
    seed: num(l.seed, 'lineage.seed'),
    createdAt: str(l.createdAt, 'lineage.createdAt'),
    backend: str(l.backend, 'lineage.backend'),
  };

  if (!Array.isArray(value.files)) fail('files', 'must be an array');
  const files = value.files.map((raw, i): BundleFileV1 => {
    const f = `files[${i}]`;
    if (!isRecord(raw)) fail(f, 'must be an object');
    noExtraKeys(raw, ['path', 'bytes', 'sha256'], f);
    const sha256 = str(raw.sha256, `${f}.sha256`);
    if (!/^[0-9a-f]{64}$/.test(sha256)) fail(`${f}.sha256`, 'must be 64 lowercase hex digits');
    const bytes = num(raw.bytes, `${f}.bytes`);
    if (!Number.isInteger(bytes) || bytes < 0) fail(`${f}.bytes`, 'must be a non-negative integer');
    const path = str(raw.path, `${f}.path`);
    if (!/^[A-Za-z0-9._-]+$/.test(path)) fail(`${f}.path`, 'must be a plain file name');
    return { path, bytes, sha256 };
  });
  const paths = new Set<string>();
  for (const [i, f] of files.entries()) {
    if (paths.has(f.path)) fail(`files[${i}].path`, `duplicate file "${f.path}"`);
    paths.add(f.path);
  }
  const weightsFile = files.find((f) => f.path === weights);
  if (!weightsFile) fail('files', `has no entry for the weights file "${weights}"`);
  if (architecture.kind === 'mlp' || architecture.kind === 'cnn-film') {
    if (weightsFile.bytes !== architecture.parameters * 4) {
      fail(
        'files',
        `weights file "${weights}" has ${weightsFile.bytes} bytes, expected ${architecture.parameters * 4}`,
      );
    }
  }

  let calibration: BundleManifestV1['calibration'];
  if (value.calibration !== undefined) {
    if (!isRecord(value.calibration)) fail('calibration', 'must be an object');
    noExtraKeys(value.calibration, ['scaleFactors', 'tables'], 'calibration');
    const scaleFactors = str(value.calibration.scaleFactors, 'calibration.scaleFactors');
    if (!paths.has(scaleFactors)) fail('calibration.scaleFactors', `"${scaleFactors}" is not listed in files`);
    if (scaleFactors === weights) fail('calibration.scaleFactors', 'must not be the weights file');
    calibration = { scaleFactors };
    if (value.calibration.tables !== undefined) {
      const tables = str(value.calibration.tables, 'calibration.tables');
      if (!paths.has(tables)) fail('calibration.tables', `"${tables}" is not listed in files`);
      if (tables === weights || tables === scaleFactors) fail('calibration.tables', 'must be a file of its own');
      calibration.tables = tables;
    }
  }

  const manifest: BundleManifestV1 = {
    format: 'hepml-bundle',
    formatVersion: 1,
    name,
    task,
    description,
    inputs,
    outputs,
    architecture,
    weights,
    metrics,
    workingPoints,
    lineage,
    files,
  };
  if (image) manifest.image = image;
  if (roc) manifest.roc = roc;
  if (value.evaluation !== undefined) manifest.evaluation = parseEvaluation(value.evaluation, 'evaluation');
  if (calibration) manifest.calibration = calibration;
  return manifest;
}

function parseImage(raw: unknown): BundleImageV1 {
  if (!isRecord(raw)) fail('image', 'must be an object');
  noExtraKeys(raw, ['name', 'shape', 'unit', 'description'], 'image');
  const shape = raw.shape;
  if (!Array.isArray(shape) || shape.length !== 3) fail('image.shape', 'must be [height, width, channels]');
  if (raw.unit !== 'GeV') fail('image.unit', 'must be "GeV"');
  const image: BundleImageV1 = {
    name: str(raw.name, 'image.name'),
    shape: [
      positiveInt(shape[0], 'image.shape[0]'),
      positiveInt(shape[1], 'image.shape[1]'),
      positiveInt(shape[2], 'image.shape[2]'),
    ],
    unit: 'GeV',
  };
  if (raw.description !== undefined) image.description = str(raw.description, 'image.description');
  return image;
}

function parseArchitecture(
  raw: unknown,
  inputs: readonly BundleInputV1[],
  image: BundleImageV1 | undefined,
  outputCount: number,
): ArchitectureV1 {
  if (!isRecord(raw)) fail('architecture', 'must be an object');
  const kind = oneOf(raw.kind, ['mlp', 'cnn-film', ...BASELINE_KINDS] as const, 'architecture.kind');
  if (kind === 'cnn-film') {
    return parseCnnFilmArchitecture(
      raw,
      inputs.map((i) => i.name),
      image?.shape,
      outputCount,
    );
  }
  if (image) fail('image', `is only taken by architecture.kind "cnn-film", not "${kind}"`);
  if (kind === 'mlp') {
    noExtraKeys(raw, ['kind', 'inputSize', 'layers', 'parameters'], 'architecture');
    const inputSize = num(raw.inputSize, 'architecture.inputSize');
    if (inputSize !== inputs.length) {
      fail('architecture.inputSize', `is ${inputSize} but the manifest lists ${inputs.length} inputs`);
    }
    const layers = parseDenseLayers(raw.layers, 'architecture.layers');
    const last = layers[layers.length - 1];
    if (last && last.units !== outputCount) {
      fail('outputs', `lists ${outputCount} outputs but the last layer has ${last.units} units`);
    }
    const parameters = num(raw.parameters, 'architecture.parameters');
    if (parameters !== mlpParameterCount(inputSize, layers)) {
      fail('architecture.parameters', `is ${parameters}, the layers have ${mlpParameterCount(inputSize, layers)}`);
    }
    return { kind, inputSize, layers, parameters };
  }
  noExtraKeys(raw, ['kind', 'parameters', 'format'], 'architecture');
  const parameters = num(raw.parameters, 'architecture.parameters');
  if (!Number.isInteger(parameters) || parameters < 0)
    fail('architecture.parameters', 'must be a non-negative integer');
  const format = str(raw.format, 'architecture.format');
  if (!/^[a-z0-9-]+\/[0-9]+$/.test(format)) fail('architecture.format', 'must look like "hepml-gbdt/1"');
  return { kind, parameters, format };
}
