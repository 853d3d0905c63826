/**
 * The four reference tasks, read from their task files (`packages/models/tasks/*.json`, format
 * {@link TaskV1}): the one place their titles, descriptions, inputs (units, meanings), labels,
 * splits, seeds and default sizes are written. Their data is the built-in seeded simulation
 * (`data.source: "simulation"`).
 */
import bjet from '../../tasks/bjet.json' with { type: 'json' };
import boostedJet from '../../tasks/boosted-jet.json' with { type: 'json' };
import electronId from '../../tasks/electron-id.json' with { type: 'json' };
import energyRegression from '../../tasks/energy-regression.json' with { type: 'json' };
import { parseTaskFile, type TaskV1 } from './task-v1.ts';

/** The reference tasks in leaderboard order, each parsed (strictly) from its file. */
export const REFERENCE_TASKS: readonly TaskV1[] = [
  parseTaskFile(electronId, 'tasks/electron-id.json'),
  parseTaskFile(bjet, 'tasks/bjet.json'),
  parseTaskFile(boostedJet, 'tasks/boosted-jet.json'),
  parseTaskFile(energyRegression, 'tasks/energy-regression.json'),
];

/** The reference task called `name`; throws a RangeError for another name. */
export function referenceTask(name: string): TaskV1 {
  const task = REFERENCE_TASKS.find((t) => t.name === name);
  if (!task) throw new RangeError(`no reference task "${name}"`);
  return task;
}
