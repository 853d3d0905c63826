/**
 * The part of an R2 bucket the registry uses. Cloudflare's `R2Bucket` satisfies it structurally,
 * so this package needs no Workers types; tests may pass the Miniflare bucket.
 */
export interface BlobStore {
  put(key: string, value: ArrayBuffer | Uint8Array | string): Promise<unknown>;
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  delete(keys: string | string[]): Promise<void>;
}
