import { describe, expect, it } from 'vitest';
import { transformText, typicalValue } from './format';

describe('input transforms on the model page', () => {
  it('writes the transform as its formula', () => {
    expect(transformText({ shift: 0, floor: 1.1754943508222875e-38 })).toBe('ln(max(x, 1.175e-38))');
    expect(transformText({ shift: 1, floor: 1 })).toBe('ln(max(x + 1, 1))');
    expect(transformText({ shift: -0.5, floor: 0.01 })).toBe('ln(max(x − 0.5, 0.01))');
  });

  it('starts the try-it form from a raw value, not from the offset of the logarithm', () => {
    expect(typicalValue({ offset: 40 })).toBe('40');
    // ln P_uds centred at −2.3: P_uds ≈ 0.1, never the impossible probability −2.3.
    expect(typicalValue({ offset: Math.log(0.1), transform: { shift: 0 } })).toBe('0.1');
    expect(typicalValue({ offset: Math.log(21), transform: { shift: 1 } })).toBe('20');
  });
});
