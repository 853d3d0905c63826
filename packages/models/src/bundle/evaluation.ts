import { BundleError } from '../errors.ts';

/**
 * The `evaluation` block of a bundle manifest: figures measured on the held-out test split (and,
 * for the overtraining check, the training split) when the bundle was built. Everything is
 * optional except `split`, since a regression has no ROC and a binary tagger no per-class table.
 * Histogram `counts` are fractions of the events of their sample (each histogram sums to ≤ 1;
 * under/overflow dropped), bins are `edges[i] <= x < edges[i+1]`.
 */
export interface EvaluationV1 {
  /** Events in each split. */
  split: { train: number; validation: number; test: number };
  /** Output the ROC, working points and overtraining refer to (multi-class: the first signal class). */
  reference?: string;
  overtraining?: OvertrainingV1;
  featureRanking?: FeatureRankingV1;
  classes?: ClassFiguresV1[];
  massSculpting?: MassSculptingV1;
  regression?: RegressionEvaluationV1;
}

/** A 1D histogram: `counts.length === edges.length − 1`, edges strictly increasing. */
export interface HistogramV1 {
  edges: number[];
  counts: number[];
}

/** Two-sample Kolmogorov–Smirnov test result: sup |F₁ − F₂| and its asymptotic p-value. */
export interface KsResultV1 {
  statistic: number;
  pValue: number;
}

/**
 * Overtraining check (TMVA style): the score distributions of training and test events compared
 * per class with a KS test, and the four histograms for the plot (shared `edges`).
 */
export interface OvertrainingV1 {
  signal: KsResultV1;
  background: KsResultV1;
  histograms: {
    edges: number[];
    trainSignal: number[];
    testSignal: number[];
    trainBackground: number[];
    testBackground: number[];
  };
}

/**
 * Permutation feature importance (Breiman 2001): one input shuffled across the test events at a
 * time, `delta` = figure(reference) − figure(permuted) for `auc`, permuted − reference for `loss`
 * and `mae` (so larger always means more important); sorted by decreasing `delta`.
 */
export interface FeatureRankingV1 {
  metric: 'auc' | 'loss' | 'mae';
  /** Shuffles averaged per input. */
  repeats: number;
  entries: { input: string; delta: number; error: number }[];
}

/** Per-class figures of a multi-class classifier (one-vs-rest on the class's own output). */
export interface ClassFiguresV1 {
  name: string;
  /** Output (class-score) of this class. */
  output: string;
  role: 'signal' | 'background';
  /** Test events of this class. */
  n: number;
  /** AUC of this class's score, this class against all others. */
  auc: number;
  /** 1/εB of the background classes at 50 % efficiency of this class (signal classes only). */
  rejectionAt50?: number;
  /** Fraction of this class's test events whose largest score is each class, in `classes` order. */
  assigned: number[];
}

/**
 * Mass sculpting of a jet tagger: Jensen–Shannon divergence (base 2, in [0, 1]) between the
 * background `variable` distribution before and after the cut `score >= threshold` that keeps
 * `signalEfficiency` of the signal (Dolen et al., JHEP 05 (2016) 156; Baldi et al., 1601.07913).
 */
export interface MassSculptingV1 {
  variable: string;
  unit: string;
  points: { signalEfficiency: number; threshold: number; backgroundEfficiency: number; jsd: number }[];
  /** Background distribution before and after the 50 % signal efficiency cut, shared edges. */
  histograms?: { edges: number[]; before: number[]; after: number[] };
}

/** Energy-regression figures of one estimator on one set of events. */
export interface RegressionFiguresV1 {
  /** Mean absolute error |E_reco − E_true| [GeV]. */
  mae: number;
  /** Effective IQR of E_reco/E_true: (q₇₅ − q₂₅) / 1.349, a Gaussian-equivalent σ [1]. */
  eIqr: number;
  /** Median of E_reco/E_true [1]. */
  response: number;
}

