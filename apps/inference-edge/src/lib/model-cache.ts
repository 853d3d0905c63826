import { MANIFEST_FILE, sha256Hex } from '@hepml/models/bundle';
import type { ResolvedVersion } from '@hepml/models/registry';
import {
  BundleError,
  type BundleManifestV1,
  createMlpRunner,
  type MlpRunner,
  verifyBundleFile,
  weightsFromBytes,
} from '@hepml/models/runtime';

/** A loaded, verified model version ready to evaluate. */
export interface LoadedModel {
  name: string;
  version: number;
  manifest: BundleManifestV1;
  runner: MlpRunner;
}

// Per isolate: bundles are fetched from R2 and verified once, then reused across requests.
const cache = new Map<string, Promise<LoadedModel>>();

/**
 * Returns the runnable model of a resolved version, loading its weights from R2 on first use.
 * The weights' size and sha256 are checked against the manifest; a mismatch is a BundleError (the
 * version is refused and not cached, so a repaired object is picked up on the next request).
 */
export function loadModel(bucket: R2Bucket, resolved: ResolvedVersion): Promise<LoadedModel> {
  const key = `${resolved.name}@${resolved.version}:${resolved.manifestSha256}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = fetchModel(bucket, resolved);
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

async function fetchModel(bucket: R2Bucket, resolved: ResolvedVersion): Promise<LoadedModel> {
  const { manifest } = resolved;
  const bytes = await fetchVerifiedFile(bucket, resolved, manifest.weights);
  return {
    name: resolved.name,
    version: resolved.version,
    manifest,
    runner: createMlpRunner(manifest, weightsFromBytes(bytes)),
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
  const file = resolved.files[path];
  if (!file) throw new BundleError(`${resolved.name}@${resolved.version}: ${path} has no artifact row`);
  const object = await bucket.get(file.r2Key);
  if (!object) throw new BundleError(`${resolved.name}@${resolved.version}: ${file.r2Key} missing from R2`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  // Every file is checked against the hash recorded at publish time; data files also against the
  // manifest (manifest.json itself is not listed in manifest.files).
  if (bytes.byteLength !== file.bytes || (await sha256Hex(bytes)) !== file.sha256) {
    throw new BundleError(`${resolved.name}@${resolved.version}: ${path} does not match its recorded sha256`);
  }
  if (path !== MANIFEST_FILE) await verifyBundleFile(resolved.manifest, path, bytes);
  return bytes;
}
