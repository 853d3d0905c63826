import { describe, expect, it } from 'vitest';
import { PhysicsInputError } from '../errors.ts';
import { defaultStandardCalibration } from './calo-showers.ts';
import { applyStandardCalibration, calibrationAxis } from './calo-standard-calibration.ts';

describe('applyStandardCalibration', () => {
  const calibration = defaultStandardCalibration();
  const shower = { ePs: 1.5, eAcc: 40, showerDepth: 12, eta: 0.55, isPhoton: 1, isConverted: 0 };
  const at = (eta: number) => applyStandardCalibration(calibration, { ...shower, eta });

  it('bins |η| from 0 in the calibration bins and clamps beyond the last edge (Axis rule clamp)', () => {
    const axis = calibrationAxis(calibration);
    expect(axis.lo).toBe(0);
    expect(axis.nBins).toBe(14);
    expect(at(-0.55)).toBe(at(0.55));
    expect(at(0.55)).not.toBe(at(0.65));
    // 1.4 opens no bin of its own: it and everything above use the last bin [1.3, 1.4).
    expect(at(1.4)).toBe(at(1.35));
    expect(at(3)).toBe(at(1.35));
    expect(at(Number.POSITIVE_INFINITY)).toBe(at(1.35));
  });

  it('rejects a NaN η, which lies in no bin (it took the last bin before)', () => {
    expect(() => at(Number.NaN)).toThrow(PhysicsInputError);
    expect(() => at(Number.NaN)).toThrow(/eta is NaN/);
  });
});
