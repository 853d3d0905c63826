import { Rng } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCnnFilmModel, defaultCaloTrunk, flattenLayerWeights } from './cnn-film.ts';
import {
  absResidualWidthLoss,
  crystalBallNllLoss,
  DEFAULT_CRYSTAL_BALL_TAILS,
  doubleCrystalBallNorm,
  HALF_IQR_OF_UNIT_GAUSSIAN,
  huberLoss,
  maeLoss,
  meanLoss,
  type PerEventLoss,
  stopGradient,
  sumLosses,
} from './losses.ts';
import { buildRegressionMlpModel } from './regression.ts';
import { buildAlephBTaggerModel, buildBoostedJetTaggerModel, buildElectronIdModel } from './taggers.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function lossValue(fn: PerEventLoss, yTrue: number[][], yPred: number[][]): number {
  return tf.tidy(() => meanLoss(fn)(tf.tensor2d(yTrue), tf.tensor2d(yPred)).dataSync()[0] as number);
}

describe('tagger factories', () => {
  it('ALEPH b-tagger is 6-10-10-1 with 191 parameters and sigmoid units', () => {
    const m = buildAlephBTaggerModel({ seed: 1 });
    expect(m.countParams()).toBe(191);
    expect(m.layers.map((l) => (l.getConfig() as { units: number }).units)).toEqual([10, 10, 1]);
    expect(m.layers.map((l) => (l.getConfig() as { activation: string }).activation)).toEqual([
      'sigmoid',
      'sigmoid',
      'sigmoid',
    ]);
    m.dispose();
  });

  it('the same seed gives the same initial weights, another seed different ones', () => {
    const w = (seed: number) => {
      const m = buildElectronIdModel({ inputSize: 5, seed });
      const v = Array.from(m.getWeights()[0]?.dataSync() ?? []);
      m.dispose();
      return v;
    };
    expect(w(3)).toEqual(w(3));
    expect(w(3)).not.toEqual(w(4));
  });

  it('boosted-jet tagger outputs three probabilities summing to 1', () => {
    const m = buildBoostedJetTaggerModel({ inputSize: 4, seed: 2 });
    const p = tf.tidy(() =>
      (m.predict(tf.randomNormal([5, 4], 0, 1, 'float32', 9)) as tf.Tensor).arraySync(),
    ) as number[][];
    for (const row of p) {
      expect(row).toHaveLength(3);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    m.dispose();
  });

  it('regression MLP starts at exactly μ = 1, σ = 0.05 whatever the inputs', () => {
    const m = buildRegressionMlpModel({ inputSize: 3, head: 'crystal-ball', seed: 1 });
    const out = tf.tidy(() =>
      Array.from((m.predict(tf.randomNormal([4, 3], 0, 3, 'float32', 2)) as tf.Tensor).dataSync()),
    );
    for (let r = 0; r < 4; r++) {
      expect(out[2 * r]).toBe(1);
      expect(out[2 * r + 1]).toBeCloseTo(0.05, 7);
    }
    m.dispose();
  });
});

describe('losses', () => {
  it('MAE and Huber on hand-computed residuals', () => {
    const yTrue = [[1], [2], [3]];
    const yPred = [[1.5], [2], [0]];
    expect(lossValue(maeLoss, yTrue, yPred)).toBeCloseTo((0.5 + 0 + 3) / 3, 6);
    // δ = 1: ½·0.25 = 0.125; 0; 1·(3 − 0.5) = 2.5.
    expect(lossValue(huberLoss(1), yTrue, yPred)).toBeCloseTo((0.125 + 2.5) / 3, 6);
  });

  it('the Crystal Ball NLL is a normalised density in y: ∫ exp(−NLL) dy = 1', () => {
    const mu = 1.02;
    const sigma = 0.03;
    const ys: number[][] = [];
    const dy = 0.0005;
    for (let y = mu - 60 * sigma; y <= mu + 60 * sigma; y += dy) ys.push([y]);
    const nll = crystalBallNllLoss();
    const integral = tf.tidy(() => {
      // The loss is a mean, so evaluate each y alone through a per-row batch of one.
      const yTrue = tf.tensor2d(ys);
      const yPred = tf.tensor2d(ys.map(() => [mu, sigma]));
      let sum = 0;
      const t = tf.split(yTrue, ys.length);
      const p = tf.split(yPred, ys.length);
      for (let i = 0; i < t.length; i++)
        sum += Math.exp(-(nll(t[i] as tf.Tensor, p[i] as tf.Tensor).dataSync()[0] as number));
      return sum * dy;
    });
    // The power-law tails beyond ±60σ hold a little probability: n = 3 and 4 tails at 60σ.
    expect(integral).toBeGreaterThan(0.98);
    expect(integral).toBeLessThan(1.0001);
  });

  it('the Crystal Ball NLL at the peak is ln σ + ln N', () => {
    const n = doubleCrystalBallNorm(DEFAULT_CRYSTAL_BALL_TAILS);
    const v = lossValue(crystalBallNllLoss(), [[1]], [[1, 0.02]]);
    // σ enters as |σ̂| + 1e-6.
    expect(v).toBeCloseTo(Math.log(0.02 + 1e-6) + Math.log(n), 5);
    // Gaussian limit: very long tails make N → √(2π).
    expect(doubleCrystalBallNorm({ alphaLow: 8, nLow: 50, alphaHigh: 8, nHigh: 50 })).toBeCloseTo(
      Math.sqrt(2 * Math.PI),
      6,
    );
  });
});

describe('CNN with FiLM', () => {
  const imageShape: [number, number, number] = [7, 11, 4];
  it('weight count equals the model parameters, FiLM starts as the identity', () => {
    const { model, weightLayers } = buildCnnFilmModel({
      imageShape,
      inputSize: 3,
      imageScale: 10,
      layers: defaultCaloTrunk(8),
      concatScalars: false,
      head: [
        { type: 'dense', units: 8, activation: 'relu' },
        { type: 'dense', units: 2, activation: 'linear' },
      ],
      seed: 5,
    });
    expect(flattenLayerWeights(weightLayers).length).toBe(model.countParams());
    const rng = new Rng(3);
    const img = Float32Array.from({ length: 2 * 7 * 11 * 4 }, () => rng.uniform() * 20);
    const out = (scalars: number[]) =>
      tf.tidy(() =>
        Array.from(
          (model.predict([tf.tensor4d(img, [2, 7, 11, 4]), tf.tensor2d(scalars, [2, 3])]) as tf.Tensor).dataSync(),
        ),
      );
    const a = out([0, 0, 0, 1, 1, 1]);
    const b = out([5, -3, 2, -1, 4, 0]);
    expect(a).toHaveLength(4);
    for (const [i, v] of a.entries()) expect(v).toBeCloseTo(b[i] as number, 6);
    model.dispose();
  });
});

describe('Crystal Ball NLL gradient', () => {
  it('is finite and matches a finite difference in μ, in the core and both tails', () => {
    const nll = crystalBallNllLoss();
    for (const y of [1.0, 0.9, 1.2]) {
      const f = (mu: number) =>
        tf.tidy(() => nll(tf.tensor2d([[y]]), tf.tensor2d([[mu, 0.03]])).dataSync()[0] as number);
      const g = tf.tidy(
        () =>
          tf
            .grad((p: tf.Tensor) => tf.sum(nll(tf.tensor2d([[y]]), p)))(tf.tensor2d([[1.01, 0.03]]))
            .dataSync()[0] as number,
      );
      const h = 1e-3;
      expect(Number.isFinite(g)).toBe(true);
      const fd = (f(1.01 + h) - f(1.01 - h)) / (2 * h);
      expect(Math.abs(g - fd)).toBeLessThan(0.02 * Math.max(1, Math.abs(fd)));
    }
  });
});

/** d(Σ loss)/d(predictions) at `pred` for one target per row. */
function lossGradient(fn: PerEventLoss, yTrue: number[][], pred: number[][]): number[] {
  return tf.tidy(() =>
    Array.from(
      tf
        .grad((p: tf.Tensor) => tf.sum(fn(tf.tensor2d(yTrue), p)))(tf.tensor2d(pred))
        .dataSync(),
    ),
  );
}

describe('stop-gradient and the width losses (σ trained without pulling μ)', () => {
  it('stopGradient is the identity forward and has zero gradient', () => {
    const x = tf.tensor1d([1.5, -2, 0.25]);
    expect(Array.from(stopGradient(x).dataSync())).toEqual([1.5, -2, 0.25]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.add(tf.mul(3, a), tf.square(stopGradient(a)))))(x);
    // d/da (3a + sg(a)²) = 3: the stopped branch contributes nothing.
    expect(Array.from(g.dataSync())).toEqual([3, 3, 3]);
    tf.dispose([x, g]);
  });

  it('abs-residual width loss: |(|y − μ|) − 0.6745 σ|, no gradient in μ, ∓0.6745 in σ', () => {
    expect(HALF_IQR_OF_UNIT_GAUSSIAN).toBeCloseTo(0.674489750196, 12);
    const loss = absResidualWidthLoss();
    // |1.03 − 1| = 0.03 against 0.6745·0.02 = 0.01349 (below) and 0.6745·0.1 (above).
    expect(lossValue(loss, [[1.03]], [[1, 0.02]])).toBeCloseTo(0.03 - HALF_IQR_OF_UNIT_GAUSSIAN * 0.02, 6);
    expect(lossValue(loss, [[0.97]], [[1, 0.1]])).toBeCloseTo(HALF_IQR_OF_UNIT_GAUSSIAN * 0.1 - 0.03, 6);
    const [gMuLow, gSigmaLow, gMuHigh, gSigmaHigh] = lossGradient(
      loss,
      [[1.03], [0.97]],
      [
        [1, 0.02],
        [1, 0.1],
      ],
    );
    expect(gMuLow).toBe(0);
    expect(gMuHigh).toBe(0);
    expect(gSigmaLow).toBeCloseTo(-HALF_IQR_OF_UNIT_GAUSSIAN, 6);
    expect(gSigmaHigh).toBeCloseTo(HALF_IQR_OF_UNIT_GAUSSIAN, 6);
  });

  it('the constant σ that minimises it on Gaussian residuals is their standard deviation', () => {
    const rng = new Rng(5);
    const sigma = 0.04;
    const y = Array.from({ length: 20_000 }, () => [1 + sigma * rng.normal()]);
    let best = { s: 0, v: Number.POSITIVE_INFINITY };
    for (let s = 0.03; s <= 0.05; s += 0.0005) {
      const v = lossValue(
        absResidualWidthLoss(),
        y,
        y.map(() => [1, s]),
      );
      if (v < best.v) best = { s, v };
    }
    expect(best.s).toBeGreaterThan(0.039);
    expect(best.s).toBeLessThan(0.041);
  });

  it('the Crystal Ball NLL with stopLocation has no μ gradient, the same σ gradient and value', () => {
    const y = [[1.02], [0.9]];
    const pred = [
      [1, 0.03],
      [1.01, 0.05],
    ];
    const joint = lossGradient(crystalBallNllLoss(), y, pred);
    const held = lossGradient(crystalBallNllLoss(undefined, { stopLocation: true }), y, pred);
    expect(held[0]).toBe(0);
    expect(held[2]).toBe(0);
    expect(joint[0]).not.toBe(0);
    expect(held[1]).toBeCloseTo(joint[1] as number, 6);
    expect(held[3]).toBeCloseTo(joint[3] as number, 6);
    expect(lossValue(crystalBallNllLoss(undefined, { stopLocation: true }), y, pred)).toBeCloseTo(
      lossValue(crystalBallNllLoss(), y, pred),
      6,
    );
  });

  it('sumLosses: MAE on μ plus the width term; μ gets only the MAE gradient', () => {
    const loss = sumLosses([
      { loss: maeLoss, weight: 1 },
      { loss: absResidualWidthLoss(), weight: 2 },
    ]);
    expect(lossValue(loss, [[1.03]], [[1, 0.02]])).toBeCloseTo(0.03 + 2 * (0.03 - HALF_IQR_OF_UNIT_GAUSSIAN * 0.02), 6);
    const [gMu, gSigma] = lossGradient(loss, [[1.03]], [[1, 0.02]]);
    expect(gMu).toBeCloseTo(-1, 6);
    expect(gSigma).toBeCloseTo(-2 * HALF_IQR_OF_UNIT_GAUSSIAN, 6);
  });
});
