/**
 * The dashboard's HEP plots as {@link PlotSpec}s, built from what the registry and the bundle's
 * evaluation store: ROC curves (1/εB on a log axis, ratio to a reference), the TMVA-style
 * overtraining plot, efficiencies of data and MC with the SF ratio, SF per |η| bin with stat and
 * stat⊕syst bands, and the energy resolution against E_true.
 */
import type { OvertrainingV1, RegressionBinV1 } from '@hepml/models/bundle';
import { clopperPearsonInterval } from '@hepml/physics';
import { fmt } from '../format';
import { OKABE_ITO, seriesColour } from '../palette';
import type { PlotLayer, PlotSpec, Values } from './spec';

const [BLUE, VERMILLION] = OKABE_ITO as [string, string];

/** One ROC curve on the common εS grid: 1/εB (null where undefined) and the legend's AUC. */
export interface RocInput {
  label: string;
  colour: string;
  rejection: Values;
  auc?: number;
  baseline?: boolean;
}

/**
 * ROC curves as HEP draws them: background rejection 1/εB on a log axis against εS, the AUC in the
 * legend; with `ratio`, a panel underneath of each curve's 1/εB over the first curve's.
 */
export function rocPlot(args: {
  name: string;
  grid: readonly number[];
  curves: readonly RocInput[];
  ratio?: boolean;
}): PlotSpec {
  const { grid, curves } = args;
  const layer = (c: RocInput): PlotLayer => ({
    kind: 'line',
    label: `${c.label}${c.auc !== undefined ? `, AUC = ${fmt(c.auc, 4)}` : ''}`,
    colour: c.colour,
    x: grid,
    y: c.rejection,
    ...(c.baseline ? { dash: [8, 5] } : {}),
  });
  const ref = curves[0];
  return {
    name: args.name,
    title: 'ROC curves',
    caption: `Background rejection 1/εB (log scale) against signal efficiency εS on the test split, ${curves.length} curve${curves.length === 1 ? '' : 's'}${curves.some((c) => c.baseline) ? ', baselines dashed' : ''}${args.ratio && ref ? `; underneath, each curve's 1/εB divided by that of ${ref.label}` : ''}.`,
    x: { label: 'signal efficiency εS', min: grid[0], max: grid[grid.length - 1] },
    main: { y: { label: 'background rejection 1/εB', log: true }, layers: curves.map(layer) },
    ...(args.ratio && ref
      ? {
          ratio: {
            y: { label: 'ratio to first' },
            reference: 1,
            layers: curves.slice(1).map(
              (c): PlotLayer => ({
                kind: 'line',
                label: '',
                colour: c.colour,
                x: grid,
                y: c.rejection.map((r, i) => {
                  const r0 = ref.rejection[i];
                  return r !== null && r0 !== null && r0 !== undefined && r0 > 0 ? r / r0 : null;
                }),
                ...(c.baseline ? { dash: [8, 5] } : {}),
              }),
            ),
          },
        }
      : {}),
  };
}

/**
 * The overlap Σᵢ min(sᵢ, bᵢ) of two normalised histograms on the same bins: 1 for identical
 * shapes, 0 for classes that never share a bin.
 */
export function histogramOverlap(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, x, i) => s + Math.min(x, b[i] ?? 0), 0);
}

/** Below this overlap of the training signal and background the overtraining plot's y axis is log. */
export const SEPARATED_OVERLAP = 0.05;

/**
 * The binomial 68.3 % interval of a bin's fraction `f` of `events` events: Clopper–Pearson on
 * round(f·N) of N (N rounded; for weighted samples N is Kish's effective number). Null without N.
 */
export function fractionInterval(f: number, events: number | undefined): [number, number] | null {
  const total = Math.round(events ?? 0);
  if (total <= 0) return null;
  const passed = Math.min(total, Math.max(0, Math.round(f * total)));
  const { lower, upper } = clopperPearsonInterval(passed, total);
  // The interval is of round(f·N)/N; shift it onto f itself so the point sits inside its bar.
  const shift = f - passed / total;
  return [Math.max(0, lower + shift), upper + shift];
}

/**
 * The TMVA overtraining plot: training scores as filled histograms, test scores as points with
 * Clopper–Pearson error bars (when the bundle stores the numbers of events), signal blue and
 * background vermillion, the KS p-values in the legend; log-y when the classes separate (overlap of
 * the training shapes below {@link SEPARATED_OVERLAP}).
 */
