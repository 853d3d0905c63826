import { at } from '@hepml/physics';
import type { LearningCurvePointV1 } from '../bundle/study.ts';
import { splitIndices } from './samples.ts';
import { SUITE_NETWORKS, type SuiteEntry, type SuiteTask, simulateTaskSample, trainTaskSuite } from './suite.ts';

/** One point of a learning curve (the `pnpm study` file's schema, {@link LearningCurvePointV1}). */
export type LearningCurvePoint = LearningCurvePointV1;

/** Options of {@link learningCurve}. */
export interface LearningCurveOptions {
  task: SuiteTask;
  /** Sample sizes (events simulated), ascending. */
  sizes: readonly number[];
  seed: number;
  backend: string;
  /** Epochs of the networks (the suite's default when absent). */
  epochs?: number;
  /** GBDT rounds (default 100). */
  trees?: number;
  /** Which models to train, by bundle name (default: the networks, the GBDT and the task's cut-based entry). */
  include?: (name: string) => boolean;
  onPoint?: (point: LearningCurvePoint) => void;
  onStart?: (name: string, epochs: number) => void;
  onEpoch?: (name: string, epoch: number, loss: number, valLoss: number) => void;
}

const REGRESSION: SuiteTask = 'energy-regression';

/** The figure of merit's name and direction, for tables and plots. */
export function studyFigure(task: SuiteTask): { key: 'bkgEffAt92' | 'eIqr'; label: string; secondary: string } {
  return task === REGRESSION
    ? { key: 'eIqr', label: 'eIQR of E_reco/E_true', secondary: 'MAE [GeV]' }
    : { key: 'bkgEffAt92', label: 'εB at εS = 92 %', secondary: 'AUC' };
}

/** Free parameters: float32 weights of a network, `architecture.parameters` of a baseline. */
function capacityOf(entry: SuiteEntry): number {
  const arch = entry.bundle.manifest.architecture as { parameters?: number };
  if (entry.kind === 'baseline') return arch.parameters ?? 0;
  return (entry.bundle.files.get(entry.bundle.manifest.weights)?.byteLength ?? 0) / 4;
}

/**
 * A learning curve: the task's networks and baselines trained by the default suite on samples of
 * increasing size (each simulated with the same seed, so a larger sample holds the smaller one's
 * generator stream), every model evaluated on its size's test split by the suite's own figure code.
 * Classifier points carry the binomial error of εB from the test background count.
 */
export async function learningCurve(options: LearningCurveOptions): Promise<LearningCurvePoint[]> {
  const { task, seed } = options;
  const figure = studyFigure(task);
  const reference = task === REGRESSION ? `${task}-standard` : `${task}-cuts`;
  const include =
    options.include ??
    ((name: string) => SUITE_NETWORKS[task].includes(name) || name === `${task}-gbdt` || name === reference);
  const points: LearningCurvePoint[] = [];
  for (const events of options.sizes) {
    const sample = simulateTaskSample(task, events, seed);
    let testBackground = 0;
    if (task !== REGRESSION) {
      // The suite's classifier split; background = label 0 (QCD for the W/top/QCD tagger).
      const { test } = splitIndices(sample.n, seed, { validation: 0.2, test: 0.2 });
      for (const r of test) if (at(sample.label, r) === 0) testBackground++;
    }
    const entries = await trainTaskSuite({
      task,
      sample,
      seed,
      backend: options.backend,
      include,
      // Every network learns from the whole training split: a curve of the CNN capped at the
      // default profile's rows would be flat by construction.
      cnnTrainRows: Number.POSITIVE_INFINITY,
      ...(options.epochs ? { epochs: options.epochs } : {}),
      ...(options.trees ? { trees: options.trees } : {}),
      ...(options.onStart ? { onStart: options.onStart } : {}),
      ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
    });
    for (const e of entries) {
      const m = e.bundle.manifest.metrics as Record<string, number | undefined>;
      const value = m[figure.key];
      if (value === undefined) throw new Error(`${e.name}: no ${figure.key} in its metrics`);
      const point: LearningCurvePoint = {
        model: e.name,
        kind: e.kind,
        events,
        trainEvents: Math.round(events * 0.6),
        figure: value,
        ...(testBackground > 0 ? { error: Math.sqrt((value * (1 - value)) / testBackground) } : {}),
        secondary: (task === REGRESSION ? m.mae : m.auc) ?? Number.NaN,
        capacity: capacityOf(e),
        seconds: e.seconds,
      };
      points.push(point);
      options.onPoint?.(point);
    }
  }
  return points;
}

