import { count, fmt, sig } from './format';

/** Where a figure of merit is shown on the model page. */
export type FigureGroup = 'performance' | 'overtraining' | 'training';

/** How one metric key of `manifest.metrics` reads: its label with symbol and unit, group, format. */
export interface FigureLabel {
  label: string;
  group: FigureGroup;
  show(value: number): string;
}

const fixed = (digits: number) => (v: number) => fmt(v, digits);

/** The metric keys the training and evaluation code writes (`packages/models/src/training`, `evaluation`). */
const LABELS: Readonly<Record<string, FigureLabel>> = {
  auc: { label: 'AUC', group: 'performance', show: fixed(4) },
  aucProbability: { label: 'AUC of the class probability alone', group: 'performance', show: fixed(4) },
  bkgEffAt92: { label: 'εB at εS = 92 %', group: 'performance', show: fixed(4) },
  rejectionAt50: { label: '1/εB at εS = 50 %', group: 'performance', show: fixed(1) },
  jsdAt50: { label: 'mass sculpting JSD at εS = 50 %', group: 'performance', show: fixed(4) },
  mae: { label: 'MAE [GeV]', group: 'performance', show: fixed(3) },
  maeStandard: { label: 'MAE of the standard calibration [GeV]', group: 'performance', show: fixed(3) },
  eIqr: { label: 'eIQR = IQR(E/E_true)/1.349', group: 'performance', show: fixed(4) },
  eIqrStandard: { label: 'eIQR of the standard calibration', group: 'performance', show: fixed(4) },
  rIqr: { label: 'rIQR = eIQR / eIQR(standard)', group: 'performance', show: fixed(3) },
  response: { label: 'median response E/E_true', group: 'performance', show: fixed(4) },
  latencyUs: { label: 'latency [µs/event]', group: 'performance', show: fixed(1) },
  ksPValueSignal: { label: 'KS p-value (signal, training vs test)', group: 'overtraining', show: fixed(3) },
  ksPValueBackground: { label: 'KS p-value (background, training vs test)', group: 'overtraining', show: fixed(3) },
  ksPValue: { label: 'KS p-value (smaller of the two)', group: 'overtraining', show: fixed(3) },
  epochs: { label: 'epochs', group: 'training', show: count },
  trainSamplesPerSecond: { label: 'training speed [samples/s]', group: 'training', show: count },
};

/**
 * How a metric key reads. Per-class keys (`auc_w`, `rejectionAt50_w`) take their base key's label
 * with the class named; an unknown key reads as itself, in the performance group, to 4 significant
 * figures.
 */
export function figureLabel(key: string): FigureLabel {
  const known = LABELS[key];
  if (known) return known;
  const cut = key.indexOf('_');
  const base = cut > 0 ? LABELS[key.slice(0, cut)] : undefined;
  if (base) return { ...base, label: `${base.label}, ${key.slice(cut + 1)} vs rest` };
  return { label: key, group: 'performance', show: (v) => sig(v) };
}

/** One shown figure: its key (for tests and downloads), label and formatted value. */
export interface FigureRow {
  key: string;
  label: string;
  text: string;
}

const ORDER: readonly FigureGroup[] = ['performance', 'overtraining', 'training'];

/** A manifest's metrics as labelled, formatted rows in their groups (empty groups left out). */
export function groupFigures(metrics: Readonly<Record<string, number>>): { group: FigureGroup; rows: FigureRow[] }[] {
  const rows = Object.entries(metrics).map(([key, value]) => {
    const l = figureLabel(key);
    return { group: l.group, row: { key, label: l.label, text: l.show(value) } };
  });
  return ORDER.map((group) => ({ group, rows: rows.filter((r) => r.group === group).map((r) => r.row) })).filter(
    (g) => g.rows.length > 0,
  );
}

/**
 * The rule by which a task's recommended model is chosen (`scripts/start.ts`): its best network by
 * the headline figure among those that beat the simple baseline; a network that does not is not used.
 */
export function recommendationRule(kind: 'classifier' | 'regression', headline: string): string {
  const simple = kind === 'classifier' ? 'the cut-based baseline' : 'the standard calibration';
  return `"recommended" marks the network with the best ${headline} among those that beat ${simple} on the same test events; a network that does not beat ${simple} is never recommended, and when none does the task has no recommended model.`;
}

/** A CSV field per RFC 4180: quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows as CSV text (CRLF line ends, RFC 4180), the first row the header. */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** A model version's figures and working points as the downloads serve them, every figure labelled. */
export interface FiguresDownload {
  model: string;
  version: number;
  task: string;
  figures: { key: string; label: string; group: FigureGroup; value: number }[];
  workingPoints: { name: string; signalEfficiency: number; threshold: number; backgroundEfficiency: number }[];
}

/** The download of a manifest's metrics and working points (full precision, labels and groups). */
export function figuresDownload(args: {
  model: string;
  version: number;
  task: string;
  metrics: Readonly<Record<string, number>>;
  workingPoints: readonly { name: string; signalEfficiency: number; threshold: number; backgroundEfficiency: number }[];
}): FiguresDownload {
  return {
    model: args.model,
    version: args.version,
    task: args.task,
    figures: Object.entries(args.metrics).map(([key, value]) => {
      const l = figureLabel(key);
      return { key, label: l.label, group: l.group, value };
    }),
    workingPoints: args.workingPoints.map(({ name, signalEfficiency, threshold, backgroundEfficiency }) => ({
      name,
      signalEfficiency,
      threshold,
      backgroundEfficiency,
    })),
  };
}

/** The same download as CSV: one row per figure, then one row per working point (εS, threshold, εB). */
export function figuresCsv(d: FiguresDownload): string {
  return toCsv([
    ['group', 'key', 'label', 'value'],
    ...d.figures.map((f) => [f.group, f.key, f.label, f.value]),
    ...d.workingPoints.flatMap((w) => [
      ['working point', `${w.name}.signalEfficiency`, `εS at ${w.name}`, w.signalEfficiency],
      ['working point', `${w.name}.threshold`, `score threshold at ${w.name}`, w.threshold],
      ['working point', `${w.name}.backgroundEfficiency`, `εB at ${w.name}`, w.backgroundEfficiency],
    ]),
  ]);
}
