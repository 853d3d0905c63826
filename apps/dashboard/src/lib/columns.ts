import type { TaskInfo } from '@hepml/models';
import { count, day, fmt } from './format';

/** What a leaderboard column needs from an entry (a subset of the registry's ModelSummary). */
export interface ColumnEntry {
  name: string;
  kind: 'network' | 'baseline';
  author: string;
  latestVersion: number;
  parameters: number;
  createdAt: string;
  metrics: Record<string, number>;
}

/** A sortable leaderboard column. `better` says which direction ranks an entry higher. */
export interface Column {
  key: string;
  /** Plain-text header (units in brackets). */
  label: string;
  numeric: boolean;
  better: 'higher' | 'lower' | null;
  value(e: ColumnEntry): number | string | undefined;
  text(e: ColumnEntry): string;
}

/** A figure of merit shown as a column: its metric key, header, ranking direction and digits. */
export interface Figure {
  key: string;
  label: string;
  better: 'higher' | 'lower';
  digits: number;
}

/**
 * The figures a task's leaderboard shows, by task kind (the dashboard's table and the
 * `<hepml-leaderboard>` widget): taggers AUC, εB at εS = 92 % and 1/εB at εS = 50 %; regressions
 * MAE [GeV], eIQR and rIQR (relative to the standard calibration).
 */
export const FIGURES: Readonly<Record<TaskInfo['kind'], readonly Figure[]>> = {
  classifier: [
    { key: 'auc', label: 'AUC', better: 'higher', digits: 4 },
    { key: 'bkgEffAt92', label: 'εB at εS = 92 %', better: 'lower', digits: 4 },
    { key: 'rejectionAt50', label: '1/εB at εS = 50 %', better: 'higher', digits: 1 },
  ],
  regression: [
    { key: 'mae', label: 'MAE [GeV]', better: 'lower', digits: 3 },
    { key: 'eIqr', label: 'eIQR', better: 'lower', digits: 4 },
    { key: 'rIqr', label: 'rIQR', better: 'lower', digits: 3 },
  ],
};

const metric = ({ key, label, better, digits }: Figure): Column => ({
  key,
  label,
  numeric: true,
  better,
  value: (e) => e.metrics[key],
  text: (e) => fmt(e.metrics[key], digits),
});

/**
 * A column of one of the entry's own fields, not ranked, shown through `show` (the value as it is
 * by default).
 */
const field = <K extends 'name' | 'latestVersion' | 'author' | 'createdAt' | 'parameters'>(
  key: string,
  label: string,
  numeric: boolean,
  of: K,
  show: (v: ColumnEntry[K]) => string = String,
): Column => ({ key, label, numeric, better: null, value: (e) => e[of], text: (e) => show(e[of]) });

const COMMON: Column[] = [
  field('name', 'Model', false, 'name'),
  field('version', 'Version', true, 'latestVersion', (v) => `v${v}`),
  field('author', 'Author', false, 'author'),
  field('date', 'Date', false, 'createdAt', day),
  field('parameters', 'Parameters', true, 'parameters', count),
];

/** Inference latency per event on the serving path [µs], when the entry's metrics carry it. */
const LATENCY = metric({ key: 'latencyUs', label: 'Latency [µs/event]', better: 'lower', digits: 1 });

/**
 * The columns of a task's leaderboard: the entry's own fields, then the task kind's {@link FIGURES};
 * the latency column appears when any entry has a measured latency.
 */
export function columnsOf(task: TaskInfo, entries: readonly ColumnEntry[]): Column[] {
  const latency = entries.some((e) => e.metrics.latencyUs !== undefined) ? [LATENCY] : [];
  return [...COMMON, ...figuresOf(task).map(metric), ...latency];
}

/** A task's {@link FIGURES}, the regression MAE in the unit of the task's target (GeV unless it says). */
export function figuresOf(task: Pick<TaskInfo, 'kind' | 'unit'>): readonly Figure[] {
  const figures = FIGURES[task.kind];
  if (task.kind !== 'regression' || task.unit === undefined || task.unit === 'GeV') return figures;
  return figures.map((f) => (f.key === 'mae' ? { ...f, label: `MAE [${task.unit}]` } : f));
}

/**
 * Sorts entries by a column (missing values last whatever the direction); ties keep their order.
 */
export function sortEntries<T extends ColumnEntry>(entries: readonly T[], column: Column, dir: 'asc' | 'desc'): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  return entries
    .map((e, i) => ({ e, i, v: column.value(e) }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) return a.v === b.v ? a.i - b.i : a.v === undefined ? 1 : -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
      return sign * c || a.i - b.i;
    })
    .map((x) => x.e);
}
