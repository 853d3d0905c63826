import type { Bundle } from '../bundle/build.ts';
import { trainElectronIdNetwork } from './tasks.ts';

/** Options of {@link trainElectronIdMlp}. */
export interface ElectronIdTrainingOptions {
  name?: string;
  /** Events generated (signal + background). */
  n: number;
  epochs: number;
  seed: number;
  hidden?: number[];
  backend: string;
  codeVersion?: string;
  onEpoch?: (epoch: number, loss: number, valLoss: number) => void;
}

/**
 * Trains the default electron-identification MLP on the simulated sample and returns its bundle
 * (name `electron-id-mlp` unless given), with the figures of merit measured on the held-out test
 * split by the bundle's own runtime (so the published numbers are those the edge will reproduce).
 * See {@link trainElectronIdNetwork} for the sample handling.
 */
export async function trainElectronIdMlp(options: ElectronIdTrainingOptions): Promise<Bundle> {
  return (await trainElectronIdNetwork(options)).bundle;
}
