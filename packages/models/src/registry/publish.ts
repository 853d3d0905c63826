import { validateCorrectionSet } from '@hepml/physics';
import { eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { type Bundle, buildBundle, MANIFEST_FILE } from '../bundle/build.ts';
import { sha256Hex } from '../bundle/hash.ts';
import { RegistryError, TaskFileError } from '../errors.ts';
import { bundleTaskFile } from '../tasks/bundle-task.ts';
import { canRead, canWrite, type Principal } from './access.ts';
import { collaborationId } from './collaborations.ts';
import type { RegistryDb } from './db.ts';
import { findWritableModel, type Visibility } from './models.ts';
import { parseScaleFactorTables, type ScaleFactorTablesV1, scaleFactorBinRows } from './scale-factor-tables.ts';
import * as schema from './schema.ts';
import type { BlobStore } from './store.ts';
import { taskRow } from './tasks.ts';
import { resolveVersion } from './versions.ts';

/** File names the registry gives attached scale factors inside a bundle. */
export const SCALE_FACTORS_FILE = 'scale-factors.json';
export const SCALE_FACTOR_TABLES_FILE = 'scale-factor-tables.json';

/**
 * R2 key of a bundle file: under a fresh upload id per publish, so that no two publishes ever
 * share an object. A failed publish can then delete exactly what it wrote without racing a
 * concurrent publish of the same bytes (content-addressed keys would be shared, and deleting an
 * "unreferenced" blob could remove one that another publish is about to reference).
 */
export function blobKey(uploadId: string, path: string): string {
  return `bundles/${uploadId}/${path}`;
}

/** Options of {@link publishBundle}. */
export interface PublishOptions {
  /** Who publishes: a user whose token carries the publish (or admin) scope. */
  actor: Principal;
  kind?: 'network' | 'baseline';
  author?: string;
  /** Visibility of a model published for the first time (default: private). */
  visibility?: Visibility;
  /** Collaboration name, required with visibility `collaboration`. */
  collaboration?: string;
  /** The version this one derives from (e.g. the same weights with new scale factors). */
  parentVersion?: number;
  /** How often to retry when a concurrent publish took the same version number. */
  retries?: number;
}

/** What {@link publishBundle} published. */
export interface Published {
  name: string;
  version: number;
  files: { path: string; bytes: number; sha256: string }[];
}

/**
 * Publishes a verified bundle as the next version of its model.
 *
 * 1. Files go to R2 under keys of their own (`bundles/<upload id>/<path>`): nothing is visible yet.
 * 2. One D1 batch (a transaction) creates the model if new, the version (number = max + 1,
 *    computed inside the statement), its artifacts, metrics, ROC points and an audit entry.
 *    Either all of it is visible or none of it is.
 * 3. Two concurrent publishes that compute the same number collide on the unique
 *    (model, version) index; the loser's batch rolls back and it retries with the next number.
 * 4. If the upload or the batch fails for good, the objects this call wrote are deleted again.
 */
export async function publishBundle(
  db: RegistryDb,
  store: BlobStore,
  bundle: Bundle,
  options: PublishOptions,
): Promise<Published> {
  const m = bundle.manifest;
  const actor = options.actor;
  if (actor.userId === null || !(actor.scopes.includes('publish') || actor.scopes.includes('admin'))) {
    throw new RegistryError('publishing needs a token with the publish scope', { code: 'forbidden' });
  }
  let definition: ReturnType<typeof bundleTaskFile>;
  try {
    definition = bundleTaskFile(bundle);
  } catch (cause) {
    if (!(cause instanceof TaskFileError)) throw cause;
    throw new RegistryError(cause.message, { code: 'invalid', field: cause.field ?? 'task.json', cause });
  }
  const task = taskRow(m.task, definition);
  const manifestBytes = bundle.files.get(MANIFEST_FILE);
  if (!manifestBytes) throw new RegistryError('bundle has no manifest.json', { code: 'invalid' });

  let collaborationRowId: number | null = null;
  if (options.visibility === 'collaboration') {
    if (!options.collaboration) {
      throw new RegistryError('visibility "collaboration" needs a collaboration', { code: 'invalid' });
    }
    const id = await collaborationId(db, options.collaboration);
    if (!actor.isAdmin && !actor.collaborationIds.includes(id)) {
      throw new RegistryError(`you are not a member of collaboration "${options.collaboration}"`, {
        code: 'forbidden',
      });
    }
    collaborationRowId = id;
  }

  const existing = await db.select().from(schema.models).where(eq(schema.models.name, m.name)).get();
  if (existing) {
    if (!canRead(actor, existing)) throw new RegistryError(`model "${m.name}" not found`, { code: 'not_found' });
    if (!canWrite(actor, existing)) {
      throw new RegistryError(`you may not publish versions of "${m.name}"`, { code: 'forbidden' });
    }
    if (existing.task !== m.task) {
      throw new RegistryError(`model "${m.name}" belongs to task ${existing.task}, bundle says ${m.task}`, {
        code: 'conflict',
      });
    }
  }

  checkCorrectionlib(bundle);
  const sfTables = scaleFactorTablesOf(bundle);

  const uploadId = crypto.randomUUID();
  const files: Published['files'] = [];
  const written: string[] = [];
  try {
    for (const [path, bytes] of bundle.files) {
      const sha256 = await sha256Hex(bytes);
      files.push({ path, bytes: bytes.byteLength, sha256 });
      written.push(blobKey(uploadId, path));
      await store.put(blobKey(uploadId, path), bytes);
    }
  } catch (cause) {
    // An upload interrupted half-way: remove what was written; nothing is in D1 yet.
    await store.delete(written).catch(() => undefined);
    throw new RegistryError(`uploading "${m.name}" failed; nothing was published`, { code: 'conflict', cause });
  }
  const manifestSha256 = files.find((f) => f.path === MANIFEST_FILE)?.sha256 ?? '';

  const attempts = (options.retries ?? 8) + 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const publishId = crypto.randomUUID();
    const versionIdOf = sql`(select id from ${schema.modelVersions} where ${schema.modelVersions.publishId} = ${publishId})`;
    const modelIdOf = sql`(select id from ${schema.models} where ${schema.models.name} = ${m.name})`;
    try {
      const v = schema.modelVersions;
      const statements = [
        db.insert(schema.tasks).values(task).onConflictDoNothing({ target: schema.tasks.id }),
        db
          .insert(schema.models)
          .values({
            name: m.name,
            task: m.task,
            description: m.description,
            kind: options.kind ?? 'network',
            author: options.author ?? actor.userName ?? 'hepml',
            ownerId: actor.userId,
            visibility: options.visibility ?? 'private',
            collaborationId: collaborationRowId,
          })
          .onConflictDoNothing({ target: schema.models.name }),
        // The version number is computed inside the statement (max + 1), so the unique index on
        // (model, version) is what arbitrates between concurrent publishes.
        db.insert(v).values({
          modelId: modelIdOf,
          version: sql`(select coalesce(max(${v.version}), 0) + 1 from ${v} where ${v.modelId} = ${modelIdOf})`,
          publishId,
          manifest: JSON.stringify(m),
          manifestSha256,
          parameters: m.architecture.parameters,
          datasetHash: m.lineage.datasetHash,
          codeVersion: m.lineage.codeVersion,
          parentVersion: options.parentVersion ?? null,
          publishedBy: actor.userId,
        }),
        ...files.map((f) =>
          db.insert(schema.artifacts).values({
            versionId: versionIdOf,
            path: f.path,
            r2Key: blobKey(uploadId, f.path),
            bytes: f.bytes,
            sha256: f.sha256,
          }),
        ),
        ...Object.entries(m.metrics).map(([name, value]) =>
          db.insert(schema.metrics).values({ versionId: versionIdOf, name, value }),
        ),
        ...chunked(
          (m.roc?.signalEfficiency ?? []).map((s, idx) => ({
            versionId: versionIdOf,
            idx,
            signalEfficiency: s,
            backgroundEfficiency: m.roc?.backgroundEfficiency[idx] ?? 0,
          })),
          ROC_ROWS_PER_STATEMENT,
        ).map((rows) => db.insert(schema.rocPoints).values(rows)),
        ...sfTables.flatMap(({ workingPoint, table }) => {
          const tableIdOf = sql`(select id from ${schema.scaleFactorTables} where ${schema.scaleFactorTables.versionId} = ${versionIdOf} and ${schema.scaleFactorTables.workingPoint} = ${workingPoint})`;
          return [
            db.insert(schema.scaleFactorTables).values({
              versionId: versionIdOf,
              workingPoint,
              dataSample: table.provenance.data,
              mcSample: table.provenance.mc,
              method: table.provenance.method,
            }),
            ...chunked(scaleFactorBinRows(table), SF_BIN_ROWS_PER_STATEMENT).map((rows) =>
              db.insert(schema.scaleFactorBins).values(rows.map((r) => ({ tableId: tableIdOf, ...r }))),
            ),
          ];
        }),
        db.insert(schema.auditLog).values({
          actorId: actor.userId,
          action: 'version.publish',
          modelId: modelIdOf,
          version: sql`(select ${v.version} from ${v} where ${v.publishId} = ${publishId})`,
          details: JSON.stringify({ manifestSha256 }),
        }),
      ] as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]];
      await db.batch(statements);
      const row = await db
        .select({ version: schema.modelVersions.version })
        .from(schema.modelVersions)
        .where(eq(schema.modelVersions.publishId, publishId))
        .get();
      if (!row) throw new RegistryError('published version not found after commit', { code: 'conflict' });
      return { name: m.name, version: row.version, files };
    } catch (err) {
      lastError = err;
      if (!isUniqueViolation(err)) break;
    }
  }
  // Nothing in D1 references this upload's objects (the batch rolled back): delete them all.
  await store.delete(written).catch(() => undefined);
  throw lastError instanceof RegistryError
    ? lastError
    : new RegistryError(`publishing "${m.name}" failed`, { code: 'conflict', cause: lastError });
}

