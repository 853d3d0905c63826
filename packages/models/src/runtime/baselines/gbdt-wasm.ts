/**
 * The wasm layout of a packed GBDT forest for the kernel `gbdtSum` (kernels/kernels.ts), Workers-safe:
 * nodes, leaf values and per-tree records copied once into the kernels' memory.
 */
import { wasmKernels } from '../wasm-kernels.ts';
import type { PackedForest } from './gbdt.ts';

/** A forest laid out for the wasm kernel `gbdtSum`, with the buffers of a block of rows. */
export interface WasmForest {
  /** Inputs per row and classes it was laid out for. */
  d: number;
  K: number;
  /** The raw sums of a block of rows, [block × K] (a view renewed when the memory grew). */
  acc(): Float64Array;
  /** Adds every tree's leaf to acc() for rows start … start + m − 1 (m ≤ block) of features. */
  sum(features: Float32Array, start: number, m: number): void;
}

/**
 * The packed trees copied into the wasm kernels' memory in gbdtSum's layout: 16-byte nodes
 * [feature byte offset, left child address, threshold f64], leaves pointing at themselves with a
 * threshold of −∞, values beside, and per tree [root address, depth, class byte offset]. The regions
 * return to the allocator once the packed forest is collected; the block buffers hold `block` rows.
 * Null where the kernels are missing.
 */
export function wasmForest(p: PackedForest, d: number, K: number, block: number): WasmForest | null {
  const kernels = wasmKernels();
  if (!kernels) return null;
  const scope = kernels.scope();
  const total = p.feature.length;
  const T = p.roots.length;
  const nodesAt = scope.alloc(4 * total);
  const valuesAt = scope.alloc(2 * total);
  const treesAt = scope.alloc(4 * T);
  const xAt = scope.alloc(block * d);
  const accAt = scope.alloc(2 * block * K);
  const buffer = kernels.exports.memory.buffer;
  const i32 = new Int32Array(buffer);
  const f64 = new Float64Array(buffer);
  for (let i = 0; i < total; i++) {
    const at = nodesAt + 16 * i;
    const f = p.feature[i] as number;
    const leaf = f < 0;
    i32[at >> 2] = leaf ? 0 : 4 * f;
    i32[(at >> 2) + 1] = leaf ? at - 16 : nodesAt + 16 * (p.child[i] as number);
    f64[(at >> 3) + 1] = leaf ? Number.NEGATIVE_INFINITY : (p.threshold[i] as number);
    f64[(valuesAt >> 3) + i] = p.value[i] as number;
  }
  // Depth of each tree: the nodes of a tree are contiguous and breadth first, children after parents.
  const depth = new Int32Array(total);
  for (let t = 0; t < T; t++) {
    const root = p.roots[t] as number;
    const end = t + 1 < T ? (p.roots[t + 1] as number) : total;
    let max = 0;
    for (let i = root; i < end; i++) {
      if ((p.feature[i] as number) < 0) {
        max = Math.max(max, depth[i] as number);
        continue;
      }
      const c = p.child[i] as number;
      depth[c] = (depth[i] as number) + 1;
      depth[c + 1] = (depth[i] as number) + 1;
    }
    const rec = (treesAt >> 2) + 4 * t;
    i32[rec] = nodesAt + 16 * root;
    i32[rec + 1] = max;
    i32[rec + 2] = 8 * (K === 1 ? 0 : t % K);
  }
  kernels.releaseWhenCollected(p, scope);
  const exports = kernels.exports;
  let view = new Float64Array(buffer, accAt, block * K);
  return {
    d,
    K,
    acc() {
      if (view.buffer !== exports.memory.buffer) view = new Float64Array(exports.memory.buffer, accAt, block * K);
      return view;
    },
    sum(features, start, m) {
      kernels.heap().set(features.subarray(start * d, (start + m) * d), xAt >> 2);
      exports.gbdtSum(treesAt, T, nodesAt, valuesAt, xAt, m, d, accAt, K);
    },
  };
}
