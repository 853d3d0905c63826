import { describe, expect, it } from 'vitest';
import { FitError, PhysicsInputError } from '../errors.ts';
import { Rng } from '../sim/rng.ts';
import { generateTagAndProbe } from '../sim/tag-and-probe.ts';
import {
  correctEnergyScale,
  energyScaleAndSmearing,
  fitZPeak,
  smearPairMasses,
  type ZeeCategory,
  zeeCategory,
} from './energy-scale.ts';

const N = 25_000;

/** Opposite-sign pair masses of a simulated tag-and-probe sample. */
function osMasses(kind: 'data' | 'mc', seed: number): number[] {
  const s = generateTagAndProbe({ n: N, seed, kind });
  const c = s.columns;
  const out: number[] = [];
  for (let i = 0; i < s.n; i++) if (c.tagCharge?.[i] !== c.probeCharge?.[i]) out.push(c.mass?.[i] as number);
  return out;
}

describe('Z-peak energy scale α and extra smearing c (issue 9)', () => {
  it('recovers the injected α = 0.4 % and c = 0.8 % from pseudo-data vs MC, and its application closes', () => {
    const data = osMasses('data', 4242);
    const mc = osMasses('mc', 4243);
    const fitData = fitZPeak(data);
    const fitMc = fitZPeak(mc);
    expect(fitData.fit.status.converged).toBe(true);
    const correction = energyScaleAndSmearing(fitData, fitMc);
    // Truth: DEFAULT_DATA_DISTORTION has α = 0.004, c′ = 0.008.
    expect(Math.abs(correction.alpha - 0.004)).toBeLessThan(3 * correction.alphaError);
    expect(correction.alphaError).toBeLessThan(0.0006);
    expect(Math.abs(correction.c - 0.008)).toBeLessThan(3 * correction.cError);
    expect(correction.cError).toBeLessThan(0.003);
    // Corrected data and smeared MC agree in peak position and width within their errors.
    const all = (n: number) => new Array<ZeeCategory>(n).fill('BB');
    const corrected = fitZPeak(correctEnergyScale(data, all(data.length), { BB: correction.alpha }));
    const smeared = fitZPeak(smearPairMasses(mc, all(mc.length), { BB: correction.c }, new Rng(1)));
    expect(Math.abs(corrected.mass - fitMc.mass)).toBeLessThan(3 * Math.hypot(corrected.massError, fitMc.massError));
    expect(Math.abs(smeared.width - fitData.width)).toBeLessThan(
      3 * Math.hypot(smeared.widthError, fitData.widthError),
    );
    expect(smeared.width).toBeGreaterThan(fitMc.width);
  }, 30_000);

  it('follows the documented conventions exactly on given fits', () => {
    const peak = (mass: number, width: number) => ({ mass, massError: 0.01, width, widthError: 0.02 });
    const base = { alpha: 1, events: 1, signal: 1, fit: undefined as never };
    const r = energyScaleAndSmearing({ ...base, ...peak(91.5, 2) }, { ...base, ...peak(91, 1.5) });
    expect(r.alpha).toBeCloseTo(91.5 / 91 - 1, 14);
    expect(r.cSquared).toBeCloseTo(2 * ((2 / 91.5) ** 2 - (1.5 / 91) ** 2), 14);
    expect(r.c).toBeCloseTo(Math.sqrt(r.cSquared), 14);
    // Data narrower than MC: c = 0 with an upper error, c² kept negative.
    const narrow = energyScaleAndSmearing({ ...base, ...peak(91, 1.4) }, { ...base, ...peak(91, 1.5) });
    expect(narrow.c).toBe(0);
    expect(narrow.cSquared).toBeLessThan(0);
    expect(narrow.cError).toBeGreaterThanOrEqual(0);
  });

  it('categorises pairs and refuses what it cannot fit', () => {
    expect(zeeCategory(0.3, -1.2)).toBe('BB');
    expect(zeeCategory(0.3, -1.6)).toBe('BE');
    expect(zeeCategory(2.0, -1.6)).toBe('EE');
    expect(zeeCategory(1.45, 1.45, 1.37)).toBe('EE');
    expect(() => fitZPeak([91, 92, 90])).toThrow(PhysicsInputError);
    expect(() => correctEnergyScale([91], ['EE'], { BB: 0.01 })).toThrow(PhysicsInputError);
    // A flat spectrum has no peak: the fit must fail loudly, not return a number.
    const rng = new Rng(3);
    const flat = Array.from({ length: 3000 }, () => rng.range(75, 105));
    expect(() => fitZPeak(flat, { background: false })).toThrow(FitError);
  });
});
