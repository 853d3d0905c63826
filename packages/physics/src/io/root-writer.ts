/**
 * A minimal writer of ROOT files holding one TTree of flat branches (numbers, text), in pure TypeScript
 * (jsroot reads ROOT files but cannot write them). Format: ROOT file layout
 * (https://root.cern/doc/master/classTFile.html, "ROOT files layout" in the ROOT sources):
 * a 100-byte header ("root", version, seeks), the top-directory record, one uncompressed TBasket
 * record per branch, the TTree record, the StreamerInfo record (a TList of TStreamerInfo that
 * describes the classes written) and the keys list; 32-bit seeks (files below 2 GB).
 *
 * Scope, and why: the reader's tests need a ROOT file that tests can create, and real collision
 * data arrive as flat ntuples. The file is self-describing — the TTree, TLeaf, TLeafX and TAttFill
 * layouts written here are declared in its StreamerInfo (a reduced TTree: TNamed, fEntries,
 * fBranches, fLeaves), and TBranch uses the class-version-8 layout that readers know without a
 * StreamerInfo. It is read by jsroot (tested through {@link readRootTree}); it is not a general
 * ROOT writer (no compression, no directories, one basket per branch, no TBranchElement).
 */
import { PhysicsInputError } from '../errors.ts';
import type { Dataset, DatasetColumn } from './dataset.ts';
import {
  DATIME,
  FILE_VERSION,
  K_BASE,
  K_BOOL,
  K_DOUBLE,
  K_FLOAT,
  K_INT,
  K_LONG64,
  K_OBJECT,
  K_OBJECT_POINTER,
  K_SHORT,
  type KeyHeader,
  keyLength,
  latin1,
  RootBuffer,
  streamerInfo,
  writeKeyHeader,
} from './root-buffer.ts';

/** Leaf class, type code and byte size per column storage. */
function leafKind(col: DatasetColumn): { cls: string; code: string; type: number; size: number; typeName: string } {
  if (col instanceof Float32Array) return { cls: 'TLeafF', code: 'F', type: K_FLOAT, size: 4, typeName: 'Float_t' };
  if (col instanceof Float64Array) return { cls: 'TLeafD', code: 'D', type: K_DOUBLE, size: 8, typeName: 'Double_t' };
  if (col instanceof Int32Array) return { cls: 'TLeafI', code: 'I', type: K_INT, size: 4, typeName: 'Int_t' };
  // Text: a TLeafC branch, one TString-coded entry each (a length byte, or 255 and an int32), located by entry offsets.
  return { cls: 'TLeafC', code: 'C', type: K_INT, size: 1, typeName: 'Int_t' };
}

/** Entry-offset array length written for TLeafC branches (ROOT's default for variable-size entries). */
const ENTRY_OFFSET_LEN = 1000;

function maxTextLength(col: readonly string[]): number {
  let m = 0;
  for (const s of col) m = Math.max(m, s.length);
  return m;
}

/** Options of {@link writeRootTree}. */
export interface RootWriteOptions {
  /** Name of the TTree (default `tree`). */
  treeName?: string;
  /** File name stored in the top directory (default `<dataset name>.root`). */
  fileName?: string;
}

/**
 * Writes the columns of a dataset (float32 → `/F`, float64 → `/D`, int32 → `/I`, text → `/C`) as
 * flat branches of one TTree in a minimal, uncompressed ROOT file (see the module comment for the
 * layout and its limits); text is Latin-1. Throws {@link PhysicsInputError} when no
 * column is given, text outside Latin-1, or the file would pass 2 GB (32-bit seeks).
 */
