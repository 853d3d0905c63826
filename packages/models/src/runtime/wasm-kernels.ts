import { KERNELS_WASM_BASE64 } from './wasm/kernels-wasm.ts';

/** Activation codes of the wasm kernels (packages/models/kernels/kernels.ts). */
export const WASM_ACTIVATION = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, elu: 4, softmax: 5 } as const;

/** The leading arguments of the kernels from n maps [h × w × c] at src to maps at dst (byte offsets). */
type MapsToMaps = [src: number, n: number, h: number, w: number, c: number, dst: number];

interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  dense(x: number, w: number, b: number, y: number, rows: number, fanIn: number, units: number, act: number): void;
  denseNarrow(
    x: number,
    wt: number,
    b: number,
    y: number,
    rows: number,
    fanIn: number,
    units: number,
    act: number,
  ): void;
  activate(y: number, rows: number, units: number, act: number): void;
  padMaps(...args: [...MapsToMaps, hp: number, wp: number, ph: number, pw: number]): void;
  conv2d(
    src: number,
    n: number,
    hp: number,
    wp: number,
    c: number,
    kernel: number,
    bias: number,
    filters: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    oh: number,
    ow: number,
    dst: number,
    act: number,
    film: number,
  ): void;
  pool2d(
    ...args: [
      ...MapsToMaps,
      oh: number,
      ow: number,
      kh: number,
      kw: number,
      sh: number,
      sw: number,
      ph: number,
      pw: number,
      max: number,
    ]
  ): void;
  film(x: number, n: number, hw: number, c: number, gb: number): void;
  affine(x: number, cells: number, c: number, a: number, b: number): void;
  meanPool(src: number, n: number, hw: number, c: number, dst: number): void;
  concatRows(a: number, aw: number, b: number, bw: number, dst: number, n: number): void;
  gbdtSum(
    trees: number,
    T: number,
    nodes: number,
    values: number,
    x: number,
    rows: number,
    d: number,
    acc: number,
    K: number,
  ): void;
}

/** What the packers use: the kernels' exports, an allocator of their memory and its float view. */
export interface WasmArena {
  readonly exports: KernelExports;
  /** Reserves `floats` float32 values (16-byte aligned, zeroed); returns a byte offset. */
  alloc(floats: number): number;
  /** A float32 view of the whole memory (renewed after the memory grew). */
  heap(): Float32Array;
}

/** The regions one runner allocated, so that they can be returned together. */
export class WasmScope implements WasmArena {
  readonly regions: number[] = [];
  constructor(private readonly kernels: WasmKernels) {}
  get exports(): KernelExports {
    return this.kernels.exports;
  }
  alloc(floats: number): number {
    const at = this.kernels.alloc(floats);
    this.regions.push(at);
    return at;
  }
  heap(): Float32Array {
    return this.kernels.heap();
  }
}

/**
 * The instantiated SIMD kernels and a first-fit allocator over their linear memory. Runners
 * allocate their packed weights and block buffers once, when they are built, in a
 * {@link WasmScope}; {@link releaseWhenCollected} returns those regions once the runner has been
 * garbage-collected (FinalizationRegistry; in workerd with the `enable_weak_ref` compatibility
 * flag), so that a worker whose model cache evicts and rebuilds runners reuses the memory instead
 * of growing it for ever. Where FinalizationRegistry is missing, regions are kept (the old bump
 * behaviour). Regions handed out again are zeroed: the convolutions rely on zero borders.
 */
