import { at } from '../array.ts';
import { FitError, PhysicsInputError } from '../errors.ts';
import { type BinnedFitResult, fitBinned } from '../fit/binned-fit.ts';
import { crystalBallPdf } from '../fit/crystal-ball.ts';
import { exponentialPdf } from '../fit/exponential.ts';
import type { ParameterSpecs } from '../fit/likelihood-fit.ts';
import type { FitModel } from '../fit/model.ts';
import { Axis } from '../histogram/axis.ts';
import { clopperPearsonInterval, ONE_SIGMA_CONFIDENCE_LEVEL } from '../stats/efficiency.ts';
import { normalQuantile } from '../stats/special.ts';
import type { BinEfficiency } from './scale-factor-table.ts';

/**
 * Tag–probe pairs after pairing and tag selection: one entry per (tag, probe) combination. A pair
 * whose two legs both qualify as tags enters twice, once with each leg as the probe (the usual
 * CMS/ATLAS convention, which keeps the probe sample unbiased by the tag choice).
 */
export interface ProbeSet {
  /** Tag–probe invariant mass [GeV]. */
  mass: Float64Array;
  /** Probe transverse momentum [GeV]. */
  pt: Float64Array;
  /** Probe |η|. */
  absEta: Float64Array;
  /** 1 when tag and probe carry the same charge. */
  sameSign: Uint8Array;
  /** 1 when the probe passes the selection whose efficiency is measured. */
  passed: Uint8Array;
  /** Per-pair weight (1 for data). */
  weight: Float64Array;
}

/** Columns from which {@link makeProbeSet} builds a {@link ProbeSet}. */
export interface ProbeColumns {
  mass: ArrayLike<number>;
  pt: ArrayLike<number>;
  eta: ArrayLike<number>;
  tagCharge: ArrayLike<number>;
  probeCharge: ArrayLike<number>;
  /** Non-zero / true when the probe passes. */
  passed: ArrayLike<number | boolean>;
  weight?: ArrayLike<number>;
}

/**
 * Builds a {@link ProbeSet} from equal-length columns. Throws {@link PhysicsInputError} naming the
 * column and row for a length mismatch, a non-finite mass, pt or η, or a charge other than ±1.
 */
export function makeProbeSet(columns: ProbeColumns): ProbeSet {
  const n = columns.mass.length;
  for (const key of ['pt', 'eta', 'tagCharge', 'probeCharge', 'passed', 'weight'] as const) {
    const c = columns[key];
    if (c !== undefined && c.length !== n) {
      throw new PhysicsInputError(`column ${key} has ${c.length} rows, mass has ${n}`, { field: key });
    }
  }
  const set: ProbeSet = {
    mass: new Float64Array(n),
    pt: new Float64Array(n),
    absEta: new Float64Array(n),
    sameSign: new Uint8Array(n),
    passed: new Uint8Array(n),
    weight: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const m = at(columns.mass, i);
    const pt = at(columns.pt, i);
    const eta = at(columns.eta, i);
    const w = columns.weight ? at(columns.weight, i) : 1;
    for (const [field, v] of [
      ['mass', m],
      ['pt', pt],
      ['eta', eta],
      ['weight', w],
    ] as const) {
      if (!Number.isFinite(v)) throw new PhysicsInputError(`${field} of row ${i} is not finite (${v})`, { field });
    }
    const qt = at(columns.tagCharge, i);
    const qp = at(columns.probeCharge, i);
    if (Math.abs(qt) !== 1 || Math.abs(qp) !== 1) {
      throw new PhysicsInputError(`charges of row ${i} must be ±1 (got ${qt}, ${qp})`, { field: 'tagCharge' });
    }
    set.mass[i] = m;
    set.pt[i] = pt;
    set.absEta[i] = Math.abs(eta);
    set.sameSign[i] = qt === qp ? 1 : 0;
    set.passed[i] = columns.passed[i] ? 1 : 0;
    set.weight[i] = w;
  }
  return set;
}

