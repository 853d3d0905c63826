/**
 * The baselines of each reference task with their recommended settings, fitted on a sample's
 * training rows: what every leaderboard shows next to the networks. Names, inputs and outputs are
 * those the bundles carry; evaluation and bundling are the caller's (`buildBaselineBundle`).
 */
import {
  at,
  B_TAGGING_VARIABLES,
  BOOSTED_JET_PROCESS,
  BOOSTED_JET_VARIABLES,
  CALO_SHOWER_VARIABLES,
  type ColumnarSample,
  defaultStandardCalibration,
  ELECTRON_ID_VARIABLES,
} from '@hepml/physics';
import type { BundleOutputV1 } from '../bundle/manifest.ts';
import { ModelInputError } from '../errors.ts';
import type { BaselineModel } from '../runtime/baselines/dispatch.ts';
import { ELECTRON_ABS_ETA_EDGES, ELECTRON_ET_EDGES } from './binning.ts';
import { fitCuts } from './cuts.ts';
import { type FitGbdtOptions, fitGbdt } from './gbdt.ts';
import { fitLikelihood } from './likelihood.ts';
import { type FeatureMatrix, sampleMatrix } from './matrix.ts';
import { standardCalibrationFromPhysics } from './standard-calibration.ts';

/** One fitted baseline of a task. */
export interface TaskBaseline {
  /** Bundle name, e.g. `electron-id-likelihood`. */
  name: string;
  description: string;
  model: BaselineModel;
  /** Outputs of its bundle. */
  outputs: BundleOutputV1[];
  /** Wall time of the fit [s]. */
  fitSeconds: number;
}

/** Options of {@link fitTaskBaselines}. */
export interface TaskBaselineOptions {
  /** GBDT boosting rounds (default 100). */
  trees?: number;
}

const SCORE: BundleOutputV1[] = [{ name: 'score', kind: 'score', unit: '1' }];
const ENERGY: BundleOutputV1[] = [{ name: 'energy', kind: 'energy', unit: 'GeV' }];

function timed(f: () => BaselineModel): { model: BaselineModel; fitSeconds: number } {
  const t0 = performance.now();
  const model = f();
  return { model, fitSeconds: (performance.now() - t0) / 1000 };
}

/** Fit settings of the energy-regression GBDT: Huber (δ = 0.05) on E_true/E_raw, output E_raw × correction. */
export const ENERGY_REGRESSION_GBDT_FIT = { objective: 'huber', huberDelta: 0.05, scaleBy: 'eRaw' } as const;

/**
 * Fits the baselines of `task` on `sample`'s rows `trainRows`:
 * - `electron-id`: nested rectangular cuts (inclusive: flat-efficiency cuts per ET × |η| bin
 *   generalise worse at these sample sizes), the ATLAS projective likelihood in ET × |η| bins with
 *   the bin prior, and a binary GBDT on all 22 inputs. The cut and likelihood variables exclude
 *   ET, η and ⟨μ⟩, as ATLAS's do.
 * - `bjet`: cuts, projective likelihood and GBDT on the six ALEPH variables (b against c + light).
 * - `boosted-jet`: a multiclass GBDT (outputs p_qcd, p_w, p_top and w_vs_qcd) on all inputs, and cuts and a
 *   likelihood of W against QCD (top jets left out of their training) on the substructure
 *   variables (not pT, η).
 * - `energy-regression`: the simulation's standard calibration and a Huber GBDT learning
 *   E_true/E_raw (output E_raw × correction, GeV) on the scalar inputs.
 * Unknown tasks are a {@link ModelInputError}.
 */
