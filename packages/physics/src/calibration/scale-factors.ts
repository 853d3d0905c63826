import { at } from '../array.ts';
import { PhysicsInputError } from '../errors.ts';
import type { BinEfficiency, ScaleFactorProvenance, ScaleFactorTable } from './scale-factor-table.ts';
import {
  type BackgroundMethod,
  type BackgroundShape,
  type EfficiencyMap,
  type EfficiencyOptions,
  measureEfficiencies,
  outOfRangeWarning,
  type ProbeSet,
  type SignalShape,
} from './tag-and-probe.ts';

/**
 * One varied choice of the measurement for a systematic uncertainty: other tag–probe options
 * (mass window, background method) and/or other probe sets (a different tag definition needs a
 * new pairing, so the caller builds the probes again).
 */
export interface ScaleFactorVariation {
  /** Source of uncertainty, e.g. `mass-window`, `tag`, `background`: variations of one source are alternatives. */
  source: string;
  /** Name of this alternative, e.g. `76-106`. */
  label: string;
  /** Options replacing the nominal ones for data (the binning always stays nominal). */
  options?: Partial<Omit<EfficiencyOptions, 'ptEdges' | 'absEtaEdges'>>;
  /** Options for MC; default: the same replacements as for data, where MC uses data's background method. */
  mcOptions?: Partial<Omit<EfficiencyOptions, 'ptEdges' | 'absEtaEdges'>>;
  /** Probes of data for this variation (default: the nominal ones). */
  data?: ProbeSet;
  /** Probes of MC for this variation (default: the nominal ones). */
  mc?: ProbeSet;
}

/** Arguments of {@link measureScaleFactors}. */
export interface MeasureScaleFactorsArgs {
  /** Name of the working point, e.g. `electron-id-tight`. */
  name: string;
  data: ProbeSet;
  mc: ProbeSet;
  /** Nominal options for data (binning, window, background). */
  options: EfficiencyOptions;
  /** Nominal options for MC where they differ (e.g. `{ background: { kind: 'none' } }`); binning stays. */
  mcOptions?: Partial<Omit<EfficiencyOptions, 'ptEdges' | 'absEtaEdges'>>;
  variations?: readonly ScaleFactorVariation[];
  provenance: ScaleFactorProvenance;
}

/** The scale-factor table with the efficiency maps and SFs of every variation, and all warnings. */
export interface ScaleFactorMeasurement {
  table: ScaleFactorTable;
  data: EfficiencyMap;
  mc: EfficiencyMap;
  /** SF per variation, `[ptBin][absEtaBin]`. */
  variations: { source: string; label: string; values: number[][] }[];
  warnings: string[];
}

/**
 * Data-to-simulation scale factors SF = ε_data/ε_MC in pT × |η| bins by tag-and-probe (see
 * {@link measureEfficiencies}), with
 * - statistical uncertainty σ_stat = SF·√((σ_data/ε_data)² + (σ_MC/ε_MC)²), σ the symmetrised
 *   (mean of lower and upper) 68.3 % error of each efficiency, data and MC independent;
 * - systematic uncertainty per source: the largest |SF_variation − SF_nominal| over that source's
 *   alternatives; total σ_syst = quadrature sum over sources (sources independent). The variations
 *   re-use the same events, so a part of each difference is statistical: this is the usual,
 *   conservative convention (CMS, JINST 10 (2015) P06005, arXiv:1502.02701, section 6.3).
 * Bins where either efficiency is NaN or ε_MC = 0 get SF = NaN (listed in `warnings`). Probes
 * outside the binning are reported for the nominal data and MC (and for a variation's own probes).
 *
 * Throws {@link PhysicsInputError} for bad edges or options (see {@link measureEfficiencies}) or
 * a variation without source or label.
 */
