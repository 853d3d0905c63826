/**
 * A {@link ByteSource} over a file on disk, read by positioned reads (never whole), for the
 * readers of large ROOT and Parquet files. Node only, hence here and not in src/.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ByteSource } from '../src/index.ts';

/** An open file as a byte source; `close()` it when done. */
export interface FileSource extends ByteSource {
  close(): Promise<void>;
}

/** Opens `path` for positioned reads. Rejects with the system error (ENOENT, EISDIR …) as is. */
export async function openFileSource(path: string): Promise<FileSource> {
  const handle: FileHandle = await open(path, 'r');
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EISDIR' });
  }
  return {
    name: basename(path),
    size: stat.size,
    async read(position: number, length: number): Promise<Uint8Array> {
      const buffer = new Uint8Array(Math.max(0, Math.min(length, stat.size - position)));
      let done = 0;
      while (done < buffer.length) {
        const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === buffer.length ? buffer : buffer.subarray(0, done);
    },
    close: () => handle.close(),
  };
}
