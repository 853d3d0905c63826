import { type FigureGroup, figureLabel } from './figures';
import { fmt } from './format';

/** One row of the compare view's figures table: a metric across the compared versions. */
export interface DiffRow {
  key: string;
  label: string;
  group: FigureGroup;
  /** Per compared version: the value as shown and its difference to the first (null for the first or when absent). */
  cells: { value: number | null; text: string; delta: string | null }[];
}

const GROUPS: readonly FigureGroup[] = ['performance', 'overtraining', 'training'];

/** A signed difference in the figure's own format: +0.0123, −4.5, ±0 for none. */
export function signedDelta(delta: number, show: (v: number) => string): string {
  const text = show(Math.abs(delta));
  if (delta === 0 || /^[0.]+$/.test(text.replace(/\s/g, ''))) return `±${text}`;
  return `${delta > 0 ? '+' : '−'}${text}`;
}

/**
 * The figures of several versions side by side: every metric key any of them has, grouped
 * (performance, overtraining, training) in first-seen order, each value formatted as its label
 * says and, from the second version on, its difference to the first.
 */
export function diffFigures(metrics: readonly Readonly<Record<string, number>>[]): DiffRow[] {
  const keys = [...new Set(metrics.flatMap((m) => Object.keys(m)))];
  const rows = keys.map((key): DiffRow => {
    const l = figureLabel(key);
    const ref = metrics[0]?.[key];
    return {
      key,
      label: l.label,
      group: l.group,
      cells: metrics.map((m, i) => {
        const v = m[key];
        if (v === undefined) return { value: null, text: '–', delta: null };
        const delta = i > 0 && ref !== undefined ? signedDelta(v - ref, l.show) : null;
        return { value: v, text: l.show(v), delta };
      }),
    };
  });
  return GROUPS.flatMap((g) => rows.filter((r) => r.group === g));
}

/** One working-point quantity across the compared versions. */
export interface WorkingPointRow {
  workingPoint: string;
  quantity: string;
  cells: { text: string; delta: string | null }[];
}

type Wp = { name: string; signalEfficiency: number; threshold: number; backgroundEfficiency: number };

/**
 * The working points of several versions side by side: for each name any of them has, εS, the
 * score threshold, εB and 1/εB, with the difference to the first version.
 */
export function diffWorkingPoints(lists: readonly (readonly Wp[])[]): WorkingPointRow[] {
  const names = [...new Set(lists.flatMap((l) => l.map((w) => w.name)))];
  const quantities: { quantity: string; of: (w: Wp) => number; digits: number }[] = [
    { quantity: 'εS', of: (w) => w.signalEfficiency, digits: 3 },
    { quantity: 'score threshold', of: (w) => w.threshold, digits: 4 },
    { quantity: 'εB', of: (w) => w.backgroundEfficiency, digits: 4 },
    {
      quantity: '1/εB',
      of: (w) => (w.backgroundEfficiency > 0 ? 1 / w.backgroundEfficiency : Number.POSITIVE_INFINITY),
      digits: 1,
    },
  ];
  return names.flatMap((name) =>
    quantities.map(({ quantity, of, digits }) => {
      const ref = lists[0]?.find((w) => w.name === name);
      return {
        workingPoint: name,
        quantity,
        cells: lists.map((l, i) => {
          const w = l.find((x) => x.name === name);
          if (!w) return { text: '–', delta: null };
          const v = of(w);
          const text = Number.isFinite(v) ? fmt(v, digits) : '∞';
          const r = ref ? of(ref) : undefined;
          const delta =
            i > 0 && r !== undefined && Number.isFinite(v) && Number.isFinite(r)
              ? signedDelta(v - r, (x) => fmt(x, digits))
              : null;
          return { text, delta };
        }),
      };
    }),
  );
}