/** How the background under the Z peak is removed from the probe counts. */
export type BackgroundMethod =
  /** Opposite-sign pairs in the window, counted as they are (simulation, or a pure sample). */
  | { kind: 'none' }
  /**
   * Opposite-sign minus `scale` × same-sign pairs in the window (default scale 1): valid when the
   * background charges are uncorrelated (fakes from jets), so SS pairs estimate the OS background.
   */
  | { kind: 'same-sign'; scale?: number }
  /**
   * Opposite-sign pairs in the window minus a background interpolated linearly in mass between the
   * mean densities [events/GeV] of a low and a high sideband [GeV], which must not overlap the window.
   */
  | { kind: 'sidebands'; low: readonly [number, number]; high: readonly [number, number] }
  /**
   * Extended binned likelihood fit of the opposite-sign mass spectrum in `range` [GeV] (bins of
   * `binWidth`, default 1 GeV): Crystal Ball signal + exponential background, first to all probes
   * of the bin for the signal shape, then to passing and failing probes with that shape fixed and
   * free yields and slopes. The efficiency is the ratio of the signal yields over the whole range
   * (the mass window is then not used).
   */
  | { kind: 'fit'; range: readonly [number, number]; binWidth?: number };

/** Options of {@link measureEfficiencies}. */
export interface EfficiencyOptions {
  /** Probe pT bin edges [GeV], strictly increasing; bins are lo ≤ pt < hi. */
  ptEdges: readonly number[];
  /** Probe |η| bin edges, strictly increasing; bins are lo ≤ |η| < hi. */
  absEtaEdges: readonly number[];
  /** Tag–probe mass window [GeV], lo ≤ m < hi. */
  massWindow: readonly [number, number];
  background: BackgroundMethod;
  /** Confidence level of the intervals (default 0.682689…, one Gaussian σ). */
  confidenceLevel?: number;
}

/** Efficiencies in pT × |η| bins, indexed `[ptBin][absEtaBin]`, with what went wrong where. */
export interface EfficiencyMap {
  ptEdges: number[];
  absEtaEdges: number[];
  bins: BinEfficiency[][];
  /** Bins with no signal, a failed fit, or an estimate clipped into [0, 1], in words. */
  warnings: string[];
}

/** A background-subtracted yield with its variance. */
interface Yield {
  value: number;
  variance: number;
  /** True when the count is a plain unweighted count (Clopper–Pearson applies). */
  plain: boolean;
}

/**
 * Efficiency of a selection on probes by tag-and-probe, in pT × |η| bins, with the background
 * removed by one of the {@link BackgroundMethod}s.
 *
 * For each bin, the signal yields P (passing probes) and F (failing probes) are estimated
 * separately and ε = P/(P + F). Errors:
 * - plain unweighted counts without subtraction: Clopper–Pearson interval (exact, conservative;
 *   C. J. Clopper and E. S. Pearson, Biometrika 26 (1934) 404);
 * - after subtraction or with weights: P and F are independent, so
 *   σ²(ε) = (F²·V(P) + P²·V(F))/(P + F)⁴, with V the variance of each yield (Σw² of the
 *   subtracted counts, the propagated sideband counts, or the fitted yield's Hessian error);
 *   symmetric, the interval clipped to [0, 1].
 * A bin with P + F ≤ 0 gets ε = NaN and a warning; an ε outside [0, 1] (a downward background
 * fluctuation) is clipped and warned about. Reference: CMS, JINST 10 (2015) P06005
 * (arXiv:1502.02701), section 6 (tag-and-probe).
 *
 * Probes are binned lo ≤ x < hi in pT and |η| ({@link Axis}); those outside the edges, or with a
 * NaN pT or |η|, are not used (rule `drop`), and so are masses outside the fit range of `fit`.
 *
 * Throws {@link PhysicsInputError} for bad edges (not finite and strictly increasing), an empty
 * window, or sidebands overlapping it.
 */