/** Figures of the model and the standard calibration in one bin `lo <= variable < hi`. */
export interface RegressionBinV1 {
  variable: string;
  unit: string;
  lo: number;
  hi: number;
  n: number;
  model: RegressionFiguresV1;
  standard: RegressionFiguresV1;
  /** Relative IQR: model eIQR / standard-calibration eIQR (< 1: the model resolves better). */
  rIqr: number;
}

/** Regression evaluation against the standard calibration, overall and in bins of E and η. */
export interface RegressionEvaluationV1 {
  target: string;
  unit: string;
  overall: { n: number; model: RegressionFiguresV1; standard: RegressionFiguresV1; rIqr: number };
  bins: RegressionBinV1[];
  /** E_reco/E_true histograms of the model and the standard calibration, shared edges. */
  response: { edges: number[]; model: number[]; standard: number[] };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(field: string, message: string): never {
  throw new BundleError(`manifest.json: ${field}: ${message}`, { field });
}

function record(v: unknown, keys: readonly string[], field: string): Record<string, unknown> {
  if (!isRecord(v)) fail(field, 'must be an object');
  for (const k of Object.keys(v)) if (!keys.includes(k)) fail(`${field}.${k}`, 'unknown key');
  return v;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0) fail(field, 'must be a non-empty string');
  return v;
}

function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, 'must be a finite number');
  return v;
}

function count(v: unknown, field: string): number {
  const n = num(v, field);
  if (!Number.isInteger(n) || n < 0) fail(field, 'must be a non-negative integer');
  return n;
}

function unit(v: unknown, field: string): number {
  const x = num(v, field);
  if (x < 0 || x > 1) fail(field, 'must lie in [0, 1]');
  return x;
}

function numbers(v: unknown, field: string, length?: number): number[] {
  if (!Array.isArray(v)) fail(field, 'must be an array of numbers');
  if (length !== undefined && v.length !== length) fail(field, `must have ${length} entries, has ${v.length}`);
  return v.map((x, i) => num(x, `${field}[${i}]`));
}

function edgesOf(v: unknown, field: string): number[] {
  const edges = numbers(v, field);
  if (edges.length < 2) fail(field, 'must have at least 2 edges');
  for (let i = 1; i < edges.length; i++) {
    if ((edges[i] as number) <= (edges[i - 1] as number)) fail(`${field}[${i}]`, 'edges must increase strictly');
  }
  return edges;
}

function fractions(v: unknown, field: string, length: number): number[] {
  const xs = numbers(v, field, length);
  xs.forEach((x, i) => {
    if (x < 0) fail(`${field}[${i}]`, 'must not be negative');
  });
  return xs;
}

function ks(v: unknown, field: string): KsResultV1 {
  const r = record(v, ['statistic', 'pValue'], field);
  return { statistic: unit(r.statistic, `${field}.statistic`), pValue: unit(r.pValue, `${field}.pValue`) };
}

function figures(v: unknown, field: string): RegressionFiguresV1 {
  const r = record(v, ['mae', 'eIqr', 'response'], field);
  const mae = num(r.mae, `${field}.mae`);
  if (mae < 0) fail(`${field}.mae`, 'must not be negative');
  const eIqr = num(r.eIqr, `${field}.eIqr`);
  if (eIqr < 0) fail(`${field}.eIqr`, 'must not be negative');
  return { mae, eIqr, response: num(r.response, `${field}.response`) };
}

function parseOvertraining(v: unknown, field: string): OvertrainingV1 {
  const r = record(v, ['signal', 'background', 'histograms'], field);
  const h = record(
    r.histograms,
    ['edges', 'trainSignal', 'testSignal', 'trainBackground', 'testBackground'],
    `${field}.histograms`,
  );
  const edges = edgesOf(h.edges, `${field}.histograms.edges`);
  const bins = edges.length - 1;
  return {
    signal: ks(r.signal, `${field}.signal`),
    background: ks(r.background, `${field}.background`),
    histograms: {
      edges,
      trainSignal: fractions(h.trainSignal, `${field}.histograms.trainSignal`, bins),
      testSignal: fractions(h.testSignal, `${field}.histograms.testSignal`, bins),
      trainBackground: fractions(h.trainBackground, `${field}.histograms.trainBackground`, bins),
      testBackground: fractions(h.testBackground, `${field}.histograms.testBackground`, bins),
    },
  };
}

