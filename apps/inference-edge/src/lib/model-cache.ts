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
  const object = await bucket.get(`${resolved.bundleKey}/${manifest.weights}`);
  if (!object) throw new BundleError(`${resolved.bundleKey}/${manifest.weights}: missing from R2`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  await verifyBundleFile(manifest, manifest.weights, bytes);
  return {
    name: resolved.name,
    version: resolved.version,
    manifest,
    runner: createMlpRunner(manifest, weightsFromBytes(bytes)),
  };
}
