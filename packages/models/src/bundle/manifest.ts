import { BundleError } from '../errors.ts';

/** One input of a model: raw value x enters the network as (x − offset) / scale. */
export interface BundleInputV1 {
  name: string;
  /** `GeV`, `rad`, `mm` or `1` (dimensionless). */
  unit: string;
  offset: number;
  scale: number;
  description?: string;
}

/** A dense layer: y = activation(x · W + b), W stored row-major [inputs × units]. */
export interface DenseLayerV1 {
  type: 'dense';
  units: number;
  activation: 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'softmax';
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
  outputs: { name: string; kind: 'score' | 'energy'; unit: string }[];
  architecture: { kind: 'mlp'; inputSize: number; layers: DenseLayerV1[]; parameters: number };
  /** Weights file: little-endian float32, per layer the kernel then the bias. */
  weights: string;
  metrics: Record<string, number>;
  workingPoints: WorkingPointV1[];
  roc?: { signalEfficiency: number[]; backgroundEfficiency: number[] };
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
  'outputs',
  'architecture',
  'weights',
  'metrics',
  'workingPoints',
  'roc',
  'lineage',
  'files',
] as const;
const ACTIVATIONS = new Set(['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'softmax']);
const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(field: string, message: string): never {
  throw new BundleError(`manifest.json: ${field}: ${message}`, { field });
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') fail(field, 'must be a string');
  return v;
}

function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, 'must be a finite number');
  return v;
}

function noExtraKeys(v: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(field ? `${field}.${k}` : k, 'unknown key');
}

/** Number of trainable parameters of an MLP with the given input size and layers. */
export function mlpParameterCount(inputSize: number, layers: readonly DenseLayerV1[]): number {
  let n = 0;
  let fanIn = inputSize;
  for (const l of layers) {
    n += fanIn * l.units + l.units;
    fanIn = l.units;
  }
  return n;
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
  const outputs = value.outputs.map((raw, i): BundleManifestV1['outputs'][number] => {
    const f = `outputs[${i}]`;
    if (!isRecord(raw)) fail(f, 'must be an object');
    noExtraKeys(raw, ['name', 'kind', 'unit'], f);
    const kind = raw.kind;
    if (kind !== 'score' && kind !== 'energy') fail(`${f}.kind`, 'must be "score" or "energy"');
    return { name: str(raw.name, `${f}.name`), kind, unit: str(raw.unit, `${f}.unit`) };
  });

  const a = value.architecture;
  if (!isRecord(a)) fail('architecture', 'must be an object');
  noExtraKeys(a, ['kind', 'inputSize', 'layers', 'parameters'], 'architecture');
  if (a.kind !== 'mlp') fail('architecture.kind', 'must be "mlp"');
  const inputSize = num(a.inputSize, 'architecture.inputSize');
  if (inputSize !== inputs.length) {
    fail('architecture.inputSize', `is ${inputSize} but the manifest lists ${inputs.length} inputs`);
  }
  if (!Array.isArray(a.layers) || a.layers.length === 0) fail('architecture.layers', 'must be a non-empty array');
  const layers = a.layers.map((raw, i): DenseLayerV1 => {
    const f = `architecture.layers[${i}]`;
    if (!isRecord(raw)) fail(f, 'must be an object');
    noExtraKeys(raw, ['type', 'units', 'activation'], f);
    if (raw.type !== 'dense') fail(`${f}.type`, 'must be "dense"');
    const units = num(raw.units, `${f}.units`);
    if (!Number.isInteger(units) || units <= 0) fail(`${f}.units`, 'must be a positive integer');
    const act = str(raw.activation, `${f}.activation`);
    if (!ACTIVATIONS.has(act)) fail(`${f}.activation`, `unknown activation "${act}"`);
    return { type: 'dense', units, activation: act as DenseLayerV1['activation'] };
  });
  const last = layers[layers.length - 1];
  if (last && last.units !== outputs.length) {
    fail('outputs', `lists ${outputs.length} outputs but the last layer has ${last.units} units`);
  }
  const parameters = num(a.parameters, 'architecture.parameters');
  if (parameters !== mlpParameterCount(inputSize, layers)) {
    fail('architecture.parameters', `is ${parameters}, the layers have ${mlpParameterCount(inputSize, layers)}`);
  }

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
  const weightsFile = files.find((f) => f.path === weights);
  if (!weightsFile) fail('files', `has no entry for the weights file "${weights}"`);
  if (weightsFile.bytes !== parameters * 4) {
    fail('files', `weights file "${weights}" has ${weightsFile.bytes} bytes, expected ${parameters * 4}`);
  }

  const manifest: BundleManifestV1 = {
    format: 'hepml-bundle',
    formatVersion: 1,
    name,
    task,
    description,
    inputs,
    outputs,
    architecture: { kind: 'mlp', inputSize, layers, parameters },
    weights,
    metrics,
    workingPoints,
    lineage,
    files,
  };
  if (roc) manifest.roc = roc;
  return manifest;
}