export function writeRootTree(ds: Dataset, options: RootWriteOptions = {}): ArrayBuffer {
  const treeName = options.treeName ?? 'tree';
  const fileName = options.fileName ?? `${ds.name}.root`;
  const branches = Object.entries(ds.columns);
  if (branches.length === 0) throw new PhysicsInputError('no column to write', { field: 'columns' });
  for (const [name, col] of branches) {
    if (Array.isArray(col) && col.some((v) => typeof v !== 'string' || /[\u0100-\uffff]/.test(v))) {
      throw new PhysicsInputError(`column ${name}: TLeafC text is written as Latin-1; it holds other characters`, {
        field: name,
      });
    }
  }
  const n = ds.n;

  // Top-directory record: key + TNamed(file name, title) + TDirectory + UUID + padding.
  const title = 'written by hepml-edge';
  const topKeyLen = keyLength('TFile', fileName, title);
  const nbytesName = topKeyLen + (1 + fileName.length) + (1 + title.length);
  const topLength = nbytesName + 2 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 18 + 12;
  let offset = 100 + topLength;

  // Baskets: one per branch, uncompressed big-endian values after a TBasket key.
  const baskets: { seek: number; bytes: Uint8Array }[] = [];
  for (const [name, col] of branches) {
    const kind = leafKind(col);
    const keyLen = keyLength('TBasket', name, treeName) + 2 + 4 + 4 + 4 + 4 + 1;
    const data = new RootBuffer();
    const entryOffsets: number[] = [];
    if (kind.code === 'C') {
      for (const text of col as string[]) {
        entryOffsets.push(keyLen + data.length);
        data.tstring(text);
      }
    } else {
      const values = col as Float32Array | Float64Array | Int32Array;
      for (let i = 0; i < n; i++) {
        if (kind.code === 'F') data.f32(values[i] as number);
        else if (kind.code === 'D') data.f64(values[i] as number);
        else data.i32(values[i] as number);
      }
    }
    const dataLen = data.length;
    // Variable-size entries: their offsets (from the key's start) follow the data, at fLast.
    const objlen = kind.code === 'C' ? dataLen + 4 + 4 * n : dataLen;
    const b = new RootBuffer();
    writeKeyHeader(b, {
      nbytes: keyLen + objlen,
      keyLen,
      objlen,
      seekKey: offset,
      className: 'TBasket',
      name,
      title: treeName,
    });
    b.i16(3); // TBasket version
    b.i32(keyLen + objlen); // fBufferSize
    b.i32(kind.code === 'C' ? ENTRY_OFFSET_LEN : kind.size); // fNevBufSize: bytes per entry, or the offsets' length
    b.i32(n); // fNevBuf: entries
    b.i32(keyLen + dataLen); // fLast
    b.u8(0); // flag: entry offsets, if any, are in the payload after fLast
    b.raw(data.result());
    if (kind.code === 'C') {
      b.i32(n);
      for (const o of entryOffsets) b.i32(o);
    }
    baskets.push({ seek: offset, bytes: b.result() });
    offset += b.length;
  }

  // The TTree object: TNamed, fEntries, fBranches (TBranch v8 each with its leaf), fLeaves.
  const body = new RootBuffer();
  body.versioned(5, () => {
    body.tnamed(treeName, ds.name);
    body.i64(n);
    body.objArray(
      branches.map(([name, col], j) => () => {
        const kind = leafKind(col);
        const basket = baskets[j] as { seek: number; bytes: Uint8Array };
        body.object('TBranch', 8, () => {
          body.tnamed(name, `${name}/${kind.code}`);
          body.versioned(2, () => {
            body.i16(0); // fFillColor
            body.i16(1001); // fFillStyle
          });
          body.i32(0); // fCompress
          body.i32(32000); // fBasketSize
          body.i32(kind.code === 'C' ? ENTRY_OFFSET_LEN : 0); // fEntryOffsetLen
          body.i32(1); // fWriteBasket
          body.i32(n); // fEntryNumber
          body.i32(0); // fOffset
          body.i32(2); // fMaxBaskets
          body.i32(1); // fSplitLevel
          body.f64(n); // fEntries
          body.f64(basket.bytes.length); // fTotBytes
          body.f64(basket.bytes.length); // fZipBytes
          body.objArray([]); // fBranches
          body.objArray([
            () =>
              body.object(kind.cls, 1, () => {
                body.versioned(2, () => {
                  body.tnamed(name, name);
                  body.i32(kind.code === 'C' ? maxTextLength(col as string[]) + 1 : 1); // fLen
                  body.i32(kind.size); // fLenType
                  body.i32(0); // fOffset
                  body.u8(0); // fIsRange
                  body.u8(0); // fIsUnsigned
                  body.u32(0); // fLeafCount: null pointer
                });
                if (kind.code === 'F') {
                  body.f32(0);
                  body.f32(0);
                } else if (kind.code === 'D') {
                  body.f64(0);
                  body.f64(0);
                } else {
                  body.i32(0);
                  body.i32(0);
                }
              }),
          ]);
          body.objArray([]); // fBaskets
          body.u8(1);
          body.i32(basket.bytes.length); // fBasketBytes
          body.i32(0);
          body.u8(1);
          body.i32(0); // fBasketEntry
          body.i32(n);
          body.u8(1);
          body.i32(basket.seek); // fBasketSeek
          body.i32(0);
          body.tstring(''); // fFileName: this file
        });
      }),
    );
    body.objArray([]); // fLeaves (the leaves are reached through their branches)
  });
  const treeSeek = offset;
  const treeKeyLen = keyLength('TTree', treeName, ds.name);
  const treeKey: KeyHeader = {
    nbytes: treeKeyLen + body.length,
    objlen: body.length,
    seekKey: treeSeek,
    className: 'TTree',
    name: treeName,
    title: ds.name,
  };
  const tree = new RootBuffer();
  writeKeyHeader(tree, treeKey);
  tree.raw(body.result());
  offset += tree.length;

  // StreamerInfo: the layouts of the classes written above that readers take from the file.
  const infos = new RootBuffer();
  infos.versioned(5, () => {
    infos.tobject();
    infos.tstring('');
    const leafClasses = [...new Set(branches.map(([, col]) => leafKind(col).cls))];
    const count = 4 + leafClasses.length;
    infos.i32(count);
    const add = (write: () => void): void => {
      write();
      infos.tstring('');
    };
    add(() =>
      streamerInfo(infos, 'TTree', 5, [
        { name: 'TNamed', type: K_BASE, size: 0, typeName: 'BASE', base: 1 },
        { name: 'fEntries', type: K_LONG64, size: 8, typeName: 'Long64_t' },
        { name: 'fBranches', type: K_OBJECT, size: 64, typeName: 'TObjArray' },
        { name: 'fLeaves', type: K_OBJECT, size: 64, typeName: 'TObjArray' },
      ]),
    );
    add(() =>
      streamerInfo(infos, 'TAttFill', 2, [
        { name: 'fFillColor', type: K_SHORT, size: 2, typeName: 'Color_t' },
        { name: 'fFillStyle', type: K_SHORT, size: 2, typeName: 'Style_t' },
      ]),
    );
    add(() =>
      streamerInfo(infos, 'TLeaf', 2, [
        { name: 'TNamed', type: K_BASE, size: 0, typeName: 'BASE', base: 1 },
        { name: 'fLen', type: K_INT, size: 4, typeName: 'Int_t' },
        { name: 'fLenType', type: K_INT, size: 4, typeName: 'Int_t' },
        { name: 'fOffset', type: K_INT, size: 4, typeName: 'Int_t' },
        { name: 'fIsRange', type: K_BOOL, size: 1, typeName: 'Bool_t' },
        { name: 'fIsUnsigned', type: K_BOOL, size: 1, typeName: 'Bool_t' },
        { name: 'fLeafCount', type: K_OBJECT_POINTER, size: 8, typeName: 'TLeaf*' },
      ]),
    );
    add(() =>
      streamerInfo(infos, 'TNamed', 1, [
        { name: 'TObject', type: K_BASE, size: 0, typeName: 'BASE', base: 1 },
        { name: 'fName', type: 65, size: 24, typeName: 'TString' },
        { name: 'fTitle', type: 65, size: 24, typeName: 'TString' },
      ]),
    );
    for (const cls of leafClasses) {
      const [type, size, typeName] =
        cls === 'TLeafF' ? [K_FLOAT, 4, 'Float_t'] : cls === 'TLeafD' ? [K_DOUBLE, 8, 'Double_t'] : [K_INT, 4, 'Int_t'];
      add(() =>
        streamerInfo(infos, cls, 1, [
          { name: 'TLeaf', type: K_BASE, size: 0, typeName: 'BASE', base: 2 },
          { name: 'fMinimum', type, size, typeName },
          { name: 'fMaximum', type, size, typeName },
        ]),
      );
    }
  });
  const infoSeek = offset;
  const infoKey: KeyHeader = {
    nbytes: keyLength('TList', 'StreamerInfo', 'Doubly linked list') + infos.length,
    objlen: infos.length,
    seekKey: infoSeek,
    className: 'TList',
    name: 'StreamerInfo',
    title: 'Doubly linked list',
  };
  const info = new RootBuffer();
  writeKeyHeader(info, infoKey);
  info.raw(infos.result());
  offset += info.length;

  // Keys list of the top directory: its own key, then the number of keys and their headers.
  const keysSeek = offset;
  const keysBody = new RootBuffer();
  keysBody.i32(1);
  writeKeyHeader(keysBody, treeKey);
  const keysKeyLen = keyLength('TFile', fileName, title);
  const keys = new RootBuffer();
  writeKeyHeader(keys, {
    nbytes: keysKeyLen + keysBody.length,
    objlen: keysBody.length,
    seekKey: keysSeek,
    className: 'TFile',
    name: fileName,
    title,
  });
  keys.raw(keysBody.result());
  offset += keys.length;
  const end = offset;
  if (end > 0x7fffffff) throw new PhysicsInputError('ROOT file would exceed 2 GB (32-bit seeks)', { field: 'n' });

  const top = new RootBuffer();
  writeKeyHeader(top, {
    nbytes: topLength,
    objlen: topLength - topKeyLen,
    seekKey: 100,
    className: 'TFile',
    name: fileName,
    title,
  });
  top.tstring(fileName);
  top.tstring(title);
  top.i16(5); // TDirectory version (< 1000: 32-bit seeks)
  top.u32(DATIME);
  top.u32(DATIME);
  top.i32(keys.length); // fNbytesKeys
  top.i32(nbytesName); // fNbytesName
  top.i32(100); // fSeekDir
  top.i32(0); // fSeekParent
  top.i32(keysSeek); // fSeekKeys
  top.i16(1); // UUID version
  for (let k = 0; k < 16; k++) top.u8(0);
  for (let k = 0; k < 12; k++) top.u8(0);

  const header = new RootBuffer();
  header.raw(latin1('root'));
  header.i32(FILE_VERSION);
  header.i32(100); // fBEGIN
  header.i32(end); // fEND
  header.i32(0); // fSeekFree
  header.i32(0); // fNbytesFree
  header.i32(0); // nfree
  header.i32(nbytesName);
  header.u8(4); // fUnits: 4-byte seeks
  header.i32(0); // fCompress
  header.i32(infoSeek);
  header.i32(info.length);
  header.i16(1); // UUID version
  while (header.length < 100) header.u8(0);

  const out = new Uint8Array(end);
  let at = 0;
  for (const part of [
    header.result(),
    top.result(),
    ...baskets.map((b) => b.bytes),
    tree.result(),
    info.result(),
    keys.result(),
  ]) {
    out.set(part, at);
    at += part.length;
  }
  return out.buffer;
}