export function overtrainingPlot(name: string, o: OvertrainingV1): PlotSpec {
  const h = o.histograms;
  const centres = h.edges.slice(0, -1).map((lo, i) => (lo + (h.edges[i + 1] ?? lo)) / 2);
  const log = histogramOverlap(h.trainSignal, h.trainBackground) < SEPARATED_OVERLAP;
  const points = (
    label: string,
    fractions: readonly number[],
    events: number | undefined,
    colour: string,
  ): PlotLayer => {
    const bars = fractions.map((f) => fractionInterval(f, events));
    return {
      kind: 'points',
      label,
      colour,
      x: centres,
      y: fractions.map((f) => (log && f <= 0 ? null : f)),
      yLow: bars.map((b) => b?.[0] ?? null),
      yHigh: bars.map((b) => b?.[1] ?? null),
    };
  };
  const ev = o.events;
  return {
    name,
    title: 'Overtraining check',
    caption: `Classifier score of training events (filled histograms) and test events (points${ev ? ' with 68.3 % Clopper–Pearson error bars' : '; no event counts stored, so no error bars'}), signal blue, background vermillion, each normalised to unit area; y axis ${log ? 'logarithmic because the classes separate' : 'linear'}. KS p-values: signal ${fmt(o.signal.pValue, 3)}, background ${fmt(o.background.pValue, 3)}.`,
    x: { label: 'classifier score [1]', min: h.edges[0], max: h.edges[h.edges.length - 1] },
    main: {
      y: { label: 'fraction of events per bin', log, ...(log ? {} : { min: 0 }) },
      layers: [
        { kind: 'hist', label: 'signal, training', colour: BLUE, edges: h.edges, y: h.trainSignal, fill: true },
        {
          kind: 'hist',
          label: 'background, training',
          colour: VERMILLION,
          edges: h.edges,
          y: h.trainBackground,
          fill: true,
        },
        points(`signal, test (KS p = ${fmt(o.signal.pValue, 3)})`, h.testSignal, ev?.testSignal, BLUE),
        points(
          `background, test (KS p = ${fmt(o.background.pValue, 3)})`,
          h.testBackground,
          ev?.testBackground,
          VERMILLION,
        ),
      ],
    },
  };
}

/** An efficiency with its 68.3 % interval (absolute edges), as the scale-factor tables store it. */
export interface EfficiencyPoint {
  value: number;
  low: number | null;
  high: number | null;
}

/** The cells a calibration plot needs: SF with stat and syst, efficiencies in data and MC. */
export interface CalibrationCell {
  value: number;
  stat: number;
  syst: number;
  data: EfficiencyPoint | null;
  mc: EfficiencyPoint | null;
}

/** A working point's grid: pT edges [GeV] (null: open last bin), |η| edges, cells [pT bin][|η| bin]. */
export interface CalibrationGrid {
  workingPoint: string;
  ptEdges: readonly (number | null)[];
  absEtaEdges: readonly number[];
  cells: readonly (readonly (CalibrationCell | null)[])[];
}

/**
 * The drawn pT range of each bin [GeV]: its edges, an open last bin as wide as the one before it.
 */
export function ptBins(edges: readonly (number | null)[]): { lo: number; hi: number; centre: number }[] {
  return edges.slice(0, -1).map((e, i) => {
    const lo = e ?? 0;
    const next = edges[i + 1];
    const prev = i > 0 ? (edges[i - 1] ?? 0) : 0;
    const hi = next === null || next === undefined ? lo + (lo - prev || lo) : next;
    return { lo, hi, centre: (lo + hi) / 2 };
  });
}

const etaLabel = (edges: readonly number[], j: number) => `${edges[j]} ≤ |η| < ${edges[j + 1]}`;

/**
 * Efficiency against probe pT per |η| bin: data as filled points, MC as open points, each with its
 * stored 68.3 % interval and the bin width; underneath, the ratio SF = ε_data/ε_MC with its
 * statistical uncertainty, per |η| bin in the same colour.
 */
