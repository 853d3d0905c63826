/**
 * The `/v1` predict answer (`POST /v1/models/{name}[/versions/{v}]/predict`): the edge builds it,
 * its OpenAPI document describes it from this schema, and the dashboard's try-it form parses the
 * answer with it. Units: energies in GeV, scores and scale factors dimensionless.
 */
import { z } from 'zod';

/** A scale factor at one working point for one row: SF with its up and down variations. */
export const ScaleFactorSchema = z.object({
  workingPoint: z.string(),
  value: z.number(),
  uncertainty: z.number().describe('(up − down) / 2'),
  up: z.number(),
  down: z.number(),
});

/** One row of a predict answer: a tagger's score and decisions, or a regression's energy or value. */
export const PredictionSchema = z.object({
  score: z.number().optional().describe('tagger score (signal probability)'),
  decisions: z.record(z.string(), z.boolean()).optional().describe('score ≥ threshold at each working point'),
  scaleFactor: ScaleFactorSchema.optional(),
  energy: z.number().optional().describe('calibrated energy [GeV]'),
  resolution: z.number().optional().describe('energy resolution σ [GeV] (Crystal-Ball models)'),
  correction: z
    .number()
    .optional()
    .describe(
      'dimensionless correction factor of a regression that outputs one; energy = correction × its base input [GeV]',
    ),
  value: z
    .number()
    .optional()
    .describe("a task file's regressed target, in the unit of the model's `value` output (named after the target)"),
});

/** A predict answer: which version answered, the raw outputs and one prediction per row. */
export const PredictResponseSchema = z.object({
  model: z.string(),
  version: z.number().int().describe('the version that answered'),
  task: z.string(),
  n: z.number().int(),
  workingPoint: z.string().optional(),
  outputs: z.record(z.string(), z.array(z.number())).describe('raw outputs by manifest name'),
  scores: z.array(z.number()).optional(),
  predictions: z.array(PredictionSchema),
});

export type ScaleFactorValue = z.infer<typeof ScaleFactorSchema>;
export type Prediction = z.infer<typeof PredictionSchema>;
export type PredictResponse = z.infer<typeof PredictResponseSchema>;
