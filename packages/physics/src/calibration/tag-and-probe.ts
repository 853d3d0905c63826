import { at } from '../array.ts';
import { FitError, PhysicsInputError } from '../errors.ts';
import { type BinnedFitResult, fitBinned } from '../fit/binned-fit.ts';
import { breitWignerCrystalBallPdf } from '../fit/breit-wigner-crystal-ball.ts';
import { chebyshevPdf } from '../fit/chebyshev.ts';
import { crystalBallPdf } from '../fit/crystal-ball.ts';
import { exponentialPdf } from '../fit/exponential.ts';
import { gaussianPdf } from '../fit/gaussian.ts';
import type { ParameterSpecs } from '../fit/likelihood-fit.ts';
import type { FitModel } from '../fit/model.ts';
import type { Pdf } from '../fit/pdf.ts';
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
   * `binWidth`, default 1 GeV): signal ({@link SignalShape}, default Crystal Ball) + background
   * ({@link BackgroundShape}, default exponential), first to all probes of the bin for start
   * values, then to passing and failing probes separately, each with its own signal-shape and
   * background parameters and free yields (failing probes are often worse measured, with a wider
   * peak: one shared shape would bias the failing yield). The efficiency is the ratio of the
   * signal yields over the whole range (the mass window is then not used). The alternative shapes
   * are the shape systematics ({@link fitShapeVariations} in `scale-factors.ts`).
   */
  | {
      kind: 'fit';
      range: readonly [number, number];
      binWidth?: number;
      signal?: SignalShape;
      backgroundShape?: BackgroundShape;
    };

/**
 * Signal line shapes of the fit mode: `crystal-ball` (Gaussian core, power-law low tail from
 * bremsstrahlung; the nominal), `gaussian` (no tail: the simplest alternative), and
 * `breit-wigner-crystal-ball` (Z Breit–Wigner, M = 91.1876 GeV, Γ = 2.4952 GeV fixed to the PDG
 * values, convolved with a Crystal Ball response: the CMS/ATLAS line shape, JINST 10 (2015) P06005).
 */
export type SignalShape = 'crystal-ball' | 'gaussian' | 'breit-wigner-crystal-ball';

/** Background shapes of the fit mode: `exponential` (nominal) or a 2nd-degree `chebyshev` polynomial. */
export type BackgroundShape = 'exponential' | 'chebyshev';

/** Probes outside the pT × |η| binning (not used): a probe outside both axes counts on each. */
export interface OutOfRangeCounts {
  ptUnderflow: number;
  ptOverflow: number;
  absEtaUnderflow: number;
  absEtaOverflow: number;
  /** Probes outside on at least one axis. */
  probes: number;
}

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
  /** Probes outside the binning, which no bin uses (also stated in `warnings` when there are any). */
  outOfRange: OutOfRangeCounts;
  /** Probes outside the binning, bins with no signal, a failed fit, or an estimate clipped into [0, 1], in words. */
  warnings: string[];
}

/** A background-subtracted yield with its variance. */
interface Yield {
  value: number;
  variance: number;
  /** True when the count is a plain unweighted count without subtraction (Clopper–Pearson applies). */
  plain: boolean;
}