export function fitTaskBaselines(
  task: string,
  sample: ColumnarSample,
  trainRows: ArrayLike<number>,
  options: TaskBaselineOptions = {},
): TaskBaseline[] {
  const trees = options.trees ?? 100;
  const labelsOf = (rows: ArrayLike<number>): Uint8Array =>
    Uint8Array.from({ length: rows.length }, (_, i) => sample.label[at(rows, i)] as number);
  const gbdt = (
    m: FeatureMatrix,
    target: ArrayLike<number>,
    fit: Omit<FitGbdtOptions, 'inputs' | 'features' | 'n' | 'target'>,
  ): BaselineModel => ({
    kind: 'gbdt',
    params: fitGbdt({ inputs: m.inputs, features: m.features, n: m.n, target, trees, ...fit }),
  });
  if (task === 'electron-id' || task === 'bjet') {
    const inputs = Object.keys(task === 'bjet' ? B_TAGGING_VARIABLES : ELECTRON_ID_VARIABLES);
    const m = sampleMatrix(sample, inputs, trainRows);
    const labels = labelsOf(trainRows);
    const variables = inputs.filter((name) => !['et', 'eta', 'mu'].includes(name));
    const binning =
      task === 'electron-id'
        ? { etInput: 'et', etaInput: 'eta', etEdges: [...ELECTRON_ET_EDGES], absEtaEdges: [...ELECTRON_ABS_ETA_EDGES] }
        : null;
    const common = { inputs, features: m.features, n: m.n, labels, variables };
    return [
      {
        name: `${task}-cuts`,
        description: `Rectangular cuts on ${variables.length} variables, nested levels from εS = 99 % to 10 % (score: levels passed)`,
        outputs: SCORE,
        ...timed(() => ({ kind: 'cuts', params: fitCuts(common) })),
      },
      {
        name: `${task}-likelihood`,
        description: `Projective likelihood of ${variables.length} variables${binning ? ' in ET × |η| bins' : ''}, score d′ = −ln(1/d − 1)/15`,
        outputs: SCORE,
        ...timed(() => ({ kind: 'likelihood', params: fitLikelihood({ ...common, binning }) })),
      },
      {
        name: `${task}-gbdt`,
        description: `Histogram GBDT, ${trees} trees of ≤ 31 leaves, on ${inputs.length} inputs`,
        outputs: SCORE,
        ...timed(() => gbdt(m, labels, { objective: 'binary' })),
      },
    ];
  }
  if (task === 'boosted-jet') {
    const inputs = Object.keys(BOOSTED_JET_VARIABLES);
    const m = sampleMatrix(sample, inputs, trainRows);
    const wRows = Array.from(trainRows).filter((r) => sample.label[r] !== BOOSTED_JET_PROCESS.top);
    const w = sampleMatrix(sample, inputs, wRows);
    const wLabels = Uint8Array.from(wRows, (r) => (sample.label[r] === BOOSTED_JET_PROCESS.w ? 1 : 0));
    const variables = inputs.filter((name) => name !== 'pt' && name !== 'eta');
    const common = { inputs, features: w.features, n: w.n, labels: wLabels, variables };
    const classes = Object.entries(BOOSTED_JET_PROCESS)
      .sort((a, b) => a[1] - b[1])
      .map(([name]): BundleOutputV1 => ({ name: `p_${name}`, kind: 'class-score', unit: '1' }));
    // Scored, as the network is, by the W-against-QCD discriminant p_w/(p_w + p_qcd).
    classes.push({
      name: 'w_vs_qcd',
      kind: 'score',
      unit: '1',
      discriminant: { signal: ['p_w'], background: ['p_qcd'] },
    });
    return [
      {
        name: 'boosted-jet-cuts',
        description: `Rectangular cuts, W against QCD, on ${variables.length} substructure variables (score: levels passed)`,
        outputs: SCORE,
        ...timed(() => ({ kind: 'cuts', params: fitCuts(common) })),
      },
      {
        name: 'boosted-jet-likelihood',
        description: `Projective likelihood, W against QCD, of ${variables.length} substructure variables`,
        outputs: SCORE,
        ...timed(() => ({ kind: 'likelihood', params: fitLikelihood(common) })),
      },
      {
        name: 'boosted-jet-gbdt',
        description: `Multiclass histogram GBDT (QCD, W, top), ${trees} rounds, on ${inputs.length} inputs`,
        outputs: classes,
        ...timed(() => gbdt(m, labelsOf(trainRows), { objective: 'multiclass', numClass: 3 })),
      },
    ];
  }
  if (task === 'energy-regression') {
    const inputs = Object.keys(CALO_SHOWER_VARIABLES);
    const eTrue = sample.truth.eTrue;
    if (!eTrue) throw new ModelInputError('energy-regression needs truth eTrue', { field: 'eTrue' });
    const m = sampleMatrix(sample, inputs, trainRows);
    const target = Float64Array.from({ length: trainRows.length }, (_, i) => eTrue[at(trainRows, i)] as number);
    return [
      {
        name: 'energy-regression-standard',
        description:
          'Standard calibration c(category, |η|)·[1, E_PS, E_acc, E_acc·X, E_acc ln E_acc] of the simulation',
        outputs: ENERGY,
        ...timed(() => ({
          kind: 'standard-calibration',
          params: standardCalibrationFromPhysics(defaultStandardCalibration(), inputs),
        })),
      },
      {
        name: 'energy-regression-gbdt',
        description: `Huber GBDT of E_true/E_raw, ${trees} trees, on ${inputs.length} scalars; output E_raw × correction`,
        outputs: ENERGY,
        ...timed(() => gbdt(m, target, ENERGY_REGRESSION_GBDT_FIT)),
      },
    ];
  }
  throw new ModelInputError(`no baselines for task "${task}"`, { field: 'task' });
}
