import { KERNELS_WASM_BASE64 } from '../wasm/kernels-wasm.ts';

/** Activation codes of the wasm kernels (src/wasm/kernels.ts). */
export const WASM_ACTIVATION = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, elu: 4, softmax: 5 } as const;

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
  /** src map [h × w × c] → dst [oh·ow × kh·kw·c] (see src/wasm/kernels.ts). */
  im2col(
    ...args: [number, number, number, number, number, number, number, number, number, number, number, number, number]
  ): void;
  activate(y: number, rows: number, units: number, act: number): void;
  padMaps(
    src: number,
    n: number,
    h: number,
    w: number,
    c: number,
    dst: number,
    hp: number,
    wp: number,
    ph: number,
    pw: number,
  ): void;
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
    src: number,
    n: number,
    h: number,
    w: number,
    c: number,
    dst: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    ph: number,
    pw: number,
    max: number,
  ): void;
  film(x: number, n: number, hw: number, c: number, gb: number): void;
  affine(x: number, cells: number, c: number, a: number, b: number): void;
  meanPool(src: number, n: number, hw: number, c: number, dst: number): void;
  concatRows(a: number, aw: number, b: number, bw: number, dst: number, n: number): void;
}

/**
 * The instantiated SIMD kernels and a bump allocator over their linear memory. Regions are never
 * freed: runners allocate their packed weights and block buffers once, when they are built.
 */
export class WasmKernels {
  readonly exports: KernelExports;
  private top: number;
  private view: Float32Array;

  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports as unknown as KernelExports;
    this.top = align16(this.exports.heapBase());
    this.view = new Float32Array(this.exports.memory.buffer);
  }

  /** Reserves `floats` float32 values (16-byte aligned), growing the memory; returns a byte offset. */
  alloc(floats: number): number {
    const at = this.top;
    this.top = align16(at + floats * 4);
    const need = this.top - this.exports.memory.buffer.byteLength;
    if (need > 0) this.exports.memory.grow(Math.ceil(need / 65536));
    return at;
  }

  /** A float32 view of the whole memory (renewed after the memory grew). */
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
