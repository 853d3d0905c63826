/**
 * The ET × |η| binning of the ATLAS electron identification (Eur. Phys. J. C 79 (2019) 639,
 * arXiv:1902.04655, Sect. 6) as the binned baselines evaluate it and write it (Workers-safe).
 */
import { Axis, at } from '@hepml/physics';
import { z } from 'zod';
import { edgesV1, type FormatProblem, inputNameProblem } from './format.ts';

/**
 * ET × |η| binning: bins [etEdges[i], etEdges[i+1]) × [absEtaEdges[j], absEtaEdges[j+1]); values
 * below the first or from the last edge on fall into the first or last bin (under- and overflow are
 * kept, not dropped: `Axis.find` with `clamp`). Bin index = i · (absEtaEdges.length − 1) + j.
 */
export interface EtEtaBinning {
  /** Index of the ET input [GeV] in the model's inputs. */
  et: number;
  /** Index of the η input in the model's inputs (|η| is binned). */
  eta: number;
  /** ET edges [GeV], strictly increasing, at least 2. */
  etEdges: number[];
  /** |η| edges, strictly increasing, at least 2, the first ≥ 0. */
  absEtaEdges: number[];
}

/** JSON form of an {@link EtEtaBinning}: inputs by name (the names are checked against the file's inputs). */
export const EtEtaBinningV1 = z.strictObject({
  etInput: z.string(),
  etaInput: z.string(),
  etEdges: edgesV1(2),
  absEtaEdges: edgesV1(2).refine((edges) => edges.length === 0 || at(edges, 0) >= 0, {
    path: [0],
    message: 'must be ≥ 0',
  }),
});
export type EtEtaBinningV1 = z.infer<typeof EtEtaBinningV1>;

/** Number of ET × |η| bins (1 without a binning). */
export function etEtaBinCount(binning: Pick<EtEtaBinning, 'etEdges' | 'absEtaEdges'> | null): number {
  return binning ? (binning.etEdges.length - 1) * (binning.absEtaEdges.length - 1) : 1;
}

type EtEtaLookup = (features: ArrayLike<number>, row: number, d: number) => number;

/** Lookups by binning, built on first use: binnings are not changed after fitting or parsing. */
const lookups = new WeakMap<EtEtaBinning, EtEtaLookup>();

/**
 * The ET × |η| bin of row `row` of a row-major matrix with `d` columns, with the axes built once
 * per binning (0 without a binning). Out of range values are clamped into the edge bins; NaN goes
 * into the first bin.
 */
export function etEtaBinLookup(binning: EtEtaBinning | null): EtEtaLookup {
  if (!binning) return () => 0;
  let lookup = lookups.get(binning);
  if (!lookup) {
    lookup = buildLookup(binning);
    lookups.set(binning, lookup);
  }
  return lookup;
}

function buildLookup(binning: EtEtaBinning): EtEtaLookup {
  const et = Axis.variable(binning.etEdges, { field: 'binning.etEdges' });
  const absEta = Axis.variable(binning.absEtaEdges, { field: 'binning.absEtaEdges' });
  const nEta = absEta.nBins;
  const { et: etColumn, eta: etaColumn } = binning;
  return (features, row, d) => {
    const i = et.find(at(features, row * d + etColumn), 'clamp');
    const j = absEta.find(Math.abs(at(features, row * d + etaColumn)), 'clamp');
    return Math.max(i, 0) * nEta + Math.max(j, 0);
  };
}

/** ET × |η| bin of one row (see {@link etEtaBinLookup}, which builds the axes once for many rows). */
export function etEtaBin(binning: EtEtaBinning | null, features: ArrayLike<number>, row: number, d: number): number {
  return etEtaBinLookup(binning)(features, row, d);
}

export function serializeEtEtaBinning(binning: EtEtaBinning | null, inputs: readonly string[]): EtEtaBinningV1 | null {
  if (!binning) return null;
  return {
    etInput: at(inputs, binning.et),
    etaInput: at(inputs, binning.eta),
    etEdges: [...binning.etEdges],
    absEtaEdges: [...binning.absEtaEdges],
  };
}

/** The fields the files of the binned classifiers (cuts, likelihood) share. */
export interface BinnedFileV1 {
  inputs: string[];
  binning: EtEtaBinningV1 | null;
  /** Names of the variables the classifier reads, in its order. */
  variables: string[];
  /** One entry per ET × |η| bin. */
  bins: readonly unknown[];
}

/**
 * The first problem of those fields — a binning or variable that names no input, no variables, a
 * bin count that is not the binning's — or null.
 */
export function binnedFileProblem(file: BinnedFileV1): FormatProblem | null {
  const { inputs, binning } = file;
  const named = [
    ...(binning
      ? ([
          [binning.etInput, ['binning', 'etInput']],
          [binning.etaInput, ['binning', 'etaInput']],
        ] as const)
      : []),
    ...file.variables.map((name, v) => [name, ['variables', v]] as const),
  ];
  for (const [name, path] of named) {
    const problem = inputNameProblem(inputs, name, [...path]);
    if (problem) return problem;
  }
  if (file.variables.length === 0) return { path: ['variables'], message: 'must not be empty' };
  const count = etEtaBinCount(binning);
  return file.bins.length === count
    ? null
    : { path: ['bins'], message: `must have ${count} entries, has ${file.bins.length}` };
}

/** Inputs, binning and variables (names resolved to input indices) of a validated binned file. */
export function binnedFromFile(file: BinnedFileV1): {
  inputs: string[];
  binning: EtEtaBinning | null;
  variables: number[];
} {
  const { inputs, binning } = file;
  return {
    inputs,
    binning: binning && {
      et: inputs.indexOf(binning.etInput),
      eta: inputs.indexOf(binning.etaInput),
      etEdges: [...binning.etEdges],
      absEtaEdges: [...binning.absEtaEdges],
    },
    variables: file.variables.map((name) => inputs.indexOf(name)),
  };
}
