import { REFERENCE_TASKS } from './tasks/reference.ts';
import type { TaskV1 } from './tasks/task-v1.ts';

export * from './tasks/reference.ts';
export * from './tasks/task-v1.ts';

/** A task as leaderboards show it, and how they rank entries. */
export interface TaskInfo {
  id: string;
  title: string;
  kind: 'classifier' | 'regression';
  /** Metric that ranks the leaderboard and whether larger is better. */
  headline: { metric: string; label: string; higherIsBetter: boolean };
  description: string;
  /** Regression: the unit of the target, hence of its MAE (`GeV`; `1` for a response). */
  unit?: string;
}

/**
 * The leaderboard view of a task file: classifiers (binary, multi-class) ranked by AUC of the
 * served score, regressions by the effective interquartile resolution eIQR (smaller is better).
 */
export function taskInfo(task: TaskV1): TaskInfo {
  const regression = task.kind === 'regression';
  return {
    id: task.name,
    title: task.title,
    kind: regression ? 'regression' : 'classifier',
    headline: regression
      ? { metric: 'eIqr', label: 'eIQR', higherIsBetter: false }
      : { metric: 'auc', label: 'AUC', higherIsBetter: true },
    description: task.description,
    ...(regression && task.target ? { unit: task.target.unit } : {}),
  };
}

/** The reference tasks (from their task files, {@link REFERENCE_TASKS}). */
export const TASKS: readonly TaskInfo[] = REFERENCE_TASKS.map(taskInfo);

/** The reference task with this id, or undefined (user tasks live in the registry: `findRegisteredTask`). */
export function findTask(id: string): TaskInfo | undefined {
  return TASKS.find((t) => t.id === id);
}
export * from './tasks/bundle-task.ts';
