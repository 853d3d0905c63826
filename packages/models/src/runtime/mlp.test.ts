// The MLP runner's two paths (WebAssembly SIMD kernels, TypeScript loops) against a float64
// reference, over shapes that exercise every tile of the kernels: 4-row × 8/16-unit tiles, 4-unit
// tails, scalar unit tails, narrow (transposed) layers, row tails and blocks of 256 rows.
import { readFileSync } from 'node:fs';
import { Rng } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import type { BundleManifestV1, DenseLayerV1 } from '../bundle/manifest.ts';
import { mlpParameterCount } from '../bundle/manifest.ts';
import { ModelInputError } from '../errors.ts';
import { createMlpRunner } from './mlp.ts';
import { KERNELS_WASM_BASE64 } from './wasm/kernels-wasm.ts';
import { wasmKernels } from './wasm-kernels.ts';

function manifestOf(inputSize: number, layers: DenseLayerV1[], rng: Rng): BundleManifestV1 {
  return {
    inputs: Array.from({ length: inputSize }, (_, i) => ({
      name: `x${i}`,
      unit: '1',
      offset: rng.range(-5, 5),
      scale: rng.range(0.5, 3),
    })),
    architecture: { kind: 'mlp', inputSize, layers, parameters: mlpParameterCount(inputSize, layers) },
  } as unknown as BundleManifestV1;
}

/**
 * The network in float64, straight from the definition; `magnitude` is |b_j| + Σ_i |x_i·w_ij| of
 * the last layer, the scale of the float32 rounding error of a sum that cancels.
 */
function reference(
  m: BundleManifestV1,
  w: Float32Array,
  raw: Float32Array,
  n: number,
): { value: Float64Array; magnitude: Float64Array } {
  const arch = m.architecture;
  if (arch.kind !== 'mlp') throw new Error('mlp only');
  let x = Float64Array.from(raw, (v, k) => {
    const input = m.inputs[k % arch.inputSize];
    return input ? (v - input.offset) / input.scale : Number.NaN;
  });
  let fanIn = arch.inputSize;
  let o = 0;
  let magnitude = new Float64Array(0);
  for (const l of arch.layers) {
    const y = new Float64Array(n * l.units);
    magnitude = new Float64Array(n * l.units);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < l.units; j++) {
        let s = w[o + fanIn * l.units + j] ?? 0;
        let a = Math.abs(s);
        for (let i = 0; i < fanIn; i++) {
          const t = (x[r * fanIn + i] ?? 0) * (w[o + i * l.units + j] ?? 0);
          s += t;
          a += Math.abs(t);
        }
        y[r * l.units + j] = s;
        magnitude[r * l.units + j] = a;
      }
      const row = y.subarray(r * l.units, (r + 1) * l.units);
      if (l.activation === 'softmax') {
        const max = Math.max(...row);
        const e = row.map((v) => Math.exp(v - max));
        const sum = e.reduce((a, b) => a + b, 0);
        row.set(e.map((v) => v / sum));
      } else {
        const f = {
          linear: (v: number) => v,
          relu: (v: number) => Math.max(0, v),
          sigmoid: (v: number) => 1 / (1 + Math.exp(-v)),
          tanh: Math.tanh,
          elu: (v: number) => (v < 0 ? Math.expm1(v) : v),
        }[l.activation];
        row.set(row.map(f));
      }
    }
    o += fanIn * l.units + l.units;
    fanIn = l.units;
    x = y;
  }
  return { value: x, magnitude };
}

const d = (units: number, activation: DenseLayerV1['activation']): DenseLayerV1 => ({
  type: 'dense',
  units,
  activation,
});
const SHAPES: [string, number, DenseLayerV1[]][] = [
  ['electron-ID size 19→64→32→1', 19, [d(64, 'relu'), d(32, 'relu'), d(1, 'sigmoid')]],
  ['ALEPH 6→10→10→1', 6, [d(10, 'sigmoid'), d(10, 'sigmoid'), d(1, 'sigmoid')]],
  ['tanh/elu 6→10→9→5', 6, [d(10, 'tanh'), d(9, 'elu'), d(5, 'sigmoid')]],
  ['jet tagger 7→21→13→3 softmax', 7, [d(21, 'relu'), d(13, 'linear'), d(3, 'softmax')]],
  ['wide 5→36→2 regression', 5, [d(36, 'elu'), d(2, 'linear')]],
];

describe('mlp runner kernels', () => {
  it('has the wasm kernels in Node', () => {
    expect(wasmKernels()).not.toBeNull();
  });

  for (const [name, inputSize, layers] of SHAPES) {
    it(`wasm and ts equal the float64 network: ${name}`, () => {
      const rng = new Rng(inputSize * 31 + layers.length);
      const m = manifestOf(inputSize, layers, rng);
      const w = Float32Array.from({ length: mlpParameterCount(inputSize, layers) }, () => rng.range(-0.5, 0.5));
      const wasm = createMlpRunner(m, w, { kernels: 'wasm' });
      const ts = createMlpRunner(m, w, { kernels: 'ts' });
      expect([wasm.kernels, ts.kernels]).toEqual(['wasm', 'ts']);
      for (const n of [1, 3, 4, 7, 257, 600]) {
        const raw = Float32Array.from({ length: n * inputSize }, (_, k) => {
          const input = m.inputs[k % inputSize];
          return input ? input.offset + input.scale * rng.normal() : 0;
        });
        const { value: expected, magnitude } = reference(m, w, raw, n);
        for (const runner of [wasm, ts]) {
          const got = runner.predict(raw, n);
          expect(got).toHaveLength(expected.length);
          // 1e-5 relative, plus a float32 rounding allowance for sums that cancel (the bound of
          // floating-point summation scales with Σ|terms|, not with the result).
          let worst = 0;
          for (let k = 0; k < expected.length; k++) {
            const e = expected[k] ?? 0;
            const err = Math.abs((got[k] ?? 0) - e);
            worst = Math.max(worst, err / (1e-5 * Math.abs(e) + 1e-6 * (magnitude[k] ?? 0)));
          }
          expect(worst, `${runner.kernels} n=${n}`).toBeLessThan(1);
        }
      }
    });
  }

  it('predictInto writes into the given array and checks sizes', () => {
    const rng = new Rng(5);
    const [, inputSize, layers] = SHAPES[0] ?? ['', 0, []];
    const m = manifestOf(inputSize, layers, rng);
    const w = Float32Array.from({ length: mlpParameterCount(inputSize, layers) }, () => rng.range(-0.5, 0.5));
    const runner = createMlpRunner(m, w);
    const raw = Float32Array.from({ length: 2 * inputSize }, () => rng.normal());
    const out = new Float32Array(2);
    expect(runner.predictInto(raw, 2, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(runner.predict(raw, 2)));
    expect(() => runner.predict(raw, 3)).toThrow(ModelInputError);
    expect(() => runner.predictInto(raw, 2, new Float32Array(1))).toThrow(/out holds/);
  });

  it('embeds the committed kernels.wasm byte for byte', () => {
    const file = readFileSync(new URL('./wasm/kernels.wasm', import.meta.url));
    expect(Buffer.from(KERNELS_WASM_BASE64, 'base64').equals(file)).toBe(true);
    expect(WebAssembly.validate(file)).toBe(true);
  });
});
