// Energy regressions answer the calibrated energy in GeV (issue 20): a model whose output is a
// correction factor answers E = factor × its base input beside the factor, on /v1 and /v2; the
// CNN+FiLM answers E and σ itself (images.test.ts).
import { createRunner } from '@hepml/models/runtime';
import { describe, expect, it } from 'vitest';
import { get, post } from '../../test/api.ts';
import { mlpBundle, publish } from '../../test/fixtures.ts';

const INPUTS = [
  { name: 'eRaw', unit: 'GeV', offset: 50, scale: 30 },
  { name: 'eCalStandard', unit: 'GeV', offset: 52, scale: 31 },
  { name: 'eta', unit: '1', offset: 0, scale: 1.5 },
];
const ROWS = [
  { eRaw: 40.5, eCalStandard: 42.25, eta: 0.3 },
  { eRaw: 110, eCalStandard: 118, eta: -1.2 },
  { eRaw: 7.5, eCalStandard: 8.125, eta: 0.9 },
];

async function correctionModel(name: string, energyBase: string | undefined) {
  return mlpBundle({
    name,
    task: 'energy-regression',
    inputs: INPUTS,
    outputs: [{ name: 'correction', kind: 'correction', unit: '1', ...(energyBase ? { energyBase } : {}) }],
    lastActivation: 'linear',
  });
}

function factors(bundle: Awaited<ReturnType<typeof mlpBundle>>): Float32Array {
  const runner = createRunner(bundle.manifest, Object.fromEntries(bundle.files));
  return runner.predict(Float32Array.from(ROWS.flatMap((r) => [r.eRaw, r.eCalStandard, r.eta])), ROWS.length);
}

describe('energy regressions answer energy in GeV', () => {
  it('a correction model answers energy = correction × its energyBase input, on /v1 and /v2', async () => {
    const bundle = await correctionModel('rg-correction', 'eRaw');
    await publish(bundle);
    const f = factors(bundle);
    const res = await post('/v1/models/rg-correction/predict', { rows: ROWS });
    expect(res.status).toBe(200);
    const v1 = (await res.json()) as { predictions: { energy: number; correction: number }[] };
    ROWS.forEach((row, r) => {
      const correction = f[r] as number;
      expect(v1.predictions[r]?.correction).toBe(correction);
      expect(v1.predictions[r]?.energy).toBe(Math.fround(correction * row.eRaw));
    });
    const meta = (await (await get('/v2/models/rg-correction')).json()) as { outputs: { name: string }[] };
    expect(meta.outputs.map((o) => o.name)).toEqual(['correction', 'energy']);
    const infer = await post('/v2/models/rg-correction/infer', {
      inputs: INPUTS.map((i) => ({
        name: i.name,
        shape: [ROWS.length],
        datatype: 'FP32',
        data: ROWS.map((r) => r[i.name as keyof (typeof ROWS)[number]]),
      })),
    });
    const v2 = (await infer.json()) as { outputs: { name: string; data: number[] }[] };
    expect(v2.outputs.map((o) => o.name)).toEqual(['correction', 'energy']);
    expect(v2.outputs[1]?.data).toEqual(v1.predictions.map((p) => p.energy));
    const only = (await (
      await post('/v2/models/rg-correction/infer', {
        inputs: INPUTS.map((i) => ({
          name: i.name,
          shape: [1],
          datatype: 'FP64',
          data: [ROWS[0]?.[i.name as 'eRaw']],
        })),
        outputs: [{ name: 'energy' }],
      })
    ).json()) as { outputs: { name: string; data: number[] }[] };
    expect(only.outputs).toHaveLength(1);
    expect(only.outputs[0]?.data[0]).toBe(v1.predictions[0]?.energy);
  });

  it('a correction bundle published before energyBase existed multiplies eCalStandard (E_true/E_standard)', async () => {
    const bundle = await correctionModel('rg-legacy', undefined);
    await publish(bundle);
    const f = factors(bundle);
    const v1 = (await (await post('/v1/models/rg-legacy/predict', { rows: ROWS })).json()) as {
      predictions: { energy: number }[];
    };
    ROWS.forEach((row, r) => {
      expect(v1.predictions[r]?.energy).toBe(Math.fround((f[r] as number) * row.eCalStandard));
    });
  });

  it('refuses an energyBase that is not an input at publish time', async () => {
    await expect(correctionModel('rg-bad', 'eTrue')).rejects.toThrow(/energyBase.*not an input/);
  });
});
