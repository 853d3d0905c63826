/**
 * Columnar event sample produced by the generators and the readers: one Float32Array per variable,
 * class labels, per-event weights and (for simulation) generator truth.
 */
export interface ColumnarSample {
  /** Task the sample belongs to, e.g. `electron-id`. */
  task: string;
  /** Number of events. */
  n: number;
  /** Input variables by name, each of length `n`. */
  columns: Record<string, Float32Array>;
  /** Class label per event: 1 signal, 0 background (multi-class tasks use 0..k−1). */
  label: Uint8Array;
  /** Per-event weight (1 unless reweighted). */
  weight: Float32Array;
  /** Generator-level truth by name (true energy, true origin, …), each of length `n`. */
  truth: Record<string, Float32Array | Int32Array>;
  /** Unit of each column: `GeV`, `rad`, `mm`, or `1` for dimensionless. */
  units: Record<string, string>;
  /** The seed that generated it, for lineage. */
  seed: number;
}
