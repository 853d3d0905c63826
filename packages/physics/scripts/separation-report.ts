/**
 * How separable is a simulated binary task? Prints, on a held-out half, the AUC and the background
 * efficiency at a fixed signal efficiency for three classifiers of increasing power:
 * rectangular cuts (one-sided, at a common signal quantile), a projective likelihood (product of
 * binned one-dimensional density ratios, as the ATLAS electron likelihood) and a small MLP trained
 * here with plain loops (no tfjs, so the figure depends only on the sample).
 *
 *   pnpm exec tsx packages/physics/scripts/separation-report.ts [--task electron-id] [--n 200000] [--seed 1]
 */

import { parseArgs } from 'node:util';
import { at } from '../src/array.ts';
import { auc, generateElectronId, Rng } from '../src/index.ts';
import type { ColumnarSample } from '../src/sim/sample.ts';

const { values } = parseArgs({
  options: {
    task: { type: 'string', default: 'electron-id' },
    n: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '8' },
    'signal-efficiency': { type: 'string', default: '0.85' },
  },
});
const n = Number(values.n);
const seed = Number(values.seed);
const targetEff = Number(values['signal-efficiency']);
if (values.task !== 'electron-id') throw new Error(`separation-report: unsupported task ${values.task}`);
const sample: ColumnarSample = generateElectronId({ n, seed });
const names = Object.keys(sample.columns);
const half = Math.floor(n / 2);
const trainRows = Array.from({ length: half }, (_, i) => i);
const testRows = Array.from({ length: n - half }, (_, i) => half + i);
const labelsOf = (rows: number[]): Uint8Array => Uint8Array.from(rows, (r) => at(sample.label, r));
const testLabels = labelsOf(testRows);

function column(name: string): Float32Array {
  const c = sample.columns[name];
  if (!c) throw new Error(`missing column ${name}`);
  return c;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return at(s, Math.min(s.length - 1, Math.max(0, Math.floor(q * (s.length - 1)))));
}

function backgroundEfficiencyAt(scores: ArrayLike<number>, labels: Uint8Array, eff: number): number {
  const sig: number[] = [];
  const bkg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] ? sig : bkg).push(at(scores, i));
  const cut = quantile(sig, 1 - eff);
  return bkg.filter((x) => x >= cut).length / bkg.length;
}

// Projective likelihood: 40 bins per variable at quantiles of the training sample.
function projectiveLikelihood(): Float64Array {
  const logRatio = new Float64Array(testRows.length);
  for (const name of names) {
    const col = column(name);
    const edges = Array.from({ length: 39 }, (_, k) =>
      quantile(
        trainRows.map((r) => at(col, r)),
        (k + 1) / 40,
      ),
    );
    const bin = (x: number): number => {
      let b = 0;
      while (b < edges.length && x >= at(edges, b)) b++;
      return b;
    };
    const s = new Float64Array(40).fill(1);
    const b = new Float64Array(40).fill(1);
    for (const r of trainRows) {
      const h = sample.label[r] ? s : b;
      const k = bin(at(col, r));
      h[k] = at(h, k) + 1;
    }
    const ns = s.reduce((a, v) => a + v, 0);
    const nb = b.reduce((a, v) => a + v, 0);
    testRows.forEach((r, i) => {
      const k = bin(at(col, r));
      logRatio[i] = at(logRatio, i) + Math.log(at(s, k) / ns / (at(b, k) / nb));
    });
  }
  return logRatio;
}

// Rectangular cuts on the classic cut-based variables, each one-sided at the same signal quantile.
function cutBased(): Float64Array {
  const cutVars = ['rhad', 'reta', 'weta2', 'eratio', 'wstot', 'deltaEta1', 'eOverP', 'eProbabilityHT', 'd0sig'];
  const dirs = cutVars.map((name) => {
    const col = column(name);
    let ms = 0;
    let mb = 0;
    let ks = 0;
    for (const r of trainRows) {
      const v = name === 'deltaEta1' ? Math.abs(at(col, r)) : at(col, r);
      if (sample.label[r]) {
        ms += v;
        ks++;
      } else mb += v;
    }
    return ms / ks > mb / (trainRows.length - ks) ? 1 : -1;
  });
  const value = (k: number, r: number): number => {
    const name = at(cutVars, k);
    const v = at(column(name), r);
    return (dirs[k] as number) * (name === 'deltaEta1' ? Math.abs(v) : v);
  };
  const sigRows = trainRows.filter((r) => sample.label[r]);
  const sortedSig = cutVars.map((_, k) => sigRows.map((r) => value(k, r)).sort((a, b) => a - b));
  // Score = how many per-variable signal quantiles the candidate passes at the tightest level q
  // it survives: the minimum over variables of its signal-CDF value.
  const scores = new Float64Array(testRows.length);
  testRows.forEach((r, i) => {
    let minCdf = 1;
    for (let k = 0; k < cutVars.length; k++) {
      const sorted = at(sortedSig, k);
      const v = value(k, r);
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (at(sorted, mid) < v) lo = mid + 1;
        else hi = mid;
      }
      minCdf = Math.min(minCdf, lo / sorted.length);
    }
    scores[i] = minCdf;
  });
  return scores;
}