function parseFeatureRanking(v: unknown, field: string): FeatureRankingV1 {
  const r = record(v, ['metric', 'repeats', 'entries'], field);
  if (r.metric !== 'auc' && r.metric !== 'loss' && r.metric !== 'mae') {
    fail(`${field}.metric`, 'must be "auc", "loss" or "mae"');
  }
  const repeats = count(r.repeats, `${field}.repeats`);
  if (repeats < 1) fail(`${field}.repeats`, 'must be at least 1');
  if (!Array.isArray(r.entries)) fail(`${field}.entries`, 'must be an array');
  const seen = new Set<string>();
  const entries = r.entries.map((raw, i) => {
    const f = `${field}.entries[${i}]`;
    const e = record(raw, ['input', 'delta', 'error'], f);
    const input = str(e.input, `${f}.input`);
    if (seen.has(input)) fail(`${f}.input`, `duplicate input "${input}"`);
    seen.add(input);
    const error = num(e.error, `${f}.error`);
    if (error < 0) fail(`${f}.error`, 'must not be negative');
    return { input, delta: num(e.delta, `${f}.delta`), error };
  });
  for (let i = 1; i < entries.length; i++) {
    if ((entries[i] as { delta: number }).delta > (entries[i - 1] as { delta: number }).delta) {
      fail(`${field}.entries[${i}].delta`, 'entries must be sorted by decreasing delta');
    }
  }
  return { metric: r.metric, repeats, entries };
}

function parseClasses(v: unknown, field: string): ClassFiguresV1[] {
  if (!Array.isArray(v) || v.length < 2) fail(field, 'must be an array of at least 2 classes');
  const k = v.length;
  return v.map((raw, i) => {
    const f = `${field}[${i}]`;
    const c = record(raw, ['name', 'output', 'role', 'n', 'auc', 'rejectionAt50', 'assigned'], f);
    if (c.role !== 'signal' && c.role !== 'background') fail(`${f}.role`, 'must be "signal" or "background"');
    const out: ClassFiguresV1 = {
      name: str(c.name, `${f}.name`),
      output: str(c.output, `${f}.output`),
      role: c.role,
      n: count(c.n, `${f}.n`),
      auc: unit(c.auc, `${f}.auc`),
      assigned: numbers(c.assigned, `${f}.assigned`, k).map((x, j) => unit(x, `${f}.assigned[${j}]`)),
    };
    if (c.rejectionAt50 !== undefined) {
      if (c.role !== 'signal') fail(`${f}.rejectionAt50`, 'only signal classes carry a rejection');
      const rej = num(c.rejectionAt50, `${f}.rejectionAt50`);
      if (rej < 1) fail(`${f}.rejectionAt50`, 'must be at least 1');
      out.rejectionAt50 = rej;
    }
    return out;
  });
}

function parseMassSculpting(v: unknown, field: string): MassSculptingV1 {
  const r = record(v, ['variable', 'unit', 'points', 'histograms'], field);
  if (!Array.isArray(r.points) || r.points.length === 0) fail(`${field}.points`, 'must be a non-empty array');
  const points = r.points.map((raw, i) => {
    const f = `${field}.points[${i}]`;
    const p = record(raw, ['signalEfficiency', 'threshold', 'backgroundEfficiency', 'jsd'], f);
    return {
      signalEfficiency: unit(p.signalEfficiency, `${f}.signalEfficiency`),
      threshold: num(p.threshold, `${f}.threshold`),
      backgroundEfficiency: unit(p.backgroundEfficiency, `${f}.backgroundEfficiency`),
      jsd: unit(p.jsd, `${f}.jsd`),
    };
  });
  const out: MassSculptingV1 = {
    variable: str(r.variable, `${field}.variable`),
    unit: str(r.unit, `${field}.unit`),
    points,
  };
  if (r.histograms !== undefined) {
    const h = record(r.histograms, ['edges', 'before', 'after'], `${field}.histograms`);
    const edges = edgesOf(h.edges, `${field}.histograms.edges`);
    out.histograms = {
      edges,
      before: fractions(h.before, `${field}.histograms.before`, edges.length - 1),
      after: fractions(h.after, `${field}.histograms.after`, edges.length - 1),
    };
  }
  return out;
}

