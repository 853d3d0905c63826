import { generateCaloShowers, maskedCorrelation } from './src/index.ts';
const s = generateCaloShowers({ n: 8000, seed: 11 });
const [h, w, ch] = s.imageShape;
const px = (i: number, r: number, q: number, k: number) => s.image[i * h * w * ch + (r * w + q) * ch + k] as number;
const eT = s.truth.eTrue!;
const a = new Float32Array(s.n), b = new Float32Array(s.n), reta = new Float32Array(s.n);
for (let i = 0; i < s.n; i++) { a[i] = px(i, 0, 0, 2); b[i] = px(i, 0, 1, 2);
  let e37 = 0, e77 = 0; for (let r = 0; r < 7; r++) for (let q = 2; q < 9; q++) { const v = px(i, r, q, 2); e77 += v; if (r >= 2 && r < 5) e37 += v; } reta[i] = e37 / e77; }
const low = (i: number) => eT[i]! < 6;
console.log('corner neighbour corr (E<6)', maskedCorrelation(a, b, low).toFixed(3));
const mid = (i: number) => eT[i]! > 30 && eT[i]! < 100 && s.label[i] === 1 && !s.truth.converted![i];
console.log('corr(Reta, showerDepth) unconv γ 30-100', maskedCorrelation(reta, s.columns.showerDepth!, mid).toFixed(3));
console.log('corr(Reta, f1)', maskedCorrelation(reta, s.columns.f1!, mid).toFixed(3));
const pit = s.truth.ePileupInTime!, mu = s.columns.mu!;
const rms = (sel: (i: number) => boolean) => { let n = 0, m = 0, v = 0; for (let i = 0; i < s.n; i++) if (sel(i)) { n++; m += pit[i]!; v += pit[i]! ** 2; } return [m / n, Math.sqrt(v / n - (m / n) ** 2)]; };
console.log('pileup mean/rms mu 15-25', rms((i) => mu[i]! > 15 && mu[i]! < 25 && Math.abs(s.columns.eta![i]!) < 0.7).map((x) => x.toFixed(3)), 'mu 40-60', rms((i) => mu[i]! > 40 && mu[i]! < 60 && Math.abs(s.columns.eta![i]!) < 0.7).map((x) => x.toFixed(3)));
// resolution of standard
const std = s.columns.eCalStandard!;
const iqr = (sel: (i: number) => boolean) => { const r: number[] = []; for (let i = 0; i < s.n; i++) if (sel(i)) r.push(std[i]! / eT[i]!); r.sort((x, y) => x - y); return ((r[Math.floor(0.75 * r.length)]! - r[Math.floor(0.25 * r.length)]!) / 1.349).toFixed(4); };
console.log('std eIQR-ish 3-6', iqr((i) => eT[i]! < 6), '30-60', iqr((i) => eT[i]! > 30 && eT[i]! < 60), '150-300', iqr((i) => eT[i]! > 150));
