/**
 * Bundles for the baselines: the manifest (architecture `{kind, parameters, format}`, raw inputs)
 * and the JSON parameter file, assembled and validated by `bundle/build.ts`.
 */
import { type Bundle, buildBundle } from '../bundle/build.ts';
import type { EvaluationV1 } from '../bundle/evaluation.ts';
import { type BundleInputV1, type BundleManifestV1, type BundleOutputV1, modelOutputs } from '../bundle/manifest.ts';
import { BundleError } from '../errors.ts';
import { inputDescription } from '../input-descriptions.ts';
import { cutsParameterCount, serializeCuts } from '../runtime/baselines/cuts.ts';
import { BASELINE_FORMATS, type BaselineModel, baselineOutputSize } from '../runtime/baselines/dispatch.ts';
import { gbdtParameterCount, serializeGbdt } from '../runtime/baselines/gbdt-format.ts';
import { likelihoodParameterCount, serializeLikelihood } from '../runtime/baselines/likelihood.ts';
import {
  serializeStandardCalibration,
  standardCalibrationParameterCount,
} from '../runtime/baselines/standard-calibration.ts';

/** Options of {@link buildBaselineBundle}. */
export interface BaselineBundleOptions {
  /** Bundle name, `[a-z0-9][a-z0-9._-]{0,63}`. */
  name: string;
  task: string;
  description: string;
  model: BaselineModel;
  /** Unit of each input by name (`GeV`, `rad`, `mm`, `1`; default `1`), e.g. a sample's `units`. */
  units?: Readonly<Record<string, string>>;
  /** Description of inputs by name. */
  inputDescriptions?: Readonly<Record<string, string>>;
  /**
   * Outputs (default: `score` for classifiers, `p_<k>` class scores for a multiclass GBDT, and
   * `energy` [GeV] for regression).
   */
  outputs?: BundleOutputV1[];
  metrics?: Record<string, number>;
  workingPoints?: BundleManifestV1['workingPoints'];
  roc?: BundleManifestV1['roc'];
  evaluation?: EvaluationV1;
  lineage: BundleManifestV1['lineage'];
}

/** The JSON value of a baseline's parameter file. */
export function serializeBaseline(model: BaselineModel): unknown {
  switch (model.kind) {
    case 'cuts':
      return serializeCuts(model.params);
    case 'likelihood':
      return serializeLikelihood(model.params);
    case 'gbdt':
      return serializeGbdt(model.params);
    case 'standard-calibration':
      return serializeStandardCalibration(model.params);
  }
}

/** Free parameters of a baseline (`architecture.parameters`). */
export function baselineParameterCount(model: BaselineModel): number {
  switch (model.kind) {
    case 'cuts':
      return cutsParameterCount(model.params);
    case 'likelihood':
      return likelihoodParameterCount(model.params);
    case 'gbdt':
      return gbdtParameterCount(model.params);
    case 'standard-calibration':
      return standardCalibrationParameterCount(model.params);
  }
}

function defaultOutputs(model: BaselineModel): BundleOutputV1[] {
  if (model.kind === 'standard-calibration') return [{ name: 'energy', kind: 'energy', unit: 'GeV' }];
  if (model.kind === 'gbdt') {
    const o = model.params.objective;
    if (o === 'l2' || o === 'huber') return [{ name: 'energy', kind: 'energy', unit: 'GeV' }];
    if (o === 'multiclass') {
      return Array.from({ length: model.params.numClass }, (_, k) => ({
        name: `p_${k}`,
        kind: 'class-score' as const,
        unit: '1',
      }));
    }
  }
  return [{ name: 'score', kind: 'score', unit: '1' }];
}

/**
 * Builds the bundle of a fitted baseline: inputs in the baseline's order with offset 0 and scale 1
 * (baselines read raw values), the parameter file `<kind>.json` (UTF-8 JSON, format
 * `hepml-<kind>/1`), architecture `{kind, parameters, format}`; the manifest is validated strictly
 * by `buildBundle` (a BundleError naming the field when something does not fit).
 */
export async function buildBaselineBundle(options: BaselineBundleOptions): Promise<Bundle> {
  const { model } = options;
  const inputs: BundleInputV1[] = model.params.inputs.map((name) => {
    const input: BundleInputV1 = {
      name,
      unit: options.units?.[name] ?? '1',
      offset: 0,
      scale: 1,
      ...inputDescription(name),
    };
    const description = options.inputDescriptions?.[name];
    if (description !== undefined) input.description = description;
    return input;
  });
  const outputs = options.outputs ?? defaultOutputs(model);
  const weights = `${model.kind}.json`;
  const manifest: Omit<BundleManifestV1, 'files'> = {
    format: 'hepml-bundle',
    formatVersion: 1,
    name: options.name,
    task: options.task,
    description: options.description,
    inputs,
    outputs,
    architecture: { kind: model.kind, parameters: baselineParameterCount(model), format: BASELINE_FORMATS[model.kind] },
    weights,
    metrics: options.metrics ?? {},
    workingPoints: options.workingPoints ?? [],
    lineage: options.lineage,
  };
  if (options.roc) manifest.roc = options.roc;
  if (options.evaluation) manifest.evaluation = options.evaluation;
  const own = modelOutputs(outputs).length;
  if (own !== baselineOutputSize(model)) {
    // Caught here rather than at load time: the runtime would refuse the bundle.
    throw new BundleError(`outputs: ${own} given, the ${model.kind} baseline gives ${baselineOutputSize(model)}`, {
      field: 'outputs',
    });
  }
  const bytes = new TextEncoder().encode(JSON.stringify(serializeBaseline(model)));
  return buildBundle(manifest, new Map([[weights, bytes]]));
}