/**
 * Efficiency of a selection on probes by tag-and-probe, in pT × |η| bins, with the background
 * removed by one of the {@link BackgroundMethod}s.
 *
 * For each bin, the signal yields P (passing probes) and F (failing probes) are estimated
 * separately and ε = P/(P + F). The error method depends on the background method only, never on
 * the counts of a bin (so that a bin does not change method at its first same-sign pair):
 * - `none` with unweighted probes: Clopper–Pearson interval (exact, conservative;
 *   C. J. Clopper and E. S. Pearson, Biometrika 26 (1934) 404);
 * - `same-sign`, `sidebands`, `fit`, or weights: P and F are independent, so
 *   σ²(ε) = (F²·V(P) + P²·V(F))/(P + F)⁴, with V the variance of each yield (Σw² of the
 *   subtracted counts, the propagated sideband counts, or the fitted yield's Hessian error; an
 *   empty count has the variance of one event); the interval is ε ± σ.
 * A bin with P + F ≤ 0 gets ε = NaN and a warning. An estimate outside [0, 1] (a downward
 * background fluctuation) is clipped into [0, 1] and warned about, and keeps the uncertainty σ of
 * the unclipped estimate on both sides: the interval then reaches past the boundary. Clipping the
 * interval too would make the error vanish on the boundary side and halve the symmetrised error
 * the scale factor uses; the precision of the measurement is that of the unclipped estimate, which
 * is what must be reported near a physical boundary so that results combine (PDG, Review of
 * Particle Physics, "Statistics", section on intervals near physical boundaries; Feldman &
 * Cousins, Phys. Rev. D 57 (1998) 3873, for the discussion). References for the method: CMS,
 * JINST 10 (2015) P06005 (arXiv:1502.02701), section 6 (tag-and-probe).
 *
 * Probes are binned lo ≤ x < hi in pT and |η| ({@link Axis}); those outside the edges are counted
 * in `outOfRange` (under- and overflow per axis) and reported in `warnings`, not used. Masses
 * outside the fit range of `fit` are not used either (the fit range is the mass selection).
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
  // Probe indices per bin; the others counted by side.
  const members: number[][] = Array.from({ length: nPt * nEta }, () => []);
  const outOfRange: OutOfRangeCounts = {
    ptUnderflow: 0,
    ptOverflow: 0,
    absEtaUnderflow: 0,
    absEtaOverflow: 0,
    probes: 0,
  };
  for (let i = 0; i < probes.mass.length; i++) {
    const pt = at(probes.pt, i);
    const absEta = at(probes.absEta, i);
    const ip = ptAxis.find(pt, 'drop');
    const ie = absEtaAxis.find(absEta, 'drop');
    if (ip >= 0 && ie >= 0) {
      at(members, ip * nEta + ie).push(i);
      continue;
    }
    outOfRange.probes++;
    if (ip < 0) pt < ptAxis.lo ? outOfRange.ptUnderflow++ : outOfRange.ptOverflow++;
    if (ie < 0) absEta < absEtaAxis.lo ? outOfRange.absEtaUnderflow++ : outOfRange.absEtaOverflow++;
  }
  const warnings: string[] = [];
  const flowWarning = outOfRangeWarning(ptEdges, absEtaEdges, outOfRange);
  if (flowWarning) warnings.push(flowWarning);
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
  return { ptEdges, absEtaEdges, bins, outOfRange, warnings };
}

/** The warning {@link measureEfficiencies} gives for probes outside the binning (undefined when there are none). */
export function outOfRangeWarning(
  ptEdges: readonly number[],
  absEtaEdges: readonly number[],
  o: OutOfRangeCounts,
): string | undefined {
  if (o.probes === 0) return undefined;
  const pt = `pt < ${ptEdges[0]} GeV: ${o.ptUnderflow}, pt ≥ ${ptEdges[ptEdges.length - 1]} GeV: ${o.ptOverflow}`;
  const eta = `|η| < ${absEtaEdges[0]}: ${o.absEtaUnderflow}, |η| ≥ ${absEtaEdges[absEtaEdges.length - 1]}: ${o.absEtaOverflow}`;
  return `${o.probes} probes outside the binning are not used: ${pt}, ${eta}`;
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
  if (value !== raw) {
    warnings.push(
      `${where}: estimate ${raw.toFixed(4)} clipped into [0, 1] (uncertainty ±${sigma.toFixed(4)} of the unclipped estimate kept)`,
    );
  }
  return { value, errorLow: sigma, errorHigh: sigma, passed: pass.value, total };
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
  if (background.kind === 'fit') return fitYields(probes, index, background);
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
        return {
          value: n - s * (sums.ss[k] as number),
          variance: v + s * s * at(sums.ss, k + 2),
          // One error method for the method, whatever the same-sign count of the bin.
          plain: false,
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
        return {
          value: n - aLow * (sums.low[k] as number) - aHigh * (sums.high[k] as number),
          variance: v + aLow * aLow * at(sums.low, k + 2) + aHigh * aHigh * at(sums.high, k + 2),
          plain: false,
        };
      }
    }
  };
  return [result(0), result(1)];
}

/** Signal pdf and its parameter start values and bounds (prefix `sig.`). */
function signalModel(shape: SignalShape, range: readonly [number, number]): { pdf: Pdf; parameters: ParameterSpecs } {
  const mean = { value: 90.5, step: 0.1, lower: 85, upper: 96 };
  const sigma = { value: 2.5, step: 0.1, lower: 0.5, upper: 8 };
  const alpha = { value: 1, step: 0.1, lower: 0.2, upper: 5 };
  switch (shape) {
    case 'crystal-ball':
      return {
        pdf: crystalBallPdf({ range, prefix: 'sig.' }),
        parameters: { 'sig.mean': mean, 'sig.sigma': sigma, 'sig.alpha': alpha, 'sig.n': { value: 3, fixed: true } },
      };
    case 'gaussian':
      return { pdf: gaussianPdf({ range, prefix: 'sig.' }), parameters: { 'sig.mean': mean, 'sig.sigma': sigma } };
    case 'breit-wigner-crystal-ball':
      return {
        // A 1024-point FFT: grid step (hi − lo)/341, 0.18 GeV for a 60 GeV range, below the resolution.
        pdf: breitWignerCrystalBallPdf({ range, prefix: 'sig.', fftSize: 1024 }),
        parameters: {
          'sig.mass': { value: Z_MASS_GEV, fixed: true },
          'sig.width': { value: Z_WIDTH_GEV, fixed: true },
          'sig.shift': { value: -0.5, step: 0.1, lower: -6, upper: 5 },
          'sig.sigma': { value: 1.5, step: 0.1, lower: 0.3, upper: 8 },
          'sig.alpha': alpha,
          'sig.n': { value: 3, fixed: true },
        },
      };
  }
}