/** The points as CSV (one row per model and size). */
export function learningCurveCsv(points: readonly LearningCurvePoint[]): string {
  const head = 'model,kind,events,train_events,figure,error,secondary,capacity,seconds';
  const rows = points.map((p) =>
    [
      p.model,
      p.kind,
      p.events,
      p.trainEvents,
      p.figure.toPrecision(5),
      p.error?.toPrecision(3) ?? '',
      p.secondary.toPrecision(5),
      p.capacity,
      p.seconds.toFixed(1),
    ].join(','),
  );
  return `${[head, ...rows].join('\n')}\n`;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The learning curve as a standalone SVG: figure of merit against training events on a log x axis
 * (log y for εB), one line per model with error bars where the points have them, baselines dashed.
 */
export function learningCurveSvg(points: readonly LearningCurvePoint[], task: SuiteTask): string {
  const figure = studyFigure(task);
  const logY = task !== REGRESSION;
  const width = 640;
  const height = 420;
  const m = { left: 70, right: 190, top: 30, bottom: 50 };
  const xs = points.map((p) => Math.log10(p.trainEvents));
  const ys = points.flatMap((p) => [p.figure - (p.error ?? 0), p.figure + (p.error ?? 0)]).filter((y) => y > 0);
  const fy = (y: number) => (logY ? Math.log10(y) : y);
  const [x0, x1] = [Math.min(...xs) - 0.1, Math.max(...xs) + 0.1];
  let [y0, y1] = [Math.min(...ys.map(fy)), Math.max(...ys.map(fy))];
  const pad = (y1 - y0) * 0.08 || 0.1;
  [y0, y1] = [y0 - pad, y1 + pad];
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (y: number) => height - m.bottom - ((fy(y) - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const models = [...new Set(points.map((p) => p.model))];
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img">`,
    `<title>Learning curve of ${escapeXml(task)}: ${escapeXml(figure.label)} against training events</title>`,
    `<rect x="${m.left}" y="${m.top}" width="${width - m.left - m.right}" height="${height - m.top - m.bottom}" fill="none" stroke="#000"/>`,
  );
  for (let d = Math.ceil(x0); d <= Math.floor(x1); d++) {
    parts.push(
      `<line x1="${px(d)}" x2="${px(d)}" y1="${height - m.bottom}" y2="${height - m.bottom + 5}" stroke="#000"/>`,
      `<text x="${px(d)}" y="${height - m.bottom + 18}" text-anchor="middle">10^${d}</text>`,
    );
  }
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const t = y0 + ((y1 - y0) * i) / ticks;
    const value = logY ? 10 ** t : t;
    const y = height - m.bottom - (i / ticks) * (height - m.top - m.bottom);
    parts.push(
      `<line x1="${m.left - 5}" x2="${m.left}" y1="${y}" y2="${y}" stroke="#000"/>`,
      `<text x="${m.left - 8}" y="${y + 4}" text-anchor="end">${value.toPrecision(2)}</text>`,
    );
  }
  parts.push(
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 12}" text-anchor="middle">training events</text>`,
    `<text transform="translate(16 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(figure.label)}${logY ? ' (log)' : ''}</text>`,
  );
  models.forEach((name, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    const mine = points.filter((p) => p.model === name).sort((a, b) => a.trainEvents - b.trainEvents);
    const dash = mine[0]?.kind === 'baseline' ? ' stroke-dasharray="6 4"' : '';
    const path = mine.map((p) => `${px(Math.log10(p.trainEvents)).toFixed(1)},${py(p.figure).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline data-model="${escapeXml(name)}" points="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`,
    );
    for (const p of mine) {
      const x = px(Math.log10(p.trainEvents));
      if (p.error !== undefined && p.figure - p.error > 0) {
        parts.push(
          `<line x1="${x}" x2="${x}" y1="${py(p.figure - p.error)}" y2="${py(p.figure + p.error)}" stroke="${colour}"/>`,
        );
      }
      parts.push(`<circle cx="${x}" cy="${py(p.figure)}" r="3" fill="${colour}"/>`);
    }
    const ly = m.top + 14 + i * 18;
    parts.push(
      `<line x1="${width - m.right + 12}" x2="${width - m.right + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"${dash}/>`,
      `<text x="${width - m.right + 42}" y="${ly}">${escapeXml(name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