export function efficiencyPlot(name: string, grid: CalibrationGrid): PlotSpec {
  const bins = ptBins(grid.ptEdges);
  const etaBins = grid.absEtaEdges.slice(0, -1).map((_, j) => j);
  const x = bins.map((b) => b.centre);
  const xLow = bins.map((b) => b.lo);
  const xHigh = bins.map((b) => b.hi);
  const eff = (j: number, which: 'data' | 'mc', label: string): PlotLayer => {
    const pts = grid.cells.map((row) => row[j]?.[which] ?? null);
    return {
      kind: 'points',
      label,
      colour: seriesColour(j),
      marker: which === 'data' ? 'circle' : 'open-circle',
      x,
      xLow,
      xHigh,
      y: pts.map((p) => p?.value ?? null),
      yLow: pts.map((p) => p?.low ?? null),
      yHigh: pts.map((p) => p?.high ?? null),
    };
  };
  const withIntervals = grid.cells.some((row) => row.some((c) => c?.data?.low !== null && c?.data?.low !== undefined));
  return {
    name,
    title: `Efficiency of ${grid.workingPoint}: data and MC`,
    caption: `Efficiency of the ${grid.workingPoint} working point against probe pT [GeV], data filled and simulation open markers, one colour per |η| bin (${etaBins.length} bins), ${withIntervals ? 'with the measurement’s 68.3 % intervals as error bars' : 'without intervals (none stored)'} and the pT bin width as horizontal bars; underneath, the scale factor SF = ε_data/ε_MC with its statistical uncertainty.`,
    x: { label: 'probe pT [GeV]' },
    main: {
      y: { label: 'efficiency ε' },
      layers: etaBins.flatMap((j) => [
        eff(j, 'data', `data, ${etaLabel(grid.absEtaEdges, j)}`),
        eff(j, 'mc', `MC, ${etaLabel(grid.absEtaEdges, j)}`),
      ]),
    },
    ratio: {
      y: { label: 'data/MC (SF)' },
      reference: 1,
      layers: etaBins.map((j): PlotLayer => {
        const cells = grid.cells.map((row) => row[j] ?? null);
        return {
          kind: 'points',
          label: '',
          colour: seriesColour(j),
          x,
          xLow,
          xHigh,
          y: cells.map((c) => c?.value ?? null),
          yLow: cells.map((c) => (c ? c.value - c.stat : null)),
          yHigh: cells.map((c) => (c ? c.value + c.stat : null)),
        };
      }),
    },
  };
}

/**
 * SF against probe pT in one |η| bin: the stat⊕syst band (√(stat² + syst²)) and the stat band as
 * boxes over each pT bin, the SF as points, and the line SF = 1.
 */
export function scaleFactorPlot(name: string, grid: CalibrationGrid, j: number): PlotSpec {
  const bins = ptBins(grid.ptEdges);
  const cells = grid.cells.map((row) => row[j] ?? null);
  const total = cells.map((c) => (c ? Math.hypot(c.stat, c.syst) : null));
  const xLow = bins.map((b) => b.lo);
  const xHigh = bins.map((b) => b.hi);
  const band = (label: string, colour: string, width: (number | null)[], opacity: number): PlotLayer => ({
    kind: 'boxes',
    label,
    colour,
    xLow,
    xHigh,
    yLow: cells.map((c, i) => (c && width[i] !== null ? c.value - (width[i] ?? 0) : null)),
    yHigh: cells.map((c, i) => (c && width[i] !== null ? c.value + (width[i] ?? 0) : null)),
    opacity,
  });
  const eta = etaLabel(grid.absEtaEdges, j);
  return {
    name,
    title: `SF of ${grid.workingPoint}, ${eta}`,
    caption: `Scale factor SF = ε_data/ε_MC of the ${grid.workingPoint} working point against probe pT [GeV] for ${eta}: points at the measured SF, the inner band its statistical uncertainty, the outer band stat ⊕ syst (√(stat² + syst²)), the dashed line SF = 1.`,
    x: { label: 'probe pT [GeV]' },
    main: {
      y: { label: 'SF = ε_data/ε_MC' },
      reference: 1,
      layers: [
        band('stat ⊕ syst', '#F2D27A', total, 1),
        band(
          'stat',
          '#8CC5EC',
          cells.map((c) => c?.stat ?? null),
          1,
        ),
        {
          kind: 'points',
          label: 'SF',
          colour: '#000000',
          x: bins.map((b) => b.centre),
          xLow,
          xHigh,
          y: cells.map((c) => c?.value ?? null),
          yLow: cells.map(() => null),
          yHigh: cells.map(() => null),
        },
      ],
    },
  };
}

/**
 * Standard error of an eIQR estimated from n Gaussian events: the IQR's asymptotic standard error
 * is 1.573 σ/√n (quantiles q₂₅, q₇₅ with density φ(0.674)/σ), so σ(eIQR) ≈ (1.573/1.349)·eIQR/√n.
 */
export function eIqrError(eIqr: number, n: number): number {
  return n > 0 ? ((1.573 / 1.349) * eIqr) / Math.sqrt(n) : Number.NaN;
}

/** One estimator's resolution in E_true bins: the evaluation's bins of `eTrue` and which side to read. */
export interface ResolutionInput {
  label: string;
  colour: string;
  bins: readonly RegressionBinV1[];
  side: 'model' | 'standard';
  marker?: 'circle' | 'open-circle' | 'square' | 'triangle';
}

