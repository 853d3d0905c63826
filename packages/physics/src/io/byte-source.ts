/**
 * Files read piecewise: readers of large files (ROOT through jsroot, Parquet through hyparquet)
 * ask for byte ranges, so a file need never be in memory whole. The caller supplies the source
 * (a Node file handle in the CLIs, an R2 object or a browser File elsewhere); this module only
 * types it, so it runs everywhere.
 */

/** Bytes read on demand: a file on disk, an object in a bucket, an ArrayBuffer. */
export interface ByteSource {
  /** Its name, for messages. */
  readonly name: string;
  /** Its length in bytes. */
  readonly size: number;
  /** `length` bytes from `position` (a short read means a truncated file). */
  read(position: number, length: number): Promise<Uint8Array>;
}

/** Progress of a chunked read, after each chunk. */
export interface ReadProgress {
  /** The file being read. */
  file: string;
  /** Entries (events) read so far, in this file and in all. */
  entries: number;
  totalEntries: number;
  /** Bytes read from the file so far and the file's size. */
  bytes: number;
  totalBytes: number;
}

/** A {@link ByteSource} over bytes in memory. */
export function bytesSource(buffer: ArrayBuffer | Uint8Array, name = 'input'): ByteSource {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  return {
    name,
    size: bytes.byteLength,
    read: async (position, length) => bytes.subarray(position, Math.min(bytes.byteLength, position + length)),
  };
}

/** The bytes `[position, position + length)` of a source as an ArrayBuffer of their own. */
export async function readRange(source: ByteSource, position: number, length: number): Promise<ArrayBuffer> {
  const chunk = await source.read(position, length);
  if (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer) {
    return chunk.buffer;
  }
  return chunk.slice().buffer as ArrayBuffer;
}