export class WasmKernels implements WasmArena {
  readonly exports: KernelExports;
  private top: number;
  private view: Float32Array;
  /** Live regions: byte offset → bytes. */
  private readonly sizes = new Map<number, number>();
  /** Free regions below `top`, sorted by offset, never adjacent (merged on release). */
  private readonly free: { at: number; bytes: number }[] = [];
  private readonly collector: FinalizationRegistry<number[]> | null =
    typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((regions) => this.release(regions)) : null;

  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as unknown as KernelExports;
    this.top = align16(this.exports.heapBase());
    this.view = new Float32Array(this.exports.memory.buffer);
  }

  alloc(floats: number): number {
    const bytes = align16(Math.max(1, floats) * 4);
    const i = this.free.findIndex((f) => f.bytes >= bytes);
    let at: number;
    if (i >= 0) {
      const f = this.free[i] as { at: number; bytes: number };
      at = f.at;
      if (f.bytes === bytes) this.free.splice(i, 1);
      else {
        f.at += bytes;
        f.bytes -= bytes;
      }
    } else {
      at = this.top;
      this.top = at + bytes;
      const need = this.top - this.exports.memory.buffer.byteLength;
      if (need > 0) this.exports.memory.grow(Math.ceil(need / 65536));
    }
    // Released memory (also above a lowered `top`) holds old values.
    this.heap().fill(0, at / 4, (at + bytes) / 4);
    this.sizes.set(at, bytes);
    return at;
  }

  /** Returns regions (offsets from {@link alloc}) to the allocator; unknown offsets are ignored. */
  release(regions: readonly number[]): void {
    for (const at of regions) {
      const bytes = this.sizes.get(at);
      if (bytes === undefined) continue;
      this.sizes.delete(at);
      let i = this.free.findIndex((f) => f.at > at);
      if (i < 0) i = this.free.length;
      this.free.splice(i, 0, { at, bytes });
      // Merge with the next region, then with the previous one.
      const next = this.free[i + 1];
      const cur = this.free[i] as { at: number; bytes: number };
      if (next && cur.at + cur.bytes === next.at) {
        cur.bytes += next.bytes;
        this.free.splice(i + 1, 1);
      }
      const prev = this.free[i - 1];
      if (prev && prev.at + prev.bytes === cur.at) {
        prev.bytes += cur.bytes;
        this.free.splice(i, 1);
      }
    }
    // A free region at the end goes back to the bump pointer.
    const last = this.free.at(-1);
    if (last && last.at + last.bytes === this.top) {
      this.top = last.at;
      this.free.pop();
    }
  }

  /** A scope that records the regions allocated through it. */
  scope(): WasmScope {
    return new WasmScope(this);
  }

  /**
   * Releases the scope's regions once `owner` has been garbage-collected. `owner` must be what
   * every user of the regions keeps alive (the object whose closures read them).
   */
  releaseWhenCollected(owner: object, scope: WasmScope): void {
    this.collector?.register(owner, scope.regions.slice());
  }

  /** Bytes of the live regions. */
  bytesInUse(): number {
    let sum = 0;
    for (const b of this.sizes.values()) sum += b;
    return sum;
  }

  heap(): Float32Array {
    if (this.view.buffer !== this.exports.memory.buffer) this.view = new Float32Array(this.exports.memory.buffer);
    return this.view;
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

let shared: WasmKernels | null | undefined;

/**
 * Instantiates the kernels from a precompiled `WebAssembly.Module` (what `import m from
 * '@hepml/models/wasm/kernels.wasm'` gives in workerd, where compiling from bytes is not allowed)
 * or from the module's bytes, and makes them the kernels every runner built afterwards uses.
 */
export function initWasmKernels(source: WebAssembly.Module | Uint8Array): WasmKernels {
  // workers-types declares WebAssembly.Module abstract (workerd refuses to compile bytes); Node and
  // browsers construct it, so the constructor is typed here for the bytes path only.
  const ModuleFromBytes = WebAssembly.Module as unknown as new (bytes: BufferSource) => WebAssembly.Module;
  const module = source instanceof WebAssembly.Module ? source : new ModuleFromBytes(source as BufferSource);
  shared = new WasmKernels(new WebAssembly.Instance(module, {}));
  return shared;
}

/**
 * The shared kernels, instantiated on first use from the embedded bytes; null where WebAssembly
 * or SIMD is unavailable or compiling from bytes is refused (workerd without
 * {@link initWasmKernels}): the runners then use their TypeScript loops.
 */
export function wasmKernels(): WasmKernels | null {
  if (shared === undefined) {
    try {
      initWasmKernels(base64Bytes(KERNELS_WASM_BASE64));
    } catch {
      shared = null;
    }
  }
  return shared ?? null;
}

function base64Bytes(b64: string): Uint8Array {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
