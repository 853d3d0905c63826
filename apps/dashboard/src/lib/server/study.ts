import { StudyFileV1 } from '@hepml/models/bundle';

/**
 * The studies `pnpm study --out docs/study` wrote and the repository carries: `<task>.json`
 * ({@link StudyFileV1}) and its `<task>.svg`, bundled at build time (the Worker reads no files).
 * A file that does not parse fails the page loudly, naming the file and the field.
 */
const files = import.meta.glob('../../../../../docs/study/*.json', { eager: true, import: 'default' });
const plots = import.meta.glob('../../../../../docs/study/*.svg', { eager: true, query: '?raw', import: 'default' });

/** One task's study as the page shows it: the curve as a table (models × training sizes) and the plot. */
export interface StudyView {
  task: string;
  figure: string;
  backend: string;
  createdAt: string;
  trainEvents: number[];
  rows: { model: string; kind: 'network' | 'baseline'; cells: ({ figure: number; error?: number } | null)[] }[];
  imageInformation: StudyFileV1['imageInformation'];
  /** The SVG `pnpm study` wrote (our own markup), or null when absent. */
  svg: string | null;
}

/** A study file as the page shows it; a file that does not parse is an error naming it and the field. */
export function studyView(
  path: string,
  raw: unknown,
  svg: unknown = plots[path.replace(/\.json$/, '.svg')],
): StudyView {
  const parsed = StudyFileV1.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const f = parsed.data;
  const trainEvents = [...new Set(f.points.map((p) => p.trainEvents))].sort((a, b) => a - b);
  const models = [...new Set(f.points.map((p) => p.model))];
  const rows = models.map((model) => {
    const mine = f.points.filter((p) => p.model === model);
    return {
      model,
      kind: mine[0]?.kind ?? 'network',
      cells: trainEvents.map((t) => {
        const p = mine.find((q) => q.trainEvents === t);
        return p ? { figure: p.figure, ...(p.error !== undefined ? { error: p.error } : {}) } : null;
      }),
    };
  });
  return {
    task: f.task,
    figure: f.figure,
    backend: f.backend,
    createdAt: f.createdAt,
    trainEvents,
    rows,
    imageInformation: f.imageInformation,
    svg: typeof svg === 'string' ? svg : null,
  };
}

/** Every carried study, by task name. */
export function studies(): StudyView[] {
  return Object.entries(files)
    .map(([path, raw]) => studyView(path, raw))
    .sort((a, b) => a.task.localeCompare(b.task));
}
