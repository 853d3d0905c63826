import { Rng } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMlpModel } from '../architectures/mlp.ts';
import { binaryCrossEntropy, fitModel, type SplitTensors } from './fit.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function toy(n: number, seed: number, informative: boolean): SplitTensors {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.uniform() < 0.5 ? 1 : 0;
    x[2 * i] = rng.normal(informative && y[i] ? 1.5 : 0, 1);
    x[2 * i + 1] = rng.normal();
  }
  return { x: [tf.tensor2d(x, [n, 2])], y: tf.tensor2d(y, [n, 1]), weight: tf.ones([n]) as tf.Tensor1D };
}

async function run(informative: boolean, seed: number) {
  const train = toy(1500, seed, informative);
  const validation = toy(500, seed + 1, informative);
  const model = buildMlpModel({ inputSize: 2, hidden: [8], outputs: 1, outputActivation: 'sigmoid', seed });
  const result = await fitModel({
    model,
    loss: binaryCrossEntropy,
    train,
    validation,
    epochs: 12,
    batchSize: 128,
    learningRate: 0.01,
    seed,
    earlyStopping: { patience: 3, minDelta: 1e-4 },
    reduceOnPlateau: { patience: 1, factor: 0.5, minLearningRate: 1e-4 },
  });
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  model.dispose();
  tf.dispose([...train.x, train.y, train.weight, ...validation.x, validation.y, validation.weight]);
  return { result, weights };
}

describe('fitModel', () => {
  it('learns a separable toy and is reproducible for a seed', async () => {
    const a = await run(true, 11);
    const b = await run(true, 11);
    expect(a.result.history).toEqual(b.result.history);
    expect(a.weights).toEqual(b.weights);
    const v = a.result.history.valLoss;
    // ln 2 = 0.693 is chance; a 1.5σ mean shift gives about 0.5.
    expect(Math.min(...v)).toBeLessThan(0.56);
    expect(a.result.samplesPerSecond).toBeGreaterThan(0);
  });

  it('on noise it reduces the learning rate, stops early and keeps the best epoch', async () => {
    const { result } = await run(false, 12);
    const lr = result.history.learningRate;
    expect(result.stoppedEarly).toBe(true);
    expect(lr.length).toBeLessThan(12);
    expect(Math.min(...lr)).toBeLessThan(lr[0] as number);
    const best = Math.min(...result.history.valLoss);
    expect(result.history.valLoss[result.bestEpoch]).toBe(best);
  });
});
