import { at, Rng } from '@hepml/physics';
import * as tf from '@tensorflow/tfjs';
import { shuffleInPlace } from './samples.ts';

/** A per-event loss: yTrue and yPred [batch, k] → loss per event [batch] (or [batch, 1]). */
export type EventLoss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** Tensors of one split: inputs (one tensor per model input), targets, per-event weights. */
export interface SplitTensors {
  x: tf.Tensor[];
  y: tf.Tensor2D;
  weight: tf.Tensor1D;
}

/** Options of {@link fitModel}. */
export interface FitOptions {
  model: tf.LayersModel;
  loss: EventLoss;
  train: SplitTensors;
  validation: SplitTensors;
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  seed: number;
  /**
   * Stop when the validation loss has not improved by more than `minDelta` for `patience` epochs
   * (default 4 and 0: losses differ in scale by orders of magnitude between tasks, e.g. a Huber
   * loss of 1e-3 against a Crystal Ball NLL of −2, so any improvement counts).
   */
  earlyStopping?: { patience: number; minDelta: number } | false;
  /** Multiply the learning rate by `factor` after `patience` epochs without improvement (default 2, 0.5, floor 1e-5). */
  reduceOnPlateau?: { patience: number; factor: number; minLearningRate: number } | false;
  /** Called after each epoch with the weighted training and validation losses. */
  onEpoch?: (epoch: number, loss: number, valLoss: number, learningRate: number) => void;
}

/** What {@link fitModel} did. */
export interface FitResult {
  history: { loss: number[]; valLoss: number[]; learningRate: number[] };
  /** Epoch (0-based) whose weights the model holds at the end: the best validation loss. */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training events per second of wall time, forward and backward. */
  samplesPerSecond: number;
}

/**
 * Mini-batch training with Adam on a weighted per-event loss L = Σ w_i ℓ_i / Σ w_i, written as
 * our own loop (tfjs `fit` shuffles with Math.random and has neither per-event weights nor
 * learning-rate reduction): each epoch shuffles the training rows with the seeded generator,
 * then evaluates the validation loss; the weights with the lowest validation loss are restored at
 * the end (early stopping, Prechelt 1998), and the learning rate is reduced on plateaus.
 * Reproducible on a given backend for a given seed.
 */
export async function fitModel(options: FitOptions): Promise<FitResult> {
  const { model, loss, train, validation } = options;
  const batchSize = options.batchSize ?? 256;
  let learningRate = options.learningRate ?? 3e-3;
  const optimizer = tf.train.adam(learningRate);
  const early = options.earlyStopping === false ? undefined : (options.earlyStopping ?? { patience: 4, minDelta: 0 });
  const plateau =
    options.reduceOnPlateau === false
      ? undefined
      : (options.reduceOnPlateau ?? { patience: 2, factor: 0.5, minLearningRate: 1e-5 });
  const n = train.y.shape[0];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(options.seed ^ 0xf17);
  const history = { loss: [] as number[], valLoss: [] as number[], learningRate: [] as number[] };
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = -1;
  let bestWeights: tf.Tensor[] | undefined;
  let sinceBest = 0;
  let sincePlateau = 0;
  let stoppedEarly = false;
  let trainedEvents = 0;
  const started = performance.now();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const weighted = (x: tf.Tensor[], y: tf.Tensor, w: tf.Tensor) => {
    const pred = model.apply(x.length === 1 ? at(x, 0) : x, { training: true }) as tf.Tensor;
    const l = loss(y, pred).reshape([-1]);
    return tf.div(tf.sum(tf.mul(l, w)), tf.maximum(tf.sum(w), 1e-12)) as tf.Scalar;
  };
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      shuffleInPlace(order, rng);
      const perm = tf.tensor1d(Int32Array.from(order), 'int32');
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const value = tf.tidy(() => {
          const idx = perm.slice(start, size);
          const xb = train.x.map((t) => tf.gather(t, idx));
          const yb = tf.gather(train.y, idx);
          const wb = tf.gather(train.weight, idx);
          return optimizer.minimize(() => weighted(xb, yb, wb), true, variables) as tf.Scalar;
        });
        lossSum += at(await value.data(), 0);
        value.dispose();
        batches++;
        trainedEvents += size;
      }
      perm.dispose();
      const valLoss = evaluateLoss(model, loss, validation, batchSize * 8);
      const trainLoss = lossSum / Math.max(1, batches);
      history.loss.push(trainLoss);
      history.valLoss.push(valLoss);
      history.learningRate.push(learningRate);
      options.onEpoch?.(epoch, trainLoss, valLoss, learningRate);
      if (valLoss < best - (early?.minDelta ?? 0)) {
        best = valLoss;
        bestEpoch = epoch;
        tf.dispose(bestWeights);
        bestWeights = model.getWeights().map((w) => w.clone());
        sinceBest = 0;
        sincePlateau = 0;
      } else {
        sinceBest++;
        sincePlateau++;
        if (plateau && sincePlateau >= plateau.patience && learningRate > plateau.minLearningRate) {
          learningRate = Math.max(plateau.minLearningRate, learningRate * plateau.factor);
          (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
          sincePlateau = 0;
        }
        if (early && sinceBest >= early.patience) {
          stoppedEarly = epoch < options.epochs - 1;
          break;
        }
      }
    }
    if (bestWeights) model.setWeights(bestWeights);
  } finally {
    tf.dispose(bestWeights);
    optimizer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return { history, bestEpoch, stoppedEarly, samplesPerSecond: trainedEvents / Math.max(seconds, 1e-9) };
}

/** Weighted mean loss of a model on a split, in batches (inference mode). */
export function evaluateLoss(model: tf.LayersModel, loss: EventLoss, split: SplitTensors, batchSize = 2048): number {
  const n = split.y.shape[0];
  let num = 0;
  let den = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [a, b] = tf.tidy(() => {
      const xb = split.x.map((t) => t.slice(start, size));
      const pred = model.apply(xb.length === 1 ? at(xb, 0) : xb, { training: false }) as tf.Tensor;
      const w = split.weight.slice(start, size);
      const l = loss(split.y.slice(start, size), pred).reshape([-1]);
      return [tf.sum(tf.mul(l, w)), tf.sum(w)];
    });
    num += at((a as tf.Tensor).dataSync(), 0);
    den += at((b as tf.Tensor).dataSync(), 0);
    tf.dispose([a as tf.Tensor, b as tf.Tensor]);
  }
  return den > 0 ? num / den : Number.NaN;
}

/** Predictions of a model in batches, as one Float32Array [n × outputs] (inference mode). */
export function predictBatched(model: tf.LayersModel, x: tf.Tensor[], batchSize = 4096): Float32Array {
  const n = at(x, 0).shape[0];
  const parts: Float32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    parts.push(
      tf.tidy(() => {
        const xb = x.map((t) => t.slice(start, size));
        return (model.apply(xb.length === 1 ? at(xb, 0) : xb, { training: false }) as tf.Tensor).dataSync();
      }) as Float32Array,
    );
  }
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Per-event binary cross-entropy on a sigmoid output, clipped at 1e-7. */
export const binaryCrossEntropy: EventLoss = (y, p) =>
  tf.tidy(() => {
    const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
    return tf.neg(tf.add(tf.mul(y, tf.log(q)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))))).reshape([-1]);
  });

/** Per-event categorical cross-entropy −Σ_k y_k ln p_k on softmax outputs (y one-hot). */
export const categoricalCrossEntropy: EventLoss = (y, p) =>
  tf.tidy(() => tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, 1e-7, 1))), -1)));
