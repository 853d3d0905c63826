/**
 * One entry point for the bundle runtime (Workers-safe): reads a baseline's JSON parameter file by
 * the manifest's `architecture.kind`, checks it against the manifest, and returns an evaluator on
 * raw rows. `createRunner` (runtime/runner.ts) dispatches the baseline kinds here.
 */
import { type BaselineArchitectureV1, type BundleManifestV1, modelOutputs } from '../../bundle/manifest.ts';
import { BundleError } from '../../errors.ts';
import { type CutsParams, evaluateCuts, parseCuts } from './cuts.ts';
import { evaluateGbdt } from './gbdt.ts';
import { type GbdtParams, parseGbdt } from './gbdt-format.ts';
import { evaluateLikelihood, type LikelihoodParams, parseLikelihood } from './likelihood.ts';
import {
  evaluateStandardCalibration,
  parseStandardCalibration,
  type StandardCalibrationParams,
} from './standard-calibration.ts';

/** A fitted baseline of any kind. */
export type BaselineModel =
  | { kind: 'cuts'; params: CutsParams }
  | { kind: 'likelihood'; params: LikelihoodParams }
  | { kind: 'gbdt'; params: GbdtParams }
  | { kind: 'standard-calibration'; params: StandardCalibrationParams };

/** Kind of a baseline. */
export type BaselineKind = BaselineModel['kind'];

/** The JSON schema (`architecture.format`) of each kind. */
export const BASELINE_FORMATS: Readonly<Record<BaselineKind, string>> = {
  cuts: 'hepml-cuts/1',
  likelihood: 'hepml-likelihood/1',
  gbdt: 'hepml-gbdt/1',
  'standard-calibration': 'hepml-standard-calibration/1',
};

/** A baseline ready to evaluate raw rows. */
export interface BaselineEvaluator {
  readonly kind: BaselineKind;
  /** Input names, in feature-column order. */
  readonly inputs: readonly string[];
  readonly inputSize: number;
  /** Outputs per row (K class probabilities for a multiclass GBDT, else 1). */
  readonly outputSize: number;
  /** n × outputSize values for n raw rows (row-major n × inputSize). */
  evaluate(features: Float32Array, n: number, out?: Float32Array): Float32Array;
}

/** Reads a parameter file's JSON value as a baseline of the given kind (strict; BundleError). */
export function parseBaseline(kind: BaselineKind, json: unknown): BaselineModel {
  switch (kind) {
    case 'cuts':
      return { kind, params: parseCuts(json) };
    case 'likelihood':
      return { kind, params: parseLikelihood(json) };
    case 'gbdt':
      return { kind, params: parseGbdt(json) };
    case 'standard-calibration':
      return { kind, params: parseStandardCalibration(json) };
    default:
      throw new BundleError(`unknown baseline kind "${kind as string}"`, { field: 'architecture.kind' });
  }
}

/** Evaluates a baseline on raw rows: n × {@link baselineOutputSize} values. */
export function evaluateBaseline(
  model: BaselineModel,
  features: Float32Array,
  n: number,
  out?: Float32Array,
  kernels: 'auto' | 'ts' = 'auto',
): Float32Array {
  switch (model.kind) {
    case 'cuts':
      return evaluateCuts(model.params, features, n, out);
    case 'likelihood':
      return evaluateLikelihood(model.params, features, n, out);
    case 'gbdt':
      return evaluateGbdt(model.params, features, n, out, kernels);
    case 'standard-calibration':
      return evaluateStandardCalibration(model.params, features, n, out);
  }
}

/** Outputs per row of a baseline. */
export function baselineOutputSize(model: BaselineModel): number {
  return model.kind === 'gbdt' ? model.params.numClass : 1;
}

/**
 * Wraps a parsed baseline as an evaluator; `kernels: 'ts'` keeps the GBDT off the wasm kernel (the
 * other kinds have none).
 */
export function baselineEvaluator(model: BaselineModel, kernels: 'auto' | 'ts' = 'auto'): BaselineEvaluator {
  const inputs = model.params.inputs;
  return {
    kind: model.kind,
    inputs,
    inputSize: inputs.length,
    outputSize: baselineOutputSize(model),
    evaluate: (features, n, out) => evaluateBaseline(model, features, n, out, kernels),
  };
}

/**
 * Loads the baseline of a validated manifest from the bytes of its `weights` file: the kind must be
 * a baseline kind and `architecture.format` its schema; the file must be UTF-8 JSON of that schema
 * whose inputs are the manifest's, in order, taken raw (offset 0, scale 1: baselines are fitted on
 * raw values); the output count must match the manifest's outputs. Errors are {@link BundleError}s
 * naming the manifest field or, inside the file, `<weights file>: <JSON path>`.
 */
export function loadBaselineFromManifest(
  manifest: BundleManifestV1,
  bytes: Uint8Array,
  kernels: 'auto' | 'ts' = 'auto',
): BaselineEvaluator {
  const arch = manifest.architecture as BaselineArchitectureV1;
  const kind = arch.kind as BaselineKind;
  const format = BASELINE_FORMATS[kind];
  if (format === undefined)
    throw new BundleError(`architecture.kind "${arch.kind}" is not a baseline`, { field: 'architecture.kind' });
  if (arch.format !== format) {
    throw new BundleError(`architecture.format: must be "${format}" for kind "${kind}"`, {
      field: 'architecture.format',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch (cause) {
    throw new BundleError(`${manifest.weights}: not valid UTF-8 JSON`, { field: manifest.weights, cause });
  }
  let model: BaselineModel;
  try {
    model = parseBaseline(kind, json);
  } catch (e) {
    if (e instanceof BundleError) {
      const field = e.field ? `${manifest.weights}: ${e.field}` : manifest.weights;
      throw new BundleError(`${manifest.weights}: ${e.message}`, { field, cause: e });
    }
    throw e;
  }
  const evaluator = baselineEvaluator(model, kernels);
  const names = manifest.inputs.map((i) => i.name);
  if (names.length !== evaluator.inputs.length || names.some((name, k) => name !== evaluator.inputs[k])) {
    throw new BundleError(
      `inputs: the manifest lists [${names.join(', ')}], ${manifest.weights} reads [${evaluator.inputs.join(', ')}]`,
      {
        field: 'inputs',
      },
    );
  }
  manifest.inputs.forEach((input, k) => {
    if (input.offset !== 0)
      throw new BundleError(`inputs[${k}].offset: must be 0 for a baseline (raw inputs)`, {
        field: `inputs[${k}].offset`,
      });
    if (input.scale !== 1)
      throw new BundleError(`inputs[${k}].scale: must be 1 for a baseline (raw inputs)`, {
        field: `inputs[${k}].scale`,
      });
    if (input.transform)
      throw new BundleError(`inputs[${k}].transform: a baseline reads raw inputs (it has its own cuts and bins)`, {
        field: `inputs[${k}].transform`,
      });
  });
  const own = modelOutputs(manifest.outputs).length;
  if (own !== evaluator.outputSize) {
    throw new BundleError(`outputs: lists ${own} outputs, the ${kind} baseline gives ${evaluator.outputSize}`, {
      field: 'outputs',
    });
  }
  return evaluator;
}
