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

const metric = (key: string, label: string, better: 'higher' | 'lower', digits: number): Column => ({
  key,
  label,
  numeric: true,
  better,
  value: (e) => e.metrics[key],
  text: (e) => fmt(e.metrics[key], digits),
});

const COMMON: Column[] = [
  { key: 'name', label: 'Model', numeric: false, better: null, value: (e) => e.name, text: (e) => e.name },
  {
    key: 'version',
    label: 'Version',
    numeric: true,
    better: null,
    value: (e) => e.latestVersion,
    text: (e) => `v${e.latestVersion}`,
  },
  { key: 'author', label: 'Author', numeric: false, better: null, value: (e) => e.author, text: (e) => e.author },
  {
    key: 'date',
    label: 'Date',
    numeric: false,
    better: null,
    value: (e) => e.createdAt,
    text: (e) => day(e.createdAt),
  },
  {
    key: 'parameters',
    label: 'Parameters',
    numeric: true,
    better: null,
    value: (e) => e.parameters,
    text: (e) => count(e.parameters),
  },
];

/** Inference latency per event on the serving path [µs], when the entry's metrics carry it. */
const LATENCY = metric('latencyUs', 'Latency [µs/event]', 'lower', 1);

/**
 * The columns of a task's leaderboard: taggers show AUC, εB at εS = 92 % and 1/εB at εS = 50 %;
 * regressions MAE [GeV], eIQR and rIQR (relative to the standard calibration). The latency column
 * appears when any entry has a measured latency.
 */
export function columnsOf(task: TaskInfo, entries: readonly ColumnEntry[]): Column[] {
  const figures =
    task.kind === 'classifier'
      ? [
          metric('auc', 'AUC', 'higher', 4),
          metric('bkgEffAt92', 'εB at εS = 92 %', 'lower', 4),
          metric('rejectionAt50', '1/εB at εS = 50 %', 'higher', 1),
        ]
      : [
          metric('mae', 'MAE [GeV]', 'lower', 3),
          metric('eIqr', 'eIQR', 'lower', 4),
          metric('rIqr', 'rIQR', 'lower', 3),
        ];
  const latency = entries.some((e) => e.metrics.latencyUs !== undefined) ? [LATENCY] : [];
  return [...COMMON, ...figures, ...latency];
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
