// Experiment: does a GBDT gain from image features the scalars lack? (issue 22)
import { at, effectiveIqr, generateCaloShowers, STANDARD_CALIBRATION_COLUMN, CALO_SHOWER_VARIABLES } from '@hepml/physics';
import { fitGbdt, evaluateGbdt } from '../packages/models/src/baselines/index.ts';
import { prepareRegression } from '../packages/models/src/training/energy-regression.ts';

const n = Number(process.argv[2] ?? 40000);
const seed = 2026;
const t0 = Date.now();
const s = generateCaloShowers({ n, seed });
console.log('sim', (Date.now() - t0) / 1000, 's');
const [H, W, C] = s.imageShape;
const size = H * W * C;
// Image features per shower
const feats: Record<string, Float32Array> = {};
const names: string[] = [];
for (let k = 0; k < 4; k++) for (const f of ['out', 'left', 'right', 'ring', 'c1', 'c33', 'c35']) { names.push(`${f}${k}`); feats[`${f}${k}`] = new Float32Array(n); }
feats.outAll = new Float32Array(n); names.push('outAll');
for (let i = 0; i < n; i++) {
  let all = 0;
  for (let k = 0; k < 4; k++) {
    let tot = 0, win = 0, left = 0, right = 0, ring = 0, c1 = 0, c33 = 0, c35 = 0;
    for (let r = 0; r < H; r++) for (let q = 0; q < W; q++) {
      const v = s.image[i * size + (r * W + q) * C + k] as number;
      tot += v;
      const inWin = r >= 2 && r < 5 && q >= 2 && q < 9;
      if (inWin) win += v;
      if (r === 3 && q === 5) c1 += v;
      if (r >= 2 && r < 5 && q >= 4 && q < 7) c33 += v;
      if (r >= 2 && r < 5 && q >= 3 && q < 8) c35 += v;
      if (q < 2) left += v;
      if (q >= 9) right += v;
      if (!inWin && (r < 2 || r >= 5) && q >= 2 && q < 9) ring += v;
    }
    feats[`out${k}`]![i] = tot - win; feats[`left${k}`]![i] = left; feats[`right${k}`]![i] = right; feats[`ring${k}`]![i] = ring; feats[`c1${k}`]![i] = c1; feats[`c33${k}`]![i] = c33; feats[`c35${k}`]![i] = c35;
    all += tot - win;
  }
  feats.outAll![i] = all;
}
const p = prepareRegression(s, seed);
const scal = Object.keys(CALO_SHOWER_VARIABLES);
function matrix(cols: Float32Array[], rows: Uint32Array) {
  const d = cols.length; const m = new Float32Array(rows.length * d);
  rows.forEach((r, j) => cols.forEach((c, k) => { m[j * d + k] = c[r] as number; }));
  return m;
}
const eTrue = s.truth.eTrue as Float32Array;
const truthFeat = { ooc: s.truth.eOutOfCluster as Float32Array, lost: s.truth.eLostUpstream as Float32Array, leak: s.truth.eLeak as Float32Array };
function run(label: string, inputNames: string[], cols: Float32Array[]) {
  const t = Date.now();
  const tr = p.split.train, te = p.split.test;
  const target = Float64Array.from(tr, (i) => at(eTrue, i));
  const params = fitGbdt({ inputs: inputNames, features: matrix(cols, tr), n: tr.length, target, objective: 'huber', huberDelta: 0.05, scaleBy: 'eRaw', trees: Number(process.env.TREES ?? 100) });
  const out = evaluateGbdt(params, matrix(cols, te), te.length);
  const et = Float64Array.from(te, (i) => at(eTrue, i));
  console.log(label.padEnd(40), 'eIQR', effectiveIqr(out, et).toFixed(4), ((Date.now() - t) / 1000).toFixed(1), 's');
}
const std = s.columns[STANDARD_CALIBRATION_COLUMN] as Float32Array;
console.log('standard eIQR', effectiveIqr(Float64Array.from(p.split.test, (i) => at(std, i)), Float64Array.from(p.split.test, (i) => at(eTrue, i))).toFixed(4));
const sc = scal.map((k) => s.columns[k] as Float32Array);
if (!process.env.SKIP) run('GBDT scalars', scal, sc);
if (!process.env.SKIP) run('GBDT scalars + image features', [...scal, ...names], [...sc, ...names.map((k) => feats[k]!)]);
const core = names.filter((x) => x.startsWith('c'));
run('GBDT scalars + core sums', [...scal, ...core], [...sc, ...core.map((k) => feats[k]!)]);
if (!process.env.SKIP) run('GBDT scalars + truth ooc', [...scal, 'ooc'], [...sc, truthFeat.ooc]);
if (!process.env.SKIP) run('GBDT scalars + truth ooc,lost,leak', [...scal, 'ooc', 'lost', 'leak'], [...sc, truthFeat.ooc, truthFeat.lost, truthFeat.leak]);
// fraction stats
let oocMean = 0, lostMean = 0, leakMean = 0;
for (const i of p.split.test) { oocMean += at(truthFeat.ooc, i) / at(eTrue, i); lostMean += at(truthFeat.lost, i) / at(eTrue, i); leakMean += at(truthFeat.leak, i) / at(eTrue, i); }
const m = p.split.test.length;
console.log('mean fractions: ooc', (oocMean / m).toFixed(4), 'lost', (lostMean / m).toFixed(4), 'leak', (leakMean / m).toFixed(4));