/**
 * Resolution against true energy: eIQR of E_reco/E_true in E_true bins (log-x, GeV) for each
 * estimator, with the Gaussian standard error ({@link eIqrError}) and the bin width; underneath,
 * each model's eIQR over the standard calibration's on the same events (rIQR; the errors added in
 * quadrature as if independent, which overstates them). The first input whose side is `standard`
 * is the reference.
 */
export function resolutionPlot(name: string, inputs: readonly ResolutionInput[]): PlotSpec {
  const energyBins = (bins: readonly RegressionBinV1[]) => bins.filter((b) => b.variable === 'eTrue');
  const layer = (r: ResolutionInput): PlotLayer => {
    const bins = energyBins(r.bins);
    return {
      kind: 'points',
      label: r.label,
      colour: r.colour,
      marker: r.marker ?? 'circle',
      x: bins.map((b) => Math.sqrt(b.lo * b.hi)),
      xLow: bins.map((b) => b.lo),
      xHigh: bins.map((b) => b.hi),
      y: bins.map((b) => b[r.side].eIqr),
      yLow: bins.map((b) => b[r.side].eIqr - eIqrError(b[r.side].eIqr, b.n)),
      yHigh: bins.map((b) => b[r.side].eIqr + eIqrError(b[r.side].eIqr, b.n)),
    };
  };
  const models = inputs.filter((r) => r.side === 'model');
  const standard = inputs.find((r) => r.side === 'standard');
  return {
    name,
    title: 'Energy resolution against E_true',
    caption: `Effective resolution eIQR = IQR(E_reco/E_true)/1.349 in bins of true energy E_true [GeV] (log scale) for ${inputs.map((i) => i.label).join(', ')}, error bars the Gaussian standard error 1.166·eIQR/√n, horizontal bars the bin width${standard ? '; underneath, each model’s eIQR over the standard calibration’s (rIQR, below 1 is better)' : ''}.`,
    x: { label: 'E_true [GeV]', log: true },
    main: { y: { label: 'eIQR of E_reco/E_true', min: 0 }, layers: inputs.map(layer) },
    ...(standard
      ? {
          ratio: {
            y: { label: 'rIQR' },
            reference: 1,
            layers: models.map((m): PlotLayer => {
              const bins = energyBins(m.bins);
              const ref = new Map(energyBins(standard.bins).map((b) => [`${b.lo}-${b.hi}`, b]));
              const ratio = bins.map((b) => {
                const s = ref.get(`${b.lo}-${b.hi}`);
                if (!s || s.standard.eIqr <= 0) return null;
                const r = b.model.eIqr / s.standard.eIqr;
                const e =
                  r *
                  Math.hypot(
                    eIqrError(b.model.eIqr, b.n) / b.model.eIqr,
                    eIqrError(s.standard.eIqr, s.n) / s.standard.eIqr,
                  );
                return { r, e };
              });
              return {
                kind: 'points',
                label: '',
                colour: m.colour,
                marker: m.marker ?? 'circle',
                x: bins.map((b) => Math.sqrt(b.lo * b.hi)),
                xLow: bins.map((b) => b.lo),
                xHigh: bins.map((b) => b.hi),
                y: ratio.map((q) => q?.r ?? null),
                yLow: ratio.map((q) => (q ? q.r - q.e : null)),
                yHigh: ratio.map((q) => (q ? q.r + q.e : null)),
              };
            }),
          },
        }
      : {}),
  };
}

/** One normalised histogram of a {@link histogramsPlot}: fractions of its sample's events per bin. */
export interface HistogramInput {
  label: string;
  colour: string;
  fractions: readonly number[];
  /** Dashed outline (the second of a pair), else solid. */
  dashed?: boolean;
}

/**
 * Normalised histograms on shared edges (`edges[i] <= x < edges[i+1]`) as outlined steps, the y
 * axis the fraction of events per bin: the evaluation's mass-sculpting and response figures.
 */
export function histogramsPlot(args: {
  name: string;
  title: string;
  caption: string;
  xLabel: string;
  edges: readonly number[];
  histograms: readonly HistogramInput[];
}): PlotSpec {
  return {
    name: args.name,
    title: args.title,
    caption: args.caption,
    x: { label: args.xLabel, min: args.edges[0], max: args.edges[args.edges.length - 1] },
    main: {
      y: { label: 'fraction of events per bin', min: 0 },
      layers: args.histograms.map(
        (h): PlotLayer => ({
          kind: 'hist',
          label: h.label,
          colour: h.colour,
          edges: args.edges,
          y: h.fractions,
          ...(h.dashed ? { dash: [6, 4] } : {}),
        }),
      ),
    },
  };
}
