import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import { Axis } from '../histogram/axis.ts';
import { passesCutBasedId } from '../sim/electron-id.ts';
import { PAIR_CATEGORY } from '../sim/pair-category.ts';
import type { ColumnarSample } from '../sim/sample.ts';
import { makeProbeSet, type ProbeSet } from './tag-and-probe.ts';

/** A probe selection evaluated on one row of a sample's columns. */
export type ProbeSelection = (columns: Record<string, ArrayLike<number>>, row: number) => boolean;

/** Options of {@link probesFromSimulation}. */
export interface SimulatedProbeOptions {
  /** The selection whose efficiency is measured (default the reference {@link passesCutBasedId}). */
  passes?: ProbeSelection;
  /** Tag definition: minimum tag pT [GeV] (default 25, the generator's own threshold). */
  tagPtMin?: number;
  /** Tag definition: maximum tag |η| (default: no cut beyond the generator's). */
  tagAbsEtaMax?: number;
}

function column(sample: ColumnarSample, name: string): Float32Array {
  const c = sample.columns[name];
  if (!c) throw new PhysicsInputError(`sample has no column ${name}`, { field: name });
  return c;
}

/**
 * Probes of a tag-and-probe sample from `generateTagAndProbe` (one tag and one probe per row; the
 * tag definition is tightened by `tagPtMin` and `tagAbsEtaMax`, which drop rows). The selection is
 * evaluated on the probe's identification variables. Throws {@link PhysicsInputError} for a
 * missing column.
 */
export function probesFromSimulation(sample: ColumnarSample, options: SimulatedProbeOptions = {}): ProbeSet {
  const passes = options.passes ?? passesCutBasedId;
  const tagPtMin = options.tagPtMin ?? 0;
  const tagAbsEtaMax = options.tagAbsEtaMax ?? Number.POSITIVE_INFINITY;
  const tagPt = column(sample, 'tagPt');
  const tagEta = column(sample, 'tagEta');
  const keep: number[] = [];
  for (let i = 0; i < sample.n; i++) {
    if (at(tagPt, i) >= tagPtMin && Math.abs(at(tagEta, i)) < tagAbsEtaMax) keep.push(i);
  }
  const pick = (name: string) => Float64Array.from(keep, (i) => at(column(sample, name), i));
  return makeProbeSet({
    mass: pick('mass'),
    pt: pick('probePt'),
    eta: pick('probeEta'),
    tagCharge: pick('tagCharge'),
    probeCharge: pick('probeCharge'),
    passed: Uint8Array.from(keep, (i) => (passes(sample.columns, i) ? 1 : 0)),
    weight: Float64Array.from(keep, (i) => at(sample.weight, i)),
  });
}

/** True efficiency of one bin with its binomial error. */
export interface TrueEfficiency {
  efficiency: number;
  /** √(ε(1 − ε)/N) with N the number of true Z→ee probes in the bin. */
  error: number;
  /** True Z→ee probes in the bin. */
  count: number;
}

/**
 * The generator-truth efficiency of a selection in measured probe pT × |η| bins: the fraction of
 * probes from real Z→ee pairs (`truth.category` = z) that pass, over all rows (no tag tightening,
 * no mass window: the efficiency the measurement should recover). Indexed `[ptBin][absEtaBin]`;
 * bins lo ≤ x < hi ({@link Axis}), probes outside the edges are not counted (rule `drop`).
 * Throws {@link PhysicsInputError} for bad edges or a sample without `truth.category`.
 */
export function trueEfficiencies(
  sample: ColumnarSample,
  ptEdges: readonly number[],
  absEtaEdges: readonly number[],
  passes: ProbeSelection = passesCutBasedId,
): TrueEfficiency[][] {
  const ptAxis = Axis.variable(ptEdges, { field: 'ptEdges' });
  const absEtaAxis = Axis.variable(absEtaEdges, { field: 'absEtaEdges' });
  const category = sample.truth.category;
  if (!category) throw new PhysicsInputError('sample has no truth.category', { field: 'truth.category' });
  const pt = column(sample, 'probePt');
  const eta = column(sample, 'probeEta');
  const nPt = ptAxis.nBins;
  const nEta = absEtaAxis.nBins;
  const total = new Float64Array(nPt * nEta);
  const passed = new Float64Array(total.length);
  for (let i = 0; i < sample.n; i++) {
    if (category[i] !== PAIR_CATEGORY.z) continue;
    const ip = ptAxis.find(at(pt, i), 'drop');
    const ie = absEtaAxis.find(Math.abs(at(eta, i)), 'drop');
    if (ip < 0 || ie < 0) continue;
    const b = ip * nEta + ie;
    total[b] = at(total, b) + 1;
    if (passes(sample.columns, i)) passed[b] = at(passed, b) + 1;
  }
  return Array.from({ length: nPt }, (_, ip) =>
    Array.from({ length: nEta }, (_, ie) => {
      const n = at(total, ip * nEta + ie);
      const e = n > 0 ? at(passed, ip * nEta + ie) / n : Number.NaN;
      return { efficiency: e, error: n > 0 ? Math.sqrt((e * (1 - e)) / n) : Number.NaN, count: n };
    }),
  );
}
