/** @module runtime/baselines — the baselines' evaluators and file formats (zod schemas `XxxV1`) and the loader of a baseline bundle (Workers-safe; their fits are in baselines/). */
export {
  type CutsParams,
  CutsV1,
  cutsParameterCount,
  evaluateCuts,
  parseCuts,
  serializeCuts,
} from './cuts.ts';
export {
  BASELINE_FORMATS,
  type BaselineEvaluator,
  type BaselineKind,
  type BaselineModel,
  baselineEvaluator,
  baselineOutputSize,
  evaluateBaseline,
  loadBaselineFromManifest,
  parseBaseline,
} from './dispatch.ts';
export {
  type EtEtaBinning,
  EtEtaBinningV1,
  etEtaBin,
  etEtaBinCount,
  etEtaBinLookup,
  serializeEtEtaBinning,
} from './et-eta-binning.ts';
export { InputsV1 } from './format.ts';
export { evaluateGbdt } from './gbdt.ts';
export {
  GBDT_OBJECTIVES,
  type GbdtObjective,
  type GbdtParams,
  type GbdtTree,
  GbdtV1,
  gbdtParameterCount,
  parseGbdt,
  serializeGbdt,
} from './gbdt-format.ts';
export {
  ATLAS_LIKELIHOOD_TAU,
  evaluateLikelihood,
  type LikelihoodParams,
  type LikelihoodPdf,
  LikelihoodV1,
  likelihoodDiscriminant,
  likelihoodParameterCount,
  parseLikelihood,
  serializeLikelihood,
} from './likelihood.ts';
export {
  evaluateStandardCalibration,
  parseStandardCalibration,
  STANDARD_CALIBRATION_CATEGORIES,
  STANDARD_CALIBRATION_ROLES,
  STANDARD_CALIBRATION_TERMS,
  type StandardCalibrationParams,
  type StandardCalibrationRole,
  StandardCalibrationV1,
  serializeStandardCalibration,
  standardCalibrationParameterCount,
} from './standard-calibration.ts';
