/**
 * The serialisation primitives of {@link writeRootTree}: a big-endian buffer with ROOT's byte-count
 * and class-tag conventions, TKey headers and TStreamerInfo records (ROOT file layout,
 * https://root.cern/doc/master/classTFile.html).
 */
import { PhysicsInputError } from '../errors.ts';

export const K_BYTE_COUNT_MASK = 0x40000000;
export const K_NEW_CLASS_TAG = 0xffffffff;
/** ROOT type codes of TStreamerElement (TVirtualStreamerInfo::EReadWrite). */
export const K_BASE = 0;
export const K_SHORT = 2;
export const K_INT = 3;
export const K_FLOAT = 5;
export const K_DOUBLE = 8;
export const K_LONG64 = 16;
export const K_BOOL = 18;
export const K_OBJECT = 61;
export const K_OBJECT_POINTER = 64;
/** A fixed creation time (TDatime packing of 2026-01-01 00:00:00) so that equal data give equal bytes. */
export const DATIME = ((2026 - 1995) << 26) | (1 << 22) | (1 << 17);
export const FILE_VERSION = 62206;

/** Big-endian byte writer with ROOT's byte-count and object-tag conventions. */
export class RootBuffer {
  private bytes = new Uint8Array(1024);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  i16(v: number): void {
    this.reserve(2);
    this.view.setInt16(this.length, v);
    this.length += 2;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0);
    this.length += 4;
  }
  i64(v: number): void {
    this.reserve(8);
    this.view.setBigInt64(this.length, BigInt(v));
    this.length += 8;
  }
  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.length, v);
    this.length += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }
  raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }
  /** TString: one length byte (255 then a 4-byte length for long strings), then the characters. */
  tstring(s: string): void {
    const b = latin1(s);
    if (b.length < 255) this.u8(b.length);
    else {
      this.u8(255);
      this.i32(b.length);
    }
    this.raw(b);
  }
  /** A class body preceded by its byte count and version. */
  versioned(version: number, body: () => void): void {
    const at = this.length;
    this.u32(0);
    this.i16(version);
    body();
    this.view.setUint32(at, (this.length - at - 4) | K_BYTE_COUNT_MASK);
  }
  /** An object written through a pointer: byte count, new-class tag, class name, the object. */
  object(className: string, version: number, body: () => void): void {
    const at = this.length;
    this.u32(0);
    this.u32(K_NEW_CLASS_TAG);
    this.raw(latin1(className));
    this.u8(0);
    this.versioned(version, body);
    this.view.setUint32(at, (this.length - at - 4) | K_BYTE_COUNT_MASK);
  }
  /** TObject: version 1 without byte count, fUniqueID, fBits (kNotDeleted). */
  tobject(): void {
    this.i16(1);
    this.u32(0);
    this.u32(0x03000000);
  }
  tnamed(name: string, title: string): void {
    this.versioned(1, () => {
      this.tobject();
      this.tstring(name);
      this.tstring(title);
    });
  }
  /** TObjArray (version 3) of objects written by `items`. */
  objArray(items: (() => void)[]): void {
    this.versioned(3, () => {
      this.tobject();
      this.tstring('');
      this.i32(items.length);
      this.i32(0);
      for (const write of items) write();
    });
  }
  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

export function latin1(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new PhysicsInputError(`ROOT names must be Latin-1: ${s}`, { field: 'name' });
    b[i] = c;
  }
  return b;
}

/** Bytes of a TKey header with these strings (the fixed part is 26 bytes with 32-bit seeks). */
export function keyLength(className: string, name: string, title: string): number {
  const t = (s: string): number => (s.length < 255 ? 1 : 5) + s.length;
  return 26 + t(className) + t(name) + t(title);
}

export interface KeyHeader {
  nbytes: number;
  /** Key length when the record's header is longer than the TKey (TBasket adds 17 bytes). */
  keyLen?: number;
  objlen: number;
  seekKey: number;
  className: string;
  name: string;
  title: string;
}

export function writeKeyHeader(b: RootBuffer, k: KeyHeader): void {
  b.i32(k.nbytes);
  b.i16(4);
  b.i32(k.objlen);
  b.u32(DATIME);
  b.i16(k.keyLen ?? keyLength(k.className, k.name, k.title));
  b.i16(1);
  b.i32(k.seekKey);
  b.i32(100);
  b.tstring(k.className);
  b.tstring(k.name);
  b.tstring(k.title);
}

/** A TStreamerElement body (version 4) with the given name, type code, size and type name. */
export function element(
  b: RootBuffer,
  name: string,
  title: string,
  type: number,
  size: number,
  typeName: string,
): void {
  b.versioned(4, () => {
    b.tnamed(name, title);
    b.i32(type);
    b.i32(size);
    b.i32(0);
    b.i32(0);
    for (let k = 0; k < 5; k++) b.i32(0);
    b.tstring(typeName);
  });
}

export type Member = { name: string; type: number; size: number; typeName: string; base?: number };

export function streamerInfo(b: RootBuffer, className: string, version: number, members: Member[]): void {
  b.object('TStreamerInfo', 9, () => {
    b.tnamed(className, '');
    b.u32(0x68656d6c); // fCheckSum: not used for versioned reads
    b.i32(version);
    b.object('TObjArray', 3, () => {
      b.tobject();
      b.tstring('');
      b.i32(members.length);
      b.i32(0);
      for (const m of members) {
        if (m.type === K_BASE) {
          b.object('TStreamerBase', 3, () => {
            element(b, m.name, '', K_BASE, 0, 'BASE');
            b.i32(m.base ?? 1);
          });
        } else {
          const cls =
            m.type === K_OBJECT
              ? 'TStreamerObject'
              : m.type === K_OBJECT_POINTER
                ? 'TStreamerObjectPointer'
                : 'TStreamerBasicType';
          b.object(cls, 2, () => element(b, m.name, '', m.type, m.size, m.typeName));
        }
      }
    });
  });
}
