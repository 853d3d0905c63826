import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';
import { emptyZeeDecay, sampleZee, Z_MASS, Z_WIDTH } from './z-boson.ts';

describe('sampleZee', () => {
  it('conserves the pair mass: m² = 2 pt1 pt2 (cosh Δη − cos Δφ) for massless leptons', () => {
    const rng = new Rng(11);
    const z = emptyZeeDecay();
    for (let i = 0; i < 2000; i++) {
      sampleZee(rng, z);
      const m2 = 2 * z.pt1 * z.pt2 * (Math.cosh(z.eta1 - z.eta2) - Math.cos(z.phi1 - z.phi2));
      expect(Math.sqrt(m2)).toBeCloseTo(z.mass, 6);
      expect(z.mass).toBeGreaterThanOrEqual(60);
      expect(z.mass).toBeLessThan(120);
      // The pair's transverse momentum is the Z's.
      const px = z.pt1 * Math.cos(z.phi1) + z.pt2 * Math.cos(z.phi2);
      const py = z.pt1 * Math.sin(z.phi1) + z.pt2 * Math.sin(z.phi2);
      expect(Math.hypot(px, py)).toBeCloseTo(z.zPt, 6);
    }
  });

  it('has a truncated Breit–Wigner line shape: its median and the fraction within ±Γ/2 of m_Z', () => {
    const rng = new Rng(12);
    const z = emptyZeeDecay();
    const n = 40_000;
    const masses = new Float64Array(n);
    for (let i = 0; i < n; i++) masses[i] = sampleZee(rng, z).mass;
    masses.sort();
    // Truncated Cauchy on [60, 120): CDF(m) = (atan((m − m_Z)/(Γ/2)) − atan(lo))/(atan(hi) − atan(lo)).
    const a = Math.atan((60 - Z_MASS) / (Z_WIDTH / 2));
    const b = Math.atan((120 - Z_MASS) / (Z_WIDTH / 2));
    const median = Z_MASS + (Z_WIDTH / 2) * Math.tan((a + b) / 2);
    expect(masses[n / 2] as number).toBeCloseTo(median, 1);
    const inside = masses.filter((m) => Math.abs(m - Z_MASS) < Z_WIDTH / 2).length / n;
    expect(inside).toBeCloseTo((2 * Math.atan(1)) / (b - a), 2);
  });
});