export function measureScaleFactors(args: MeasureScaleFactorsArgs): ScaleFactorMeasurement {
  const nominalData = measureEfficiencies(args.data, args.options);
  const nominalMc = measureEfficiencies(args.mc, { ...args.options, ...args.mcOptions });
  const warnings = [...nominalData.warnings.map((w) => `data: ${w}`), ...nominalMc.warnings.map((w) => `MC: ${w}`)];
  const values = ratio(nominalData.bins, nominalMc.bins);
  const stat = nominalData.bins.map((row, i) =>
    row.map((d, j) => {
      const m = at(at(nominalMc.bins, i), j);
      const sf = at(at(values, i), j);
      const rd = symmetricError(d) / d.value;
      const rm = symmetricError(m) / m.value;
      return Math.abs(sf) * Math.hypot(rd, rm);
    }),
  );
  const variations: ScaleFactorMeasurement['variations'] = [];
  const systBySource: Record<string, number[][]> = {};
  for (const v of args.variations ?? []) {
    if (!v.source || !v.label) {
      throw new PhysicsInputError('a variation needs a source and a label', { field: 'variations' });
    }
    const dataOptions = {
      ...args.options,
      ...v.options,
      ptEdges: args.options.ptEdges,
      absEtaEdges: args.options.absEtaEdges,
    };
    const mcOptions = {
      ...args.options,
      ...args.mcOptions,
      ...(v.mcOptions ?? v.options),
      ptEdges: args.options.ptEdges,
      absEtaEdges: args.options.absEtaEdges,
    };
    const d = measureEfficiencies(v.data ?? args.data, dataOptions);
    const m = measureEfficiencies(v.mc ?? args.mc, mcOptions);
    // Probes outside the binning are reported once for the nominal probes, again only for a variation's own.
    const own = (map: EfficiencyMap, probes: ProbeSet | undefined) =>
      probes === undefined
        ? map.warnings.filter((w) => w !== outOfRangeWarning(map.ptEdges, map.absEtaEdges, map.outOfRange))
        : map.warnings;
    warnings.push(...own(d, v.data).map((w) => `data (${v.source} ${v.label}): ${w}`));
    warnings.push(...own(m, v.mc).map((w) => `MC (${v.source} ${v.label}): ${w}`));
    const sf = ratio(d.bins, m.bins);
    variations.push({ source: v.source, label: v.label, values: sf });
    const current = systBySource[v.source] ?? values.map((row) => row.map(() => 0));
    systBySource[v.source] = current.map((row, i) =>
      row.map((s, j) => Math.max(s, Math.abs(at(at(sf, i), j) - at(at(values, i), j)))),
    );
  }
  const syst = values.map((row, i) =>
    row.map((_, j) => Math.sqrt(Object.values(systBySource).reduce((s, t) => s + at(at(t, i), j) ** 2, 0))),
  );
  values.forEach((row, i) => {
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) {
        warnings.push(
          `SF of pt [${nominalData.ptEdges[i]}, ${nominalData.ptEdges[i + 1]}) GeV, |η| [${nominalData.absEtaEdges[j]}, ${nominalData.absEtaEdges[j + 1]}) is not defined`,
        );
      }
    });
  });
  const table: ScaleFactorTable = {
    name: args.name,
    ptEdges: nominalData.ptEdges,
    absEtaEdges: nominalData.absEtaEdges,
    values,
    stat,
    syst,
    systBySource,
    effData: nominalData.bins,
    effMc: nominalMc.bins,
    provenance: args.provenance,
  };
  return { table, data: nominalData, mc: nominalMc, variations, warnings };
}

const SIGNAL_SHAPES: readonly SignalShape[] = ['crystal-ball', 'gaussian', 'breit-wigner-crystal-ball'];
const BACKGROUND_SHAPES: readonly BackgroundShape[] = ['exponential', 'chebyshev'];

/**
 * The shape systematics of the fit mode: for a nominal `fit` background method, one variation per
 * alternative signal shape (source `signal-shape`: Crystal Ball, Gaussian, Breit–Wigner ⊗ Crystal
 * Ball, less the nominal one) and per alternative background shape (source `background-shape`:
 * exponential, Chebyshev, less the nominal), everything else as nominal. With
 * {@link measureScaleFactors} the systematic of a source is the largest shift of the SF over its
 * alternatives (CMS, JINST 10 (2015) P06005, section 6.3: "signal and background shapes").
 * `mcBackground` is MC's nominal background method where it differs (e.g. `none` for simulation):
 * MC then keeps it in every variation.
 */
export function fitShapeVariations(
  nominal: Extract<BackgroundMethod, { kind: 'fit' }>,
  mcBackground?: BackgroundMethod,
): ScaleFactorVariation[] {
  const signal = nominal.signal ?? 'crystal-ball';
  const background = nominal.backgroundShape ?? 'exponential';
  const mc = mcBackground && mcBackground.kind !== 'fit' ? { mcOptions: { background: mcBackground } } : {};
  return [
    ...SIGNAL_SHAPES.filter((s) => s !== signal).map((s) => ({
      source: 'signal-shape',
      label: s,
      options: { background: { ...nominal, signal: s } },
      ...mc,
    })),
    ...BACKGROUND_SHAPES.filter((b) => b !== background).map((b) => ({
      source: 'background-shape',
      label: b,
      options: { background: { ...nominal, backgroundShape: b } },
      ...mc,
    })),
  ];
}

/** Half the width of the efficiency interval, (errorLow + errorHigh)/2. */
export function symmetricError(e: BinEfficiency): number {
  return 0.5 * (e.errorLow + e.errorHigh);
}

function ratio(data: BinEfficiency[][], mc: BinEfficiency[][]): number[][] {
  return data.map((row, i) =>
    row.map((d, j) => {
      const m = at(at(mc, i), j).value;
      return m > 0 && Number.isFinite(d.value) ? d.value / m : Number.NaN;
    }),
  );
}
