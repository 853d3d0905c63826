import { z } from 'zod';

/** One point of a learning curve (`pnpm study`): one model trained on one sample size. */
export const LearningCurvePointV1 = z.strictObject({
  model: z.string(),
  kind: z.enum(['network', 'baseline']),
  /** Events simulated (60 % train, 20 % validation, 20 % test). */
  events: z.number().int().positive(),
  trainEvents: z.number().int().positive(),
  /** εB at εS = 92 % (classifiers) or eIQR of E_reco/E_true (regression); lower is better. */
  figure: z.number(),
  /** Binomial standard error of εB (classifiers). */
  error: z.number().optional(),
  /** AUC (classifiers) or MAE [GeV] (regression). */
  secondary: z.number(),
  /** Free parameters of the model. */
  capacity: z.number().int().nonnegative(),
  /** Wall time to train and evaluate [s]. */
  seconds: z.number().nonnegative(),
});
export type LearningCurvePointV1 = z.infer<typeof LearningCurvePointV1>;

/** One row of the image-information study: a GBDT on one input set (energy regression). */
export const ImageInformationRowV1 = z.strictObject({
  label: z.string(),
  inputs: z.number().int().nonnegative(),
  /** eIQR of E_reco/E_true on the test split. */
  eIqr: z.number().positive(),
  /** eIQR relative to the standard calibration's. */
  rIqr: z.number().positive(),
});
export type ImageInformationRowV1 = z.infer<typeof ImageInformationRowV1>;

/**
 * The file `pnpm study` writes per task (`<task>.json`): its learning curve and, for the energy
 * regression with `--image-information`, the GBDT rows that ask whether the images hold what the
 * scalars lack. The dashboard's `/study` page reads the same schema.
 */
export const StudyFileV1 = z.strictObject({
  format: z.literal('hepml-study'),
  formatVersion: z.literal(1),
  task: z.string(),
  /** Label of the figure of merit. */
  figure: z.string(),
  seed: z.number().int(),
  /** Backend the networks trained on, with the reason `selectBackend` gave. */
  backend: z.string(),
  createdAt: z.string(),
  points: z.array(LearningCurvePointV1),
  imageInformation: z.array(ImageInformationRowV1).optional(),
});
export type StudyFileV1 = z.infer<typeof StudyFileV1>;
