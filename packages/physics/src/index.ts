/** @module @hepml/physics — physics, statistics and simulation of hepml-edge (pure TypeScript): Axis is the one way to bin, io/format the shared part of the file schemas, at() the checked element read. */
export * from './array.ts';
export * from './calibration/cms-zee.ts';
export * from './calibration/energy-scale.ts';
export * from './calibration/regression-z-peak.ts';
export * from './calibration/response-inversion.ts';
export * from './calibration/scale-factor-table.ts';
export * from './calibration/scale-factor-text.ts';
export * from './calibration/scale-factors.ts';
export * from './calibration/simulated-probes.ts';
export * from './calibration/tag-and-probe.ts';
export * from './correctionlib/evaluate.ts';
export * from './correctionlib/formula.ts';
export * from './correctionlib/from-scale-factors.ts';
export * from './correctionlib/hash-prng.ts';
export * from './correctionlib/schema-v2.ts';
export * from './correctionlib/validate.ts';
export * from './errors.ts';
export * from './fit/binned-fit.ts';
export * from './fit/breit-wigner.ts';
export * from './fit/breit-wigner-crystal-ball.ts';
export * from './fit/chebyshev.ts';
export * from './fit/crystal-ball.ts';
export * from './fit/exponential.ts';
export * from './fit/fft.ts';
export * from './fit/gaussian.ts';
export * from './fit/likelihood-fit.ts';
export { addToNormalEquations, solvePositiveDefinite } from './fit/linear-algebra.ts';
export * from './fit/minimize.ts';
export * from './fit/minos.ts';
export * from './fit/model.ts';
export * from './fit/pdf.ts';
export * from './fit/unbinned-fit.ts';
export * from './histogram/axis.ts';
export * from './histogram/hist-1d.ts';
export * from './histogram/hist-2d.ts';
export * from './histogram/hist-3d.ts';
export { HistogramBase, type NormalizeOptions, type RatioMode } from './histogram/histogram-base.ts';
export * from './io/csv.ts';
export * from './io/dataset.ts';
export * from './io/format.ts';
export * from './io/parquet.ts';
export * from './io/root.ts';
export * from './io/root-writer.ts';
export * from './kinematics/four-vector.ts';
export * from './reweighting/histogram-reweighting.ts';
export * from './sim/b-tagging.ts';
export * from './sim/boosted-jets.ts';
export { CALO_IMAGE_CHANNELS, CALO_IMAGE_SHAPE, CALO_IMAGE_TIME_CHANNELS } from './sim/calo-images.ts';
export { accordionDepth } from './sim/calo-shower-development.ts';
export * from './sim/calo-showers.ts';
export {
  applyStandardCalibration,
  calibrationCategory,
  fitStandardCalibration,
  type StandardCalibration,
  standardCalibrationFeatures,
} from './sim/calo-standard-calibration.ts';
export * from './sim/cms-electron.ts';
export * from './sim/detector.ts';
export * from './sim/electron-candidate.ts';
export * from './sim/electron-id.ts';
export * from './sim/pair-category.ts';
export * from './sim/rng.ts';
export type { ColumnarSample } from './sim/sample.ts';
export * from './sim/sample-stats.ts';
export * from './sim/tag-and-probe.ts';
export * from './sim/z-boson.ts';
export * from './stats/chi2.ts';
export * from './stats/efficiency.ts';
export * from './stats/jensen-shannon.ts';
export * from './stats/ks-test.ts';
export * from './stats/poisson-interval.ts';
export * from './stats/regression.ts';
export * from './stats/roc.ts';
export * from './stats/significance.ts';
export * from './stats/special.ts';
export * from './stats/working-points.ts';
export * from './units.ts';