function parseRegression(v: unknown, field: string): RegressionEvaluationV1 {
  const r = record(v, ['target', 'unit', 'overall', 'bins', 'response'], field);
  const o = record(r.overall, ['n', 'model', 'standard', 'rIqr'], `${field}.overall`);
  if (!Array.isArray(r.bins)) fail(`${field}.bins`, 'must be an array');
  const bins = r.bins.map((raw, i): RegressionBinV1 => {
    const f = `${field}.bins[${i}]`;
    const b = record(raw, ['variable', 'unit', 'lo', 'hi', 'n', 'model', 'standard', 'rIqr'], f);
    const lo = num(b.lo, `${f}.lo`);
    const hi = num(b.hi, `${f}.hi`);
    if (hi <= lo) fail(`${f}.hi`, 'must exceed lo');
    return {
      variable: str(b.variable, `${f}.variable`),
      unit: str(b.unit, `${f}.unit`),
      lo,
      hi,
      n: count(b.n, `${f}.n`),
      model: figures(b.model, `${f}.model`),
      standard: figures(b.standard, `${f}.standard`),
      rIqr: num(b.rIqr, `${f}.rIqr`),
    };
  });
  const h = record(r.response, ['edges', 'model', 'standard'], `${field}.response`);
  const edges = edgesOf(h.edges, `${field}.response.edges`);
  return {
    target: str(r.target, `${field}.target`),
    unit: str(r.unit, `${field}.unit`),
    overall: {
      n: count(o.n, `${field}.overall.n`),
      model: figures(o.model, `${field}.overall.model`),
      standard: figures(o.standard, `${field}.overall.standard`),
      rIqr: num(o.rIqr, `${field}.overall.rIqr`),
    },
    bins,
    response: {
      edges,
      model: fractions(h.model, `${field}.response.model`, edges.length - 1),
      standard: fractions(h.standard, `${field}.response.standard`, edges.length - 1),
    },
  };
}

/**
 * Validates a bundle's `evaluation` block strictly (unknown keys, wrong types, non-finite numbers,
 * probabilities outside [0, 1], histograms whose counts disagree with their edges, an unsorted
 * feature ranking): each error is a BundleError whose `field` is the JSON path under `field`,
 * e.g. `evaluation.overtraining.signal.pValue`. Returns a fresh, typed copy.
 */
export function parseEvaluation(value: unknown, field: string): EvaluationV1 {
  const r = record(
    value,
    ['split', 'reference', 'overtraining', 'featureRanking', 'classes', 'massSculpting', 'regression'],
    field,
  );
  const s = record(r.split, ['train', 'validation', 'test'], `${field}.split`);
  const out: EvaluationV1 = {
    split: {
      train: count(s.train, `${field}.split.train`),
      validation: count(s.validation, `${field}.split.validation`),
      test: count(s.test, `${field}.split.test`),
    },
  };
  if (r.reference !== undefined) out.reference = str(r.reference, `${field}.reference`);
  if (r.overtraining !== undefined) out.overtraining = parseOvertraining(r.overtraining, `${field}.overtraining`);
  if (r.featureRanking !== undefined) {
    out.featureRanking = parseFeatureRanking(r.featureRanking, `${field}.featureRanking`);
  }
  if (r.classes !== undefined) out.classes = parseClasses(r.classes, `${field}.classes`);
  if (r.massSculpting !== undefined) out.massSculpting = parseMassSculpting(r.massSculpting, `${field}.massSculpting`);
  if (r.regression !== undefined) out.regression = parseRegression(r.regression, `${field}.regression`);
  return out;
}
