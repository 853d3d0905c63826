import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { fitGbdt } from '../baselines/gbdt.ts';
import { evaluateGbdt } from './baselines/gbdt.ts';
import { parseGbdt, serializeGbdt } from './baselines/gbdt-format.ts';
import { createMlpRunner } from './mlp.ts';
import { KERNELS_WASM_BASE64 } from './wasm/kernels-wasm.ts';
import { initWasmKernels, WasmKernels } from './wasm-kernels.ts';

const BYTES = new Uint8Array(Buffer.from(KERNELS_WASM_BASE64, 'base64'));

/** A fresh instance of the kernels, not the shared one the runners use. */
function freshKernels(): WasmKernels {
  return new WasmKernels(new WebAssembly.Instance(new WebAssembly.Module(BYTES), {}));
}

describe('the wasm allocator', () => {
  it('reuses released regions, merges neighbours, lowers the top and zeroes what it hands out', () => {
    const k = freshKernels();
    const a = k.alloc(100);
    const b = k.alloc(50);
    const c = k.alloc(10);
    expect([a % 16, b % 16, c % 16]).toEqual([0, 0, 0]);
    expect(b - a).toBe(400);
    k.heap().fill(7, b / 4, b / 4 + 50);
    k.release([b]);
    // First fit: a smaller request goes into b's place, zeroed.
    const d = k.alloc(20);
    expect(d).toBe(b);
    expect(Array.from(k.heap().subarray(d / 4, d / 4 + 20)).every((v) => v === 0)).toBe(true);
    k.release([a, d]);
    // a, d and the rest of b merged: 150 floats fit at a again.
    expect(k.alloc(150)).toBe(a);
    const inUse = k.bytesInUse();
    expect(inUse).toBe(608 + 48);
    // Releasing everything lowers the top: the next allocation starts where a did.
    k.release([a, c]);
    expect(k.bytesInUse()).toBe(0);
    k.heap().fill(3, a / 4, a / 4 + 200);
    const e = k.alloc(200);
    expect(e).toBe(a);
    expect(Array.from(k.heap().subarray(e / 4, e / 4 + 200)).every((v) => v === 0)).toBe(true);
    // Unknown offsets and double releases are ignored.
    k.release([e, e, 12345]);
    expect(k.bytesInUse()).toBe(0);
  });

  it("returns a runner's memory once the runner is garbage-collected", async () => {
    const manifest = {
      inputs: Array.from({ length: 8 }, (_, i) => ({ name: `x${i}`, unit: '1', offset: 0, scale: 1 })),
      architecture: {
        kind: 'mlp' as const,
        inputSize: 8,
        layers: [
          { type: 'dense' as const, units: 64, activation: 'relu' as const },
          { type: 'dense' as const, units: 1, activation: 'sigmoid' as const },
        ],
        parameters: 8 * 64 + 64 + 64 + 1,
      },
    };
    const weights = Float32Array.from({ length: manifest.architecture.parameters }, (_, i) => Math.sin(i));
    const { perModel, inUse, memoryBytes } = await buildAndDrop(() => {
      const runner = createMlpRunner(manifest as never, weights);
      expect(runner.kernels).toBe('wasm');
      return runner.predict(new Float32Array(8), 1)[0];
    });
    expect(perModel).toBeGreaterThan(64 * 1024);
    expect(inUse).toBeLessThanOrEqual(2 * perModel);
    expect(memoryBytes).toBeLessThan(30 * perModel);
  });

  it("returns a GBDT's trees in wasm memory once its model is garbage-collected", async () => {
    const n = 200;
    const x = Float32Array.from({ length: n * 2 }, (_, i) => Math.sin(0.7 * i));
    const target = Float64Array.from({ length: n }, (_, r) => ((x[2 * r] as number) > 0.2 ? 1 : 0));
    const json = JSON.stringify(
      serializeGbdt(fitGbdt({ inputs: ['a', 'b'], features: x, n, target, objective: 'binary', trees: 20 })),
    );
    // Each parse gives new trees arrays: a model cache that evicts and reloads does the same.
    const { perModel, inUse } = await buildAndDrop(() => evaluateGbdt(parseGbdt(JSON.parse(json)), x, n)[0]);
    expect(perModel).toBeGreaterThan(n * 2 * 4);
    expect(inUse).toBeLessThanOrEqual(2 * perModel);
  });
});

/**
 * Builds 200 models with `build`, each dropped at once, as a model cache that evicts and rebuilds
 * would, collecting garbage after every tenth, on a fresh shared instance of the kernels. Returns
 * the bytes one model holds, the bytes still in use at the end (a few models' worth when regions
 * come back; 200 without the release) and the size of the memory.
 */
async function buildAndDrop(build: () => unknown): Promise<{ perModel: number; inUse: number; memoryBytes: number }> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const k = initWasmKernels(BYTES);
  try {
    build();
    const perModel = k.bytesInUse();
    const settle = async () => {
      for (let round = 0; round < 20 && k.bytesInUse() > 2 * perModel; round++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    for (let i = 0; i < 200; i++) {
      build();
      if (i % 10 === 9) await settle();
    }
    await settle();
    return { perModel, inUse: k.bytesInUse(), memoryBytes: k.exports.memory.buffer.byteLength };
  } finally {
    // A fresh shared instance for whatever runs after this in the same module graph.
    initWasmKernels(BYTES);
  }
}