export function measureEfficiencies(probes: ProbeSet, options: EfficiencyOptions): EfficiencyMap {
  const ptEdges = [...options.ptEdges];
  const absEtaEdges = [...options.absEtaEdges];
  const ptAxis = Axis.variable(ptEdges, { field: 'ptEdges' });
  const absEtaAxis = Axis.variable(absEtaEdges, { field: 'absEtaEdges' });
  const [lo, hi] = options.massWindow;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
    throw new PhysicsInputError(`mass window [${lo}, ${hi}] is empty`, { field: 'massWindow' });
  }
  const background = options.background;
  if (background.kind === 'sidebands') {
    const [l0, l1] = background.low;
    const [h0, h1] = background.high;
    if (!(l0 < l1 && l1 <= lo && hi <= h0 && h0 < h1)) {
      throw new PhysicsInputError(
        `sidebands [${l0}, ${l1}] and [${h0}, ${h1}] must be non-empty and lie below and above the window [${lo}, ${hi}]`,
        { field: 'background' },
      );
    }
  }
  if (background.kind === 'fit') {
    const [r0, r1] = background.range;
    if (!(r0 < r1) || !((background.binWidth ?? 1) > 0)) {
      throw new PhysicsInputError('fit range must be non-empty and binWidth positive', { field: 'background' });
    }
  }
  const confidenceLevel = options.confidenceLevel ?? ONE_SIGMA_CONFIDENCE_LEVEL;
  const nPt = ptAxis.nBins;
  const nEta = absEtaAxis.nBins;
  // Probe indices per bin.
  const members: number[][] = Array.from({ length: nPt * nEta }, () => []);
  for (let i = 0; i < probes.mass.length; i++) {
    const ip = ptAxis.find(at(probes.pt, i), 'drop');
    const ie = absEtaAxis.find(at(probes.absEta, i), 'drop');
    if (ip >= 0 && ie >= 0) at(members, ip * nEta + ie).push(i);
  }
  const warnings: string[] = [];
  const bins: BinEfficiency[][] = [];
  for (let ip = 0; ip < nPt; ip++) {
    const row: BinEfficiency[] = [];
    for (let ie = 0; ie < nEta; ie++) {
      const where = `pt [${ptEdges[ip]}, ${ptEdges[ip + 1]}) GeV, |η| [${absEtaEdges[ie]}, ${absEtaEdges[ie + 1]})`;
      const index = at(members, ip * nEta + ie);
      let yields: [Yield, Yield];
      try {
        yields = binYields(probes, index, options.massWindow, background);
      } catch (error) {
        if (!(error instanceof FitError)) throw error;
        warnings.push(`${where}: ${error.message}`);
        row.push({
          value: Number.NaN,
          errorLow: Number.NaN,
          errorHigh: Number.NaN,
          passed: Number.NaN,
          total: Number.NaN,
        });
        continue;
      }
      row.push(efficiencyFromYields(yields[0], yields[1], confidenceLevel, where, warnings));
    }
    bins.push(row);
  }
  return { ptEdges, absEtaEdges, bins, warnings };
}

/** ε and its interval from independent passing and failing yields (see {@link measureEfficiencies}). */
function efficiencyFromYields(
  pass: Yield,
  fail: Yield,
  confidenceLevel: number,
  where: string,
  warnings: string[],
): BinEfficiency {
  const total = pass.value + fail.value;
  if (!(total > 0)) {
    warnings.push(`${where}: no signal probes (${total.toFixed(1)} after background subtraction)`);
    return { value: Number.NaN, errorLow: Number.NaN, errorHigh: Number.NaN, passed: pass.value, total };
  }
  if (pass.plain && fail.plain) {
    const interval = clopperPearsonInterval(pass.value, total, confidenceLevel);
    return {
      value: interval.efficiency,
      errorLow: interval.efficiency - interval.lower,
      errorHigh: interval.upper - interval.efficiency,
      passed: pass.value,
      total,
    };
  }
  const raw = pass.value / total;
  const z = gaussianQuantileForLevel(confidenceLevel);
  const sigma = (z * Math.sqrt(fail.value ** 2 * pass.variance + pass.value ** 2 * fail.variance)) / total ** 2;
  const value = Math.min(1, Math.max(0, raw));
  if (value !== raw) warnings.push(`${where}: estimate ${raw.toFixed(4)} clipped into [0, 1]`);
  return {
    value,
    errorLow: Math.min(sigma, value),
    errorHigh: Math.min(sigma, 1 - value),
    passed: pass.value,
    total,
  };
}

