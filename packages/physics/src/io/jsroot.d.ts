/**
 * The parts of jsroot 7 (https://root.cern/js/) used by `root.ts` and `root-events.ts`. jsroot ships JavaScript with
 * no types for its subpath exports, so the signatures used here are declared, narrowly.
 */
declare module 'jsroot/io' {
  /** A ROOT file opened from its bytes: its top-directory keys and object reading. */
  export interface JsrootFile {
    fKeys: { fClassName: string; fName: string }[];
    readObject(name: string): Promise<unknown>;
  }
  /** A source of bytes jsroot reads a file through, piecewise (subclassed by the reader). */
  export class FileProxy {
    openFile(): Promise<boolean>;
    getFileName(): string;
    getFileSize(): number;
    readBuffer(position: number, length: number): Promise<DataView | null>;
    closeFile(): void;
  }
  export function openFile(source: ArrayBuffer | FileProxy): Promise<JsrootFile>;
}

declare module 'jsroot/tree' {
  /** Reads the added branches entry by entry into `tgtobj` and calls `Process` after each entry. */
  export class TSelector {
    tgtobj: Record<string, unknown>;
    addBranch(branch: string, name?: string, direct?: boolean): number;
    Process(entry?: number): void;
  }
  export function treeProcess(tree: unknown, selector: TSelector, args?: Record<string, unknown>): Promise<unknown>;
}