/**
 * D1 binds at most 100 parameters per statement (https://developers.cloudflare.com/d1/platform/limits/);
 * a ROC point binds 4 (the version subquery's publish id, idx, εS, εB), so 24 rows per statement.
 */
const D1_MAX_BOUND_PARAMETERS = 100;
const ROC_ROWS_PER_STATEMENT = Math.floor(D1_MAX_BOUND_PARAMETERS / 4);
/** A scale-factor bin binds 11 (the table subquery's publish id and working point, 9 values). */
const SF_BIN_ROWS_PER_STATEMENT = Math.floor(D1_MAX_BOUND_PARAMETERS / 11);

/**
 * Validates the bundle's correctionlib file (`calibration.scaleFactors`) against schema v2, so that
 * no version is published whose scale factors the edge could not evaluate.
 */
function checkCorrectionlib(bundle: Bundle): void {
  const path = bundle.manifest.calibration?.scaleFactors;
  if (!path) return;
  const bytes = bundle.files.get(path);
  if (!bytes) throw new RegistryError(`${path}: listed in calibration.scaleFactors but missing`, { code: 'invalid' });
  try {
    validateCorrectionSet(JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)));
  } catch (cause) {
    const why =
      cause instanceof SyntaxError ? 'not valid JSON' : cause instanceof Error ? cause.message : String(cause);
    throw new RegistryError(`${path}: ${why}`, { code: 'invalid', cause });
  }
}