// A 2-hidden-layer MLP (32, 16, tanh) with Adam, on robustly scaled inputs: asinh((x − median)/IQR).
function mlp(epochs: number): Float64Array {
  const d = names.length;
  const centre = new Float64Array(d);
  const scale = new Float64Array(d);
  names.forEach((name, j) => {
    const xs = trainRows.slice(0, 20_000).map((r) => at(column(name), r));
    centre[j] = quantile(xs, 0.5);
    scale[j] = Math.max(1e-6, quantile(xs, 0.75) - quantile(xs, 0.25));
  });
  const input = (r: number, out: Float64Array): void => {
    for (let j = 0; j < d; j++) {
      out[j] = Math.asinh((at(column(at(names, j)), r) - at(centre, j)) / at(scale, j));
    }
  };
  const sizes = [d, 32, 16, 1];
  const rng = new Rng(seed + 1000);
  const W = sizes
    .slice(1)
    .map((m, l) => Float64Array.from({ length: m * at(sizes, l) }, () => rng.normal(0, 1 / Math.sqrt(at(sizes, l)))));
  const B = sizes.slice(1).map((m) => new Float64Array(m));
  const params = [...W, ...B];
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const grads = params.map((p) => new Float64Array(p.length));
  const acts = sizes.map((s) => new Float64Array(s));
  const deltas = sizes.map((s) => new Float64Array(s));
  const forward = (): number => {
    for (let l = 0; l < 3; l++) {
      const nin = at(sizes, l);
      const nout = at(sizes, l + 1);
      const w = W[l] as Float64Array;
      const b = B[l] as Float64Array;
      const a = acts[l] as Float64Array;
      const o = acts[l + 1] as Float64Array;
      for (let k = 0; k < nout; k++) {
        let z = at(b, k);
        for (let j = 0; j < nin; j++) z += at(w, k * nin + j) * at(a, j);
        o[k] = l < 2 ? Math.tanh(z) : z;
      }
    }
    return (acts[3] as Float64Array)[0] as number;
  };
  let step = 0;
  const batch = 128;
  const order = [...trainRows];
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [at(order, j), at(order, i)];
    }
    const lr = 2e-3 * (epoch < epochs - 2 ? 1 : 0.3);
    for (let start = 0; start < order.length; start += batch) {
      for (const g of grads) g.fill(0);
      const end = Math.min(order.length, start + batch);
      for (let s = start; s < end; s++) {
        const r = at(order, s);
        input(r, acts[0] as Float64Array);
        const logit = forward();
        const p = 1 / (1 + Math.exp(-logit));
        (deltas[3] as Float64Array)[0] = p - at(sample.label, r);
        for (let l = 2; l >= 0; l--) {
          const nin = at(sizes, l);
          const nout = at(sizes, l + 1);
          const w = W[l] as Float64Array;
          const gw = grads[l] as Float64Array;
          const gb = grads[3 + l] as Float64Array;
          const a = acts[l] as Float64Array;
          const dOut = deltas[l + 1] as Float64Array;
          const dIn = deltas[l] as Float64Array;
          dIn.fill(0);
          for (let k = 0; k < nout; k++) {
            const dk = at(dOut, k);
            gb[k] = at(gb, k) + dk;
            for (let j = 0; j < nin; j++) {
              gw[k * nin + j] = at(gw, k * nin + j) + dk * at(a, j);
              dIn[j] = at(dIn, j) + dk * at(w, k * nin + j);
            }
          }
          if (l > 0) for (let j = 0; j < nin; j++) dIn[j] = at(dIn, j) * (1 - at(a, j) ** 2);
        }
      }
      step++;
      const bc1 = 1 - 0.9 ** step;
      const bc2 = 1 - 0.999 ** step;
      params.forEach((p, q) => {
        const g = grads[q] as Float64Array;
        const a1 = m1[q] as Float64Array;
        const a2 = m2[q] as Float64Array;
        for (let k = 0; k < p.length; k++) {
          const gk = at(g, k) / (end - start);
          a1[k] = 0.9 * at(a1, k) + 0.1 * gk;
          a2[k] = 0.999 * at(a2, k) + 0.001 * gk * gk;
          p[k] = at(p, k) - (lr * (at(a1, k) / bc1)) / (Math.sqrt(at(a2, k) / bc2) + 1e-8);
        }
      });
    }
  }
  const scores = new Float64Array(testRows.length);
  testRows.forEach((r, i) => {
    input(r, acts[0] as Float64Array);
    scores[i] = forward();
  });
  return scores;
}

const report = (label: string, scores: ArrayLike<number>): void => {
  const a = auc(scores, testLabels);
  const eb = backgroundEfficiencyAt(scores, testLabels, targetEff);
  console.log(
    `${label.padEnd(22)} AUC ${a.toFixed(4)}   bkg eff at ${(targetEff * 100).toFixed(0)} % sig ${(eb * 100).toFixed(2)} %  (rejection ${(1 / eb).toFixed(1)})`,
  );
};
console.log(`${values.task}: n = ${n}, seed = ${seed}, test half ${testRows.length}`);
for (const name of names) {
  const a = auc(
    testRows.map((r) => at(column(name), r)),
    testLabels,
  );
  console.log(`  ${name.padEnd(16)} single-variable AUC ${Math.max(a, 1 - a).toFixed(3)}`);
}
report('rectangular cuts', cutBased());
report('projective likelihood', projectiveLikelihood());
report('MLP 32-16', mlp(Number(values.epochs)));
