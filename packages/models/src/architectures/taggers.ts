import type * as tf from '@tensorflow/tfjs';
import { buildMlpModel } from './mlp.ts';

/** Arguments of {@link buildElectronIdModel}. */
export interface ElectronIdArgs {
  inputSize: number;
  /** Hidden widths (default [32, 16]). */
  hidden?: number[];
  seed: number;
}

/** Electron-identification MLP: standardised inputs, ReLU hidden layers, one sigmoid score. */
export function buildElectronIdModel(args: ElectronIdArgs): tf.Sequential {
  return buildMlpModel({
    inputSize: args.inputSize,
    hidden: args.hidden ?? [32, 16],
    outputs: 1,
    outputActivation: 'sigmoid',
    seed: args.seed,
  });
}

/** Arguments of {@link buildAlephBTaggerModel}. */
export interface AlephBTaggerArgs {
  seed: number;
}

/**
 * The ALEPH b-tag network (Phys. Lett. B 401 (1997) 150; B 495 (2000) 1): 6 inputs (P_uds, Δχ²,
 * lepton pT, boosted sphericity, energy-flow multiplicity, Σ pT²), two hidden layers of 10 sigmoid
 * units as in the original feed-forward net, one sigmoid output: 6-10-10-1, 191 parameters.
 */
export function buildAlephBTaggerModel(args: AlephBTaggerArgs): tf.Sequential {
  return buildMlpModel({
    inputSize: 6,
    hidden: [10, 10],
    hiddenActivation: 'sigmoid',
    outputs: 1,
    outputActivation: 'sigmoid',
    seed: args.seed,
  });
}

/** Arguments of {@link buildBoostedJetTaggerModel}. */
export interface BoostedJetTaggerArgs {
  inputSize: number;
  /** Number of classes (default 3: QCD, W, top in label order). */
  classes?: number;
  /** Hidden widths (default [32, 32]). */
  hidden?: number[];
  seed: number;
}

/**
 * Multi-class boosted-jet tagger: ReLU MLP with a softmax over the classes (trained with
 * categorical cross-entropy), so the outputs are the class probabilities p_qcd, p_w, p_top.
 */
export function buildBoostedJetTaggerModel(args: BoostedJetTaggerArgs): tf.Sequential {
  return buildMlpModel({
    inputSize: args.inputSize,
    hidden: args.hidden ?? [32, 32],
    outputs: args.classes ?? 3,
    outputActivation: 'softmax',
    seed: args.seed,
  });
}