/** The bundle's full scale-factor tables (`calibration.tables`), validated; none when absent. */
function scaleFactorTablesOf(bundle: Bundle): ScaleFactorTablesV1['tables'] {
  const path = bundle.manifest.calibration?.tables;
  if (!path) return [];
  const bytes = bundle.files.get(path);
  if (!bytes) throw new RegistryError(`${path}: listed in calibration.tables but missing`, { code: 'invalid' });
  try {
    return parseScaleFactorTables(path, bytes).tables;
  } catch (cause) {
    throw new RegistryError(cause instanceof Error ? cause.message : String(cause), { code: 'invalid', cause });
  }
}

/** Splits rows into consecutive groups of at most `size` (multi-row inserts under D1's limit). */
export function chunked<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

function isUniqueViolation(err: unknown): boolean {
  const text = `${(err as Error)?.message ?? ''} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  return /UNIQUE constraint failed/i.test(text);
}

/** Scale factors to attach to a version: a correctionlib v2 file and, optionally, the full tables. */
export interface AttachScaleFactorsOptions {
  actor: Principal;
  /** correctionlib schema-v2 JSON (bytes), one correction per working point. */
  correctionlib: Uint8Array;
  /** `hepml-scale-factors/1` JSON (bytes), optional. */
  tables?: Uint8Array;
}

/**
 * Attaches (or replaces) the scale factors of a published version. Versions are immutable, so
 * this publishes a NEW version: the old one's files read back from the store (each checked
 * against its recorded sha256), `calibration` set to the given files, `parentVersion` pointing
 * at the old one; visibility and collaboration stay the model's. All-or-nothing as
 * {@link publishBundle}. Returns the new version.
 */
export async function attachScaleFactors(
  db: RegistryDb,
  store: BlobStore,
  name: string,
  version: number | 'latest',
  options: AttachScaleFactorsOptions,
): Promise<Published> {
  const model = await findWritableModel(db, name, options.actor);
  const resolved = await resolveVersion(db, name, version, options.actor);
  const data = new Map<string, Uint8Array>();
  const old = resolved.manifest.calibration;
  for (const [path, file] of Object.entries(resolved.files)) {
    if (path === MANIFEST_FILE || path === old?.scaleFactors || path === old?.tables) continue;
    const object = await store.get(file.r2Key);
    if (!object)
      throw new RegistryError(`${name} v${resolved.version}: ${path} is missing from storage`, { code: 'conflict' });
    const bytes = new Uint8Array(await object.arrayBuffer());
    if (bytes.byteLength !== file.bytes || (await sha256Hex(bytes)) !== file.sha256) {
      throw new RegistryError(`${name} v${resolved.version}: ${path} does not match its recorded sha256`, {
        code: 'conflict',
      });
    }
    data.set(path, bytes);
  }
  data.set(SCALE_FACTORS_FILE, options.correctionlib);
  if (options.tables) data.set(SCALE_FACTOR_TABLES_FILE, options.tables);
  const { files: _files, ...manifest } = resolved.manifest;
  let bundle: Bundle;
  try {
    bundle = await buildBundle(
      {
        ...manifest,
        calibration: {
          scaleFactors: SCALE_FACTORS_FILE,
          ...(options.tables ? { tables: SCALE_FACTOR_TABLES_FILE } : {}),
        },
      },
      data,
    );
  } catch (cause) {
    throw new RegistryError(cause instanceof Error ? cause.message : String(cause), { code: 'invalid', cause });
  }
  return publishBundle(db, store, bundle, {
    actor: options.actor,
    // The model row exists, so publishBundle keeps its visibility and collaboration as they are.
    kind: model.kind,
    parentVersion: resolved.version,
  });
}