/** z with P(|Z| < z) = level for a standard normal Z (0.682689… → 1, 0.95 → 1.960). */
function gaussianQuantileForLevel(level: number): number {
  if (!(level > 0 && level < 1)) {
    throw new PhysicsInputError(`confidence level ${level} must lie in (0, 1)`, { field: 'confidenceLevel' });
  }
  return normalQuantile(0.5 + 0.5 * level);
}

/** Signal yields [passing, failing] of the probes `index` of one bin. */
function binYields(
  probes: ProbeSet,
  index: readonly number[],
  window: readonly [number, number],
  background: BackgroundMethod,
): [Yield, Yield] {
  if (background.kind === 'fit') return fitYields(probes, index, background.range, background.binWidth ?? 1);
  const [lo, hi] = window;
  // Sums [pass, fail] of w and w² over opposite-sign window, same-sign window, low and high sidebands.
  const sums = {
    os: [0, 0, 0, 0],
    ss: [0, 0, 0, 0],
    low: [0, 0, 0, 0],
    high: [0, 0, 0, 0],
  };
  let weighted = false;
  for (const i of index) {
    const m = at(probes.mass, i);
    const w = at(probes.weight, i);
    if (w !== 1) weighted = true;
    const k = probes.passed[i] ? 0 : 1;
    let target: number[] | null = null;
    const ss = probes.sameSign[i] === 1;
    if (m >= lo && m < hi) target = ss ? sums.ss : sums.os;
    else if (!ss && background.kind === 'sidebands') {
      if (m >= background.low[0] && m < background.low[1]) target = sums.low;
      else if (m >= background.high[0] && m < background.high[1]) target = sums.high;
    }
    if (target === null) continue;
    target[k] = (target[k] as number) + w;
    target[k + 2] = at(target, k + 2) + w * w;
  }
  const result = (k: 0 | 1): Yield => {
    const n = sums.os[k] as number;
    // A zero count still has a Poisson uncertainty: give it the variance of one event.
    const v = Math.max(at(sums.os, k + 2), n === 0 ? 1 : 0);
    switch (background.kind) {
      case 'none':
        return { value: n, variance: v, plain: !weighted };
      case 'same-sign': {
        const s = background.scale ?? 1;
        const ssCount = at(sums.ss, 0) + at(sums.ss, 1);
        return {
          value: n - s * (sums.ss[k] as number),
          variance: v + s * s * at(sums.ss, k + 2),
          // No same-sign pair in the bin: nothing was subtracted, the counts stay binomial.
          plain: !weighted && ssCount === 0,
        };
      }
      case 'sidebands': {
        const [l0, l1] = background.low;
        const [h0, h1] = background.high;
        const cLow = 0.5 * (l0 + l1);
        const cHigh = 0.5 * (h0 + h1);
        const lambdaHigh = (0.5 * (lo + hi) - cLow) / (cHigh - cLow);
        const aLow = ((hi - lo) * (1 - lambdaHigh)) / (l1 - l0);
        const aHigh = ((hi - lo) * lambdaHigh) / (h1 - h0);
        const sidebandCount = at(sums.low, 0) + at(sums.low, 1) + at(sums.high, 0) + at(sums.high, 1);
        return {
          value: n - aLow * (sums.low[k] as number) - aHigh * (sums.high[k] as number),
          variance: v + aLow * aLow * at(sums.low, k + 2) + aHigh * aHigh * at(sums.high, k + 2),
          plain: !weighted && sidebandCount === 0,
        };
      }
    }
  };
  return [result(0), result(1)];
}

