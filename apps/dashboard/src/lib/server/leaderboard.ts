import type { TaskInfo } from '@hepml/models';
import {
  findRegisteredTask,
  listModels,
  type ModelSummary,
  type Principal,
  type RegistryDb,
  rocCurves,
  type StoredRocCurve,
} from '@hepml/models/registry';
import { ROC_GRID, rejectionOnGrid } from '$lib/roc';

/** One leaderboard row: the newest active version of a model with its figures and ROC. */
export interface LeaderboardEntry extends ModelSummary {
  /** 1/εB on {@link ROC_GRID}, or null when the version stored no ROC. */
  rejection: (number | null)[] | null;
}

/** A task's leaderboard as the pages and the JSON endpoint serve it. */
export interface Leaderboard {
  task: TaskInfo;
  rocGrid: readonly number[];
  entries: LeaderboardEntry[];
}

/**
 * Orders entries by the task's headline metric (best first); entries without it go last, by name.
 */
export function rankEntries<T extends { name: string; metrics: Record<string, number> }>(
  task: TaskInfo,
  entries: T[],
): T[] {
  const metric = task.headline.metric;
  const sign = task.headline.higherIsBetter ? -1 : 1;
  return [...entries].sort((a, b) => {
    const x = a.metrics[metric];
    const y = b.metrics[metric];
    if (x === undefined || y === undefined) return x === y ? a.name.localeCompare(b.name) : x === undefined ? 1 : -1;
    return sign * (x - y) || a.name.localeCompare(b.name);
  });
}

/**
 * The leaderboard of a task as `viewer` may see it (anonymous visitors: public models only), with
 * each entry's ROC resampled on the common εS grid. Undefined for a task the registry does not hold
 * or of which `viewer` may read no model (reference and user tasks alike).
 */
export async function leaderboard(db: RegistryDb, taskId: string, viewer: Principal): Promise<Leaderboard | undefined> {
  const task = await findRegisteredTask(db, taskId, viewer);
  if (!task) return undefined;
  const models = await listModels(db, { task: task.id, viewer });
  const curves =
    task.kind === 'classifier'
      ? await rocCurves(
          db,
          task.id,
          models.map((m) => ({ name: m.name, version: m.latestVersion })),
          viewer,
        )
      : new Map<string, StoredRocCurve>();
  const entries = rankEntries(
    task,
    models.map((m) => {
      const c = curves.get(m.name);
      return { ...m, rejection: c ? rejectionOnGrid(c.s, c.b) : null };
    }),
  );
  return { task, rocGrid: ROC_GRID, entries };
}
