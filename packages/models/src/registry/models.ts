import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { RegistryError } from '../errors.ts';
import { ANONYMOUS, canRead, canWrite, type Principal, visibleTo } from './access.ts';
import { collaborationId } from './collaborations.ts';
import type { RegistryDb } from './db.ts';
import * as schema from './schema.ts';

/** Visibility of a model. */
export type Visibility = 'private' | 'collaboration' | 'public';

/** A model with its newest version and that version's metrics, for listings and leaderboards. */
export interface ModelSummary {
  name: string;
  task: string;
  kind: 'network' | 'baseline';
  description: string;
  author: string;
  visibility: Visibility;
  latestVersion: number;
  parameters: number;
  createdAt: string;
  recommended: boolean;
  /** The newest version was imported (`pnpm import-model`: its dataset hash is `import:<sha256>` of the original file). */
  imported: boolean;
  metrics: Record<string, number>;
  /** Training profile of the version (`lineage.profile` of its manifest: default, full, custom), null when none. */
  profile: string | null;
}

/**
 * Lists the models a principal may read (optionally of one task) with their newest active
 * version and its metrics.
 */
export async function listModels(
  db: RegistryDb,
  options: { task?: string; viewer?: Principal } = {},
): Promise<ModelSummary[]> {
  const viewer = options.viewer ?? ANONYMOUS;
  const v = schema.modelVersions;
  const latest = db
    .select({ modelId: v.modelId, version: sql<number>`max(${v.version})`.as('v') })
    .from(v)
    .where(eq(v.status, 'active'))
    .groupBy(v.modelId)
    .as('latest');
  const rows = await db
    .select({
      model: schema.models,
      version: v,
      task: schema.tasks,
      profile: sql<string | null>`json_extract(${v.manifest}, '$.lineage.profile')`,
    })
    .from(schema.models)
    .innerJoin(latest, eq(latest.modelId, schema.models.id))
    .innerJoin(v, and(eq(v.modelId, schema.models.id), eq(v.version, latest.version)))
    .leftJoin(schema.tasks, eq(schema.tasks.id, schema.models.task))
    .where(and(options.task ? eq(schema.models.task, options.task) : undefined, visibleTo(viewer)))
    .orderBy(schema.models.task, schema.models.name);
  const versionIds = rows.map((r) => r.version.id);
  const metricRows = versionIds.length
    ? await db.select().from(schema.metrics).where(inArray(schema.metrics.versionId, versionIds))
    : [];
  const byVersion = new Map<number, Record<string, number>>();
  for (const m of metricRows) {
    const rec = byVersion.get(m.versionId) ?? {};
    rec[m.name] = m.value;
    byVersion.set(m.versionId, rec);
  }
  return rows.map((r) => ({
    name: r.model.name,
    task: r.model.task,
    kind: r.model.kind,
    description: r.model.description,
    author: r.model.author,
    visibility: r.model.visibility,
    latestVersion: r.version.version,
    parameters: r.version.parameters,
    createdAt: r.version.createdAt,
    recommended: r.task?.recommendedModelId === r.model.id,
    imported: r.version.datasetHash.startsWith('import:'),
    metrics: byVersion.get(r.version.id) ?? {},
    profile: r.profile ?? null,
  }));
}

/** A model someone may change, with every version (newest first), for the publishing page. */
export interface ManagedModel {
  name: string;
  task: string;
  kind: 'network' | 'baseline';
  visibility: Visibility;
  versions: { version: number; status: 'active' | 'deprecated'; createdAt: string; recommended: boolean }[];
}

/**
 * The models `actor` owns (an admin: all of them), ordered by task and name, each with all its
 * versions newest first and whether a version is its task's promoted one. Anonymous: none.
 */
export async function managedModels(db: RegistryDb, actor: Principal): Promise<ManagedModel[]> {
  if (actor.userId === null) return [];
  const v = schema.modelVersions;
  const rows = await db
    .select({ model: schema.models, version: v.version, status: v.status, createdAt: v.createdAt, task: schema.tasks })
    .from(schema.models)
    .innerJoin(v, eq(v.modelId, schema.models.id))
    .leftJoin(schema.tasks, eq(schema.tasks.id, schema.models.task))
    .where(actor.isAdmin ? undefined : eq(schema.models.ownerId, actor.userId))
    .orderBy(schema.models.task, schema.models.name, desc(v.version));
  const models = new Map<string, ManagedModel>();
  for (const r of rows) {
    const m = models.get(r.model.name) ?? {
      name: r.model.name,
      task: r.model.task,
      kind: r.model.kind,
      visibility: r.model.visibility,
      versions: [],
    };
    m.versions.push({
      version: r.version,
      status: r.status,
      createdAt: r.createdAt,
      recommended: r.task?.recommendedModelId === r.model.id && r.task?.recommendedVersion === r.version,
    });
    models.set(r.model.name, m);
  }
  return [...models.values()];
}

/** A model row the principal may read, or a not_found RegistryError (never a 403: names must not leak). */
export async function findReadableModel(db: RegistryDb, name: string, viewer: Principal): Promise<schema.ModelRow> {
  const model = await db.select().from(schema.models).where(eq(schema.models.name, name)).get();
  if (!model || !canRead(viewer, model)) {
    throw new RegistryError(`model "${name}" not found`, { code: 'not_found', field: 'name' });
  }
  return model;
}

/** A model row the principal may change: unreadable is not_found, readable but not writable is forbidden. */
export async function findWritableModel(db: RegistryDb, name: string, actor: Principal): Promise<schema.ModelRow> {
  const model = await findReadableModel(db, name, actor);
  if (!canWrite(actor, model)) {
    throw new RegistryError(`you may not change model "${name}"`, { code: 'forbidden' });
  }
  return model;
}

/** Changes who can see a model. */
export async function setVisibility(
  db: RegistryDb,
  name: string,
  visibility: Visibility,
  actor: Principal,
  collaboration?: string,
): Promise<void> {
  const model = await findWritableModel(db, name, actor);
  let collaborationIdOf: number | null = null;
  if (visibility === 'collaboration') {
    if (!collaboration) {
      throw new RegistryError('visibility "collaboration" needs a collaboration', {
        code: 'invalid',
        field: 'collaboration',
      });
    }
    collaborationIdOf = await collaborationId(db, collaboration);
  }
  await db.batch([
    db
      .update(schema.models)
      .set({ visibility, collaborationId: collaborationIdOf })
      .where(eq(schema.models.id, model.id)),
    db.insert(schema.auditLog).values({
      actorId: actor.userId,
      action: 'model.visibility',
      modelId: model.id,
      details: JSON.stringify({ visibility, collaboration: collaboration ?? null }),
    }),
  ]);
}

/** Number of models in the registry (the start command trains defaults when it is 0). */
export async function countModels(db: RegistryDb): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(schema.models).get();
  return row?.n ?? 0;
}
