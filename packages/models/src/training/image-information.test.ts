import { generateCaloShowers } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { caloImageFeatures, imageInformationCsv, imageInformationStudy } from './image-information.ts';

const sample = generateCaloShowers({ n: 2500, seed: 31 });

describe('caloImageFeatures (issue 22)', () => {
  it('splits each layer of the image into the cluster window and what lies outside it', () => {
    const f = caloImageFeatures(sample);
    const [h, w, c] = sample.imageShape;
    const size = h * w * c;
    const layers = ['ps', 'strips', 'middle', 'back'];
    const scalar = ['ePs', 'e1', 'e2', 'e3'];
    for (const i of [0, 17, 999]) {
      layers.forEach((l, k) => {
        let total = 0;
        for (let p = 0; p < h * w; p++) total += sample.image[i * size + p * c + k] as number;
        // The simulation makes the window of each channel sum to the layer's scalar energy.
        const window = sample.columns[scalar[k] as string]?.[i] as number;
        expect(f[`out_${l}`]?.[i]).toBeCloseTo(total - window, 3);
      });
      // The middle layer's core holds most of a shower above a few GeV.
      if ((sample.truth.eTrue?.[i] as number) > 20) {
        expect(f.core_middle?.[i]).toBeGreaterThan(0.5 * (sample.columns.e2?.[i] as number));
      }
    }
  });

  it('refuses a sample without images', () => {
    expect(() => caloImageFeatures(generateCaloShowers({ n: 10, seed: 1, images: false }))).toThrow(/no images/);
  });

  it('fits the GBDT on each input set and reports eIQR and rIQR against the standard calibration', () => {
    const rows = imageInformationStudy({ sample, seed: 31, trees: 10 });
    expect(rows.map((r) => r.label)).toEqual([
      'GBDT, scalars',
      'GBDT, scalars + image features',
      'GBDT, scalars + true E outside the window (oracle)',
      'GBDT, scalars + true in-time pile-up in the window (oracle)',
      'GBDT, scalars + true E outside, lost upstream, leaked, pile-up (oracle)',
      'standard calibration',
    ]);
    const [scalars, image, , pileup, oracle, standard] = rows;
    expect(image?.inputs).toBe((scalars?.inputs as number) + 20);
    expect(pileup?.inputs).toBe((scalars?.inputs as number) + 1);
    expect(oracle?.inputs).toBe((scalars?.inputs as number) + 4);
    // A resolution of a few per cent, each relative to the standard calibration on the same rows.
    // (Which input set wins needs the study's sample sizes: 1500 training rows overfit the oracles.)
    for (const r of rows) {
      expect(r.eIqr).toBeGreaterThan(0.01);
      expect(r.eIqr).toBeLessThan(0.06);
      expect(r.rIqr).toBeCloseTo(r.eIqr / (standard?.eIqr as number), 12);
    }
    expect(standard?.rIqr).toBe(1);
    expect(imageInformationCsv(rows).split('\n')[0]).toBe('model,inputs,eIQR,rIQR');
    expect(imageInformationCsv(rows)).toContain('"GBDT, scalars",20,');
  }, 60_000);
});
