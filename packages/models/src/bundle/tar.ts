import { concatArrays } from '@hepml/physics';
import { BundleError } from '../errors.ts';
/**
 * A POSIX ustar archive writer (IEEE Std 1003.1-1988) for bundle downloads: each file is a
 * 512-byte header (name, mode, size in octal, mtime, checksum) followed by its bytes padded to
 * 512, and the archive ends with two zero blocks. `tar xf` on any system reads it.
 */
export function writeTar(
  files: ReadonlyMap<string, Uint8Array>,
  options: { prefix?: string; mtime?: number } = {},
): Uint8Array<ArrayBuffer> {
  const enc = new TextEncoder();
  const blocks: Uint8Array[] = [];
  const mtime = Math.floor((options.mtime ?? 0) / 1000);
  for (const [path, bytes] of files) {
    const name = options.prefix ? `${options.prefix}/${path}` : path;
    const nameBytes = enc.encode(name);
    if (nameBytes.length > 100) throw new Error(`tar: file name longer than 100 bytes: ${name}`);
    const header = new Uint8Array(512);
    header.set(nameBytes, 0);
    const field = (offset: number, length: number, value: string) =>
      header.set(enc.encode(value.slice(0, length)), offset);
    const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
    field(100, 8, octal(0o644, 8));
    field(108, 8, octal(0, 8));
    field(116, 8, octal(0, 8));
    field(124, 12, octal(bytes.byteLength, 12));
    field(136, 12, octal(mtime, 12));
    header.fill(0x20, 148, 156); // checksum field counts as spaces while summing
    header[156] = 0x30; // regular file
    field(257, 6, 'ustar');
    field(263, 2, '00');
    let sum = 0;
    for (const b of header) sum += b;
    field(148, 8, `${octal(sum, 7)}\0`);
    blocks.push(header, bytes);
    const pad = (512 - (bytes.byteLength % 512)) % 512;
    if (pad) {
      blocks.push(new Uint8Array(pad));
    }
  }
  blocks.push(new Uint8Array(1024));
  return concatArrays(blocks, (n) => new Uint8Array(n));
}

/** Reads a ustar archive written by {@link writeTar} (regular files only) back into a map. */
export function readTar(archive: Uint8Array): Map<string, Uint8Array> {
  const dec = new TextDecoder();
  const files = new Map<string, Uint8Array>();
  let o = 0;
  let ended = false;
  while (o + 512 <= archive.byteLength) {
    const header = archive.subarray(o, o + 512);
    if (header.every((b) => b === 0)) {
      ended = true;
      break;
    }
    const str = (offset: number, length: number) =>
      dec.decode(header.subarray(offset, offset + length)).replace(/\0.*$/s, '');
    const name = str(0, 100).replace(/^\.\//, '');
    // The header checksum (sum of its bytes with the checksum field read as spaces) catches bit flips.
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
    if (Number.parseInt(str(148, 8).trim(), 8) !== sum) {
      throw new BundleError(`archive: header checksum mismatch at byte ${o} (corrupt or not a tar file)`, {
        field: 'archive',
      });
    }
    if (!/^[A-Za-z0-9._-][A-Za-z0-9._/-]{0,99}$/.test(name) || name.split('/').includes('..')) {
      throw new BundleError(`archive: unsafe entry name "${name}"`, { field: 'archive' });
    }
    const size = Number.parseInt(str(124, 12).trim(), 8);
    if (!Number.isFinite(size) || size < 0 || o + 512 + Math.ceil(size / 512) * 512 > archive.byteLength) {
      throw new BundleError(`archive: bad size for entry "${name}" (truncated or not a tar file)`, {
        field: name || 'archive',
      });
    }
    if (files.has(name)) throw new BundleError(`archive: duplicate entry "${name}"`, { field: name });
    if (header[156] === 0x30 || header[156] === 0) files.set(name, archive.slice(o + 512, o + 512 + size));
    o += 512 + Math.ceil(size / 512) * 512;
  }
  // A cut exactly between entries would otherwise read as a shorter, valid archive.
  if (!ended) throw new BundleError('archive: truncated (no end-of-archive block)', { field: 'archive' });
  return files;
}
