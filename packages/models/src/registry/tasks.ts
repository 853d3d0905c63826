import { and, asc, eq, exists } from 'drizzle-orm';
import { RegistryError } from '../errors.ts';
import { findTask, REFERENCE_TASKS, type TaskInfo, type TaskV1, taskInfo } from '../tasks.ts';
import { ANONYMOUS, type Principal, visibleTo } from './access.ts';
import type { RegistryDb } from './db.ts';
import * as schema from './schema.ts';

/** A task as the registry lists it: the leaderboard view, and whether it is a reference task. */
export interface RegisteredTask extends TaskInfo {
  reference: boolean;
}

/**
 * The row of a task for the `tasks` table: a reference task (no definition; position = its place
 * among the reference tasks) or a user task with its task file. Unknown reference ids and a user
 * task without its file are a RegistryError (invalid).
 */
export function taskRow(id: string, definition: TaskV1 | undefined): typeof schema.tasks.$inferInsert {
  const reference = findTask(id);
  const info = reference ?? (definition ? taskInfo(definition) : undefined);
  if (!info) {
    throw new RegistryError(`unknown task "${id}": a bundle of a new task carries its task file (task.json)`, {
      code: 'invalid',
      field: 'task',
    });
  }
  if (definition && definition.name !== id) {
    throw new RegistryError(`task.json names task "${definition.name}", the manifest "${id}"`, {
      code: 'invalid',
      field: 'task',
    });
  }
  return {
    id: info.id,
    title: info.title,
    kind: info.kind,
    description: info.description,
    headlineMetric: info.headline.metric,
    headlineLabel: info.headline.label,
    higherIsBetter: info.headline.higherIsBetter,
    position: reference ? REFERENCE_TASKS.findIndex((t) => t.name === id) : 1000,
    definition: reference ? null : JSON.stringify(definition),
  };
}

/** A row as a task; a reference task's view is its file's (rows written before its columns existed hold defaults). */
function fromRow(row: schema.TaskRow): RegisteredTask {
  const reference = row.definition === null ? findTask(row.id) : undefined;
  if (reference) return { ...reference, reference: true };
  const unit = row.kind === 'regression' && row.definition !== null ? targetUnit(row.definition) : undefined;
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    description: row.description,
    headline: { metric: row.headlineMetric, label: row.headlineLabel, higherIsBetter: row.higherIsBetter },
    ...(unit !== undefined ? { unit } : {}),
    reference: row.definition === null,
  };
}

/** The target unit in a stored task file (validated when it was published), from the file itself: no column of its own. */
function targetUnit(definition: string): string | undefined {
  try {
    const unit = (JSON.parse(definition) as { target?: { unit?: unknown } }).target?.unit;
    return typeof unit === 'string' ? unit : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tasks of the registry in leaderboard order (reference tasks first, then user tasks by id),
 * each with at least one model `viewer` may read — the task list and navigation of the dashboard.
 */
export async function listTasks(db: RegistryDb, viewer: Principal = ANONYMOUS): Promise<RegisteredTask[]> {
  const rows = await db
    .select()
    .from(schema.tasks)
    .where(
      exists(
        db
          .select({ id: schema.models.id })
          .from(schema.models)
          .where(and(eq(schema.models.task, schema.tasks.id), visibleTo(viewer))),
      ),
    )
    .orderBy(asc(schema.tasks.position), asc(schema.tasks.id));
  return rows.map(fromRow);
}

/** The registered task `id` if `viewer` may read one of its models, else undefined. */
export async function findRegisteredTask(
  db: RegistryDb,
  id: string,
  viewer: Principal = ANONYMOUS,
): Promise<RegisteredTask | undefined> {
  const row = await db
    .select()
    .from(schema.tasks)
    .where(
      and(
        eq(schema.tasks.id, id),
        exists(
          db
            .select({ id: schema.models.id })
            .from(schema.models)
            .where(and(eq(schema.models.task, schema.tasks.id), visibleTo(viewer))),
        ),
      ),
    )
    .get();
  return row ? fromRow(row) : undefined;
}

/** The task file of a registered user task (undefined for a reference task or an unknown id). */
export async function registeredTaskFile(db: RegistryDb, id: string): Promise<string | undefined> {
  const row = await db
    .select({ definition: schema.tasks.definition })
    .from(schema.tasks)
    .where(eq(schema.tasks.id, id))
    .get();
  return row?.definition ?? undefined;
}
