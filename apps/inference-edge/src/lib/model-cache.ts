import { MANIFEST_FILE, sha256Hex } from '@hepml/models/bundle';
import {
  type D1Binding,
  openRegistry,
  type ResolvedVersion,
  type VersionFiles,
  versionFiles,
} from '@hepml/models/registry';
import {
  BundleError,
  type BundleManifestV1,
  createRunner,
  type EnergyFromCorrection,
  energyFromCorrection,
  Lru,
  type ModelRunner,
  parseManifest,
  scoreOutputIndex,
  verifyBundleFile,
} from '@hepml/models/runtime';
import { type CorrectionSetV2, DataFormatError, validateCorrectionSet } from '@hepml/physics';
import type { Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { type ImageSpec, imageOf, scaleFactorsPathOf } from './manifest-view.ts';
import { resolveRef, type VersionRef, versionOf } from './resolve.ts';
import { type ScaleFactorLookup, scaleFactorLookups } from './scale-factors.ts';

/** A loaded, verified model version ready to evaluate. */
export interface LoadedModel {
  name: string;
  task: string;
  version: number;
  manifest: BundleManifestV1;
  manifestSha256: string;
  runner: ModelRunner;
  image: ImageSpec | undefined;
  /** Whether the model is a tagger (score outputs) or an energy regression. */
  kind: 'tagger' | 'regression';
  /** A regression whose output is a factor on an input: how its energy (GeV) is derived. */
  energyFromCorrection: EnergyFromCorrection | undefined;
  /** Index in the output row of the tagger score (first `score`, else first `class-score`). */
  scoreIndex: number;
  /** The bundle's correctionlib file, when it has scale factors. */
  scaleFactors: { path: string; bytes: Uint8Array; set: CorrectionSetV2 } | undefined;
  /** Per working point: how to evaluate its scale factor. */
  scaleFactorLookups: Map<string, ScaleFactorLookup>;
}

/** At most this many loaded versions per isolate; the least recently used goes first. */
const MAX_CACHED = 32;

// Per isolate: a version's bundle is fetched from R2 and verified once, then reused across
// requests. The key carries the manifest hash, so a republished (different) manifest is a new entry.
const cache = new Lru<string, Promise<LoadedModel>>(MAX_CACHED);

/** The cache key of a version: name, number and manifest sha256. */
export function cacheKey(ref: { name: string; version: number; manifestSha256: string }): string {
  return `${ref.name}@${ref.version}:${ref.manifestSha256}`;
}

/**
 * Returns the runnable model of a resolved version, loading its bundle from R2 on first use.
 * `manifest.json` is checked against the sha256 recorded at publish time and every file against
 * the manifest (size and sha256); any mismatch is a BundleError (served as 503, reason logged):
 * the version is refused and not cached, so a repaired object is picked up on the next request.
 */
export function loadModel(bucket: R2Bucket, db: D1Binding, ref: VersionRef): Promise<LoadedModel> {
  const key = cacheKey(ref);
  let entry = cache.get(key);
  if (entry) return entry;
  entry = fetchModel(bucket, db, ref);
  cache.set(key, entry);
  entry.catch(() => cache.delete(key));
  return entry;
}

/**
 * The model a request names (`version` absent or `latest`: the newest active version), resolved
 * for the request's principal and loaded: not_found for a model the principal may not see, a
 * BundleError (503) for a version that fails verification.
 */
export async function requestedModel(
  c: Context<AppEnv>,
  params: { name: string; version?: string | undefined },
): Promise<LoadedModel> {
  const ref = await resolveRef(c.env.DB, params.name, versionOf(params.version), c.get('principal'));
  return loadModel(c.env.MODELS, c.env.DB, ref);
}

/** Whether a version is loaded in this isolate (for tests and the readiness probe). */
export function isLoaded(ref: { name: string; version: number; manifestSha256: string }): boolean {
  return cache.has(cacheKey(ref));
}

/**
 * Reads one stored file of a version from R2 and checks it against the size and sha256 recorded at
 * publish time; a missing or altered object is a BundleError (the version is unavailable, 503).
 */
async function readStored(bucket: R2Bucket, label: string, files: VersionFiles, path: string): Promise<Uint8Array> {
  const file = files[path];
  if (!file) throw new BundleError(`${label}: ${path} has no artifact row`, { field: path });
  const object = await bucket.get(file.r2Key);
  if (!object) throw new BundleError(`${label}: ${file.r2Key} missing from R2`, { field: path });
  const bytes = new Uint8Array(await object.arrayBuffer());
  if (bytes.byteLength !== file.bytes || (await sha256Hex(bytes)) !== file.sha256) {
    throw new BundleError(`${label}: ${path} does not match its recorded sha256`, { field: path });
  }
  return bytes;
}

async function fetchModel(bucket: R2Bucket, db: D1Binding, ref: VersionRef): Promise<LoadedModel> {
  const label = `${ref.name}@${ref.version}`;
  const artifacts = await versionFiles(openRegistry(db), ref.versionId);
  const read = (path: string) => readStored(bucket, label, artifacts, path);
  const manifestBytes = await read(MANIFEST_FILE);
  if ((await sha256Hex(manifestBytes)) !== ref.manifestSha256) {
    throw new BundleError(`${label}: manifest.json does not match the version's manifest sha256`, {
      field: MANIFEST_FILE,
    });
  }
  let manifest: BundleManifestV1;
  try {
    manifest = parseManifest(JSON.parse(new TextDecoder().decode(manifestBytes)));
  } catch (cause) {
    if (cause instanceof BundleError)
      throw new BundleError(`${label}: ${cause.message}`, { field: cause.field, cause });
    throw new BundleError(`${label}: manifest.json is not valid JSON`, { field: MANIFEST_FILE, cause });
  }
  const files: Record<string, Uint8Array> = {};
  for (const f of manifest.files) {
    const bytes = await read(f.path);
    await verifyBundleFile(manifest, f.path, bytes);
    files[f.path] = bytes;
  }
  const runner = createRunner(manifest, files);

  let scaleFactors: LoadedModel['scaleFactors'];
  const sfPath = scaleFactorsPathOf(manifest);
  if (sfPath !== undefined) {
    const bytes = files[sfPath];
    if (!bytes) throw new BundleError(`${label}: scale factors ${sfPath} not in manifest.files`, { field: sfPath });
    try {
      const set = validateCorrectionSet(JSON.parse(new TextDecoder().decode(bytes)), { file: sfPath });
      scaleFactors = { path: sfPath, bytes, set };
    } catch (cause) {
      const why = cause instanceof DataFormatError ? cause.message : `${sfPath} is not valid JSON`;
      throw new BundleError(`${label}: ${why}`, { field: sfPath, cause });
    }
  }
  const regression = manifest.outputs.some((o) => o.kind === 'energy');
  // The output the working points cut on (for W/top/QCD the discriminant w_vs_qcd).
  const scoreIndex = scoreOutputIndex(manifest);
  return {
    name: ref.name,
    task: ref.task,
    version: ref.version,
    manifest,
    manifestSha256: ref.manifestSha256,
    runner,
    image: imageOf(manifest),
    kind: regression || scoreIndex < 0 ? 'regression' : 'tagger',
    energyFromCorrection: energyFromCorrection(manifest),
    scoreIndex: Math.max(0, scoreIndex),
    scaleFactors,
    scaleFactorLookups: scaleFactors
      ? scaleFactorLookups(
          scaleFactors.set,
          manifest.workingPoints.map((w) => w.name),
        )
      : new Map(),
  };
}

/**
 * Reads one file of a resolved version from R2 and checks its size and sha256 against the
 * manifest. A missing or altered object is a BundleError: that version is unavailable (503),
 * other versions and models keep serving.
 */
export async function fetchVerifiedFile(
  bucket: R2Bucket,
  resolved: ResolvedVersion,
  path: string,
): Promise<Uint8Array> {
  const bytes = await readStored(bucket, `${resolved.name}@${resolved.version}`, resolved.files, path);
  // Every file is checked against the hash recorded at publish time; data files also against the
  // manifest (manifest.json itself is not listed in manifest.files).
  if (path !== MANIFEST_FILE) await verifyBundleFile(resolved.manifest, path, bytes);
  return bytes;
}