/** Signal yields [passing, failing] from Crystal Ball + exponential fits of the OS mass spectra. */
function fitYields(
  probes: ProbeSet,
  index: readonly number[],
  range: readonly [number, number],
  binWidth: number,
): [Yield, Yield] {
  const [r0, r1] = range;
  const axis = Axis.regular(Math.max(4, Math.round((r1 - r0) / binWidth)), r0, r1);
  const { edges, nBins } = axis;
  const all = new Float64Array(nBins);
  const pass = new Float64Array(nBins);
  for (const i of index) {
    if (probes.sameSign[i] === 1) continue;
    const b = axis.find(at(probes.mass, i), 'drop');
    if (b < 0) continue;
    const w = at(probes.weight, i);
    all[b] = at(all, b) + w;
    if (probes.passed[i]) pass[b] = at(pass, b) + w;
  }
  const fail = all.map((v, b) => v - at(pass, b));
  const total = all.reduce((s, v) => s + v, 0);
  if (total < 20) throw new FitError(`only ${total.toFixed(0)} opposite-sign probes in the fit range`);
  const model = (prefix: string) => [
    { pdf: crystalBallPdf({ range, prefix: 'sig.' }), yield: `${prefix}nSignal` },
    { pdf: exponentialPdf({ range, prefix: `${prefix}bkg.` }), yield: `${prefix}nBackground` },
  ];
  const shape = fitWithoutBackgroundIfNeeded(edges, all, model(''), {
    nSignal: { value: 0.9 * total, lower: 0, upper: 2 * total + 10 },
    nBackground: { value: 0.1 * total, lower: 0, upper: 2 * total + 10 },
    'sig.mean': { value: 90.5, step: 0.1, lower: 85, upper: 96 },
    'sig.sigma': { value: 2.5, step: 0.1, lower: 0.5, upper: 8 },
    'sig.alpha': { value: 1, step: 0.1, lower: 0.2, upper: 5 },
    'sig.n': { value: 3, fixed: true },
    'bkg.slope': { value: -0.03, step: 0.01, lower: -0.5, upper: 0.5 },
  });
  if (!shape.status.converged) throw new FitError(`signal-shape fit failed: ${shape.status.message}`);
  const p = shape.parameters;
  const fixedShape = {
    'sig.mean': { value: p['sig.mean']?.value as number, fixed: true },
    'sig.sigma': { value: p['sig.sigma']?.value as number, fixed: true },
    'sig.alpha': { value: p['sig.alpha']?.value as number, fixed: true },
    'sig.n': { value: 3, fixed: true },
  };
  const yieldOf = (counts: Float64Array, label: string): Yield => {
    const n = counts.reduce((s, v) => s + v, 0);
    if (n < 1) return { value: 0, variance: 1, plain: false };
    const fit = fitWithoutBackgroundIfNeeded(edges, counts, model(''), {
      ...fixedShape,
      nSignal: { value: 0.9 * n, lower: 0, upper: 2 * n + 10 },
      nBackground: { value: 0.1 * n + 1, lower: 0, upper: 2 * n + 10 },
      'bkg.slope': { value: -0.03, step: 0.01, lower: -0.5, upper: 0.5 },
    });
    const signal = fit.parameters.nSignal;
    if (!signal || !fit.status.converged) throw new FitError(`${label} fit failed: ${fit.status.message}`);
    // A yield at its lower bound 0 has no Hessian error: use the Poisson error of ~1 event there.
    const error = signal.atLimit ? 1 : signal.error;
    if (!Number.isFinite(error)) throw new FitError(`${label} fit has no error on the signal yield`);
    return { value: signal.value, variance: error * error, plain: false };
  };
  return [yieldOf(pass, 'passing-probe'), yieldOf(fail, 'failing-probe')];
}

/**
 * A binned fit of a model with a yield `nBackground` and a slope `bkg.slope` that, when it does
 * not converge because the background yield runs into its bound at 0 (a pure signal sample: the
 * likelihood is flat there in the bounded coordinate), is repeated with the background fixed at
 * zero. Returns the result of the last attempt with its status (`allowFailure`): callers check it.
 */
export function fitWithoutBackgroundIfNeeded(
  edges: ArrayLike<number>,
  counts: Float64Array,
  model: FitModel,
  parameters: ParameterSpecs,
): BinnedFitResult {
  const first = fitBinned({ edges, counts, model, parameters, allowFailure: true });
  const background = first.parameters.nBackground;
  if (first.status.converged || !background || background.value > 0.05 * counts.reduce((s, v) => s + v, 0)) {
    return first;
  }
  return fitBinned({
    edges,
    counts,
    model,
    parameters: {
      ...parameters,
      nBackground: { value: 0, fixed: true },
      'bkg.slope': { value: parameters['bkg.slope']?.value ?? 0, fixed: true },
    },
    allowFailure: true,
  });
}
