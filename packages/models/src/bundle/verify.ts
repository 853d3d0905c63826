import { BundleError } from '../errors.ts';
import { sha256Hex } from './hash.ts';
import type { BundleManifestV1 } from './manifest.ts';

/**
 * Checks a file's bytes against the manifest's entry (size, then sha256) and returns them as
 * float32 weights when it is the weights file. A mismatch is a {@link BundleError} naming the file.
 */
export async function verifyBundleFile(manifest: BundleManifestV1, path: string, bytes: Uint8Array): Promise<void> {
  const entry = manifest.files.find((f) => f.path === path);
  if (!entry) throw new BundleError(`${path}: not listed in manifest.files`, { field: path });
  if (bytes.byteLength !== entry.bytes) {
    throw new BundleError(`${path}: ${bytes.byteLength} bytes, manifest says ${entry.bytes}`, { field: path });
  }
  const actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new BundleError(`${path}: sha256 ${actual} does not match manifest ${entry.sha256}`, { field: path });
  }
}

/** Little-endian float32 view of the weights bytes (copied when unaligned). */
export function weightsFromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new BundleError('weights: length is not a multiple of 4 bytes');
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Float32Array(bytes.slice().buffer);
}