/** Background pdf and its parameter start values and bounds (prefix `bkg.`). */
function backgroundModel(
  shape: BackgroundShape,
  range: readonly [number, number],
): { pdf: Pdf; parameters: ParameterSpecs } {
  if (shape === 'chebyshev') {
    return {
      pdf: chebyshevPdf({ range, prefix: 'bkg.', degree: 2 }),
      parameters: {
        'bkg.c1': { value: -0.3, step: 0.05, lower: -3, upper: 3 },
        'bkg.c2': { value: 0, step: 0.05, lower: -3, upper: 3 },
      },
    };
  }
  return {
    pdf: exponentialPdf({ range, prefix: 'bkg.' }),
    parameters: { 'bkg.slope': { value: -0.03, step: 0.01, lower: -0.5, upper: 0.5 } },
  };
}

/** PDG 2024 Z boson mass and width [GeV]. */
const Z_MASS_GEV = 91.1876;
const Z_WIDTH_GEV = 2.4952;

/** Entries a passing or failing spectrum needs for its own shape fit; below it the all-probe shape is used. */
const OWN_SHAPE_MIN_ENTRIES = 100;

/**
 * Signal yields [passing, failing] from signal + background fits of the OS mass spectra: a fit to
 * all probes of the bin for start values, then one to the passing and one to the failing probes,
 * each with its own shape parameters (fixed to the all-probe shape when the spectrum has fewer
 * than {@link OWN_SHAPE_MIN_ENTRIES} entries, too few to constrain a shape).
 */
function fitYields(
  probes: ProbeSet,
  index: readonly number[],
  method: Extract<BackgroundMethod, { kind: 'fit' }>,
): [Yield, Yield] {
  const { range } = method;
  const binWidth = method.binWidth ?? 1;
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
  const signal = signalModel(method.signal ?? 'crystal-ball', range);
  const background = backgroundModel(method.backgroundShape ?? 'exponential', range);
  const model = [
    { pdf: signal.pdf, yield: 'nSignal' },
    { pdf: background.pdf, yield: 'nBackground' },
  ];
  const yields = (n: number): ParameterSpecs => ({
    nSignal: { value: 0.9 * n, lower: 0, upper: 2 * n + 10 },
    nBackground: { value: 0.1 * n + 1, lower: 0, upper: 2 * n + 10 },
  });
  const shape = fitWithoutBackgroundIfNeeded(edges, all, model, {
    ...yields(total),
    ...signal.parameters,
    ...background.parameters,
  });
  if (!shape.status.converged) throw new FitError(`signal-shape fit failed: ${shape.status.message}`);
  // The all-probe shape: start values of the own-shape fits, and the fixed shape of small spectra.
  const fitted = (specs: ParameterSpecs, fix: boolean): ParameterSpecs =>
    Object.fromEntries(
      Object.entries(specs).map(([name, spec]) => {
        const value = shape.parameters[name]?.value ?? spec.value;
        const inside = Math.min(spec.upper ?? value, Math.max(spec.lower ?? value, value));
        return [name, fix || spec.fixed ? { value: inside, fixed: true } : { ...spec, value: inside }];
      }),
    );
  const yieldOf = (counts: Float64Array, label: string): Yield => {
    const n = counts.reduce((s, v) => s + v, 0);
    if (n < 1) return { value: 0, variance: 1, plain: false };
    const fit = fitWithoutBackgroundIfNeeded(edges, counts, model, {
      ...yields(n),
      ...fitted(signal.parameters, n < OWN_SHAPE_MIN_ENTRIES),
      ...fitted(background.parameters, false),
    });
    const nSignal = fit.parameters.nSignal;
    if (!nSignal || !fit.status.converged) throw new FitError(`${label} fit failed: ${fit.status.message}`);
    // A yield at its lower bound 0 has no Hessian error: use the Poisson error of ~1 event there.
    const error = nSignal.atLimit ? 1 : nSignal.error;
    if (!Number.isFinite(error)) throw new FitError(`${label} fit has no error on the signal yield`);
    return { value: nSignal.value, variance: error * error, plain: false };
  };
  return [yieldOf(pass, 'passing-probe'), yieldOf(fail, 'failing-probe')];
}

/**
 * A binned fit of a model with a yield `nBackground` and background-shape parameters `bkg.*` that,
 * when it does not converge because the background yield runs into its bound at 0 (a pure signal
 * sample: the likelihood is flat there in the bounded coordinate), is repeated with the background
 * fixed at zero (its shape parameters fixed at their start values). Returns the result of the last attempt with its status (`allowFailure`): callers check it.
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
      ...Object.fromEntries(
        Object.entries(parameters)
          .filter(([name]) => name.startsWith('bkg.'))
          .map(([name, spec]) => [name, { value: spec.value, fixed: true }]),
      ),
      nBackground: { value: 0, fixed: true },
    },
    allowFailure: true,
  });
}
