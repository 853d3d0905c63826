import type { Prediction, PredictResponse } from '@hepml/models/api';
import { rowsToMatrix } from '@hepml/models/runtime';
import { at, PhysicsInputError } from '@hepml/physics';
import type { z } from 'zod';
import { ApiError } from '../errors.ts';
import type { PredictRequestSchema } from '../schemas.ts';
import type { LoadedModel } from './model-cache.ts';
import { evaluateScaleFactor } from './scale-factors.ts';

/** The predict body after schema validation. */
export type PredictRequest = z.infer<typeof PredictRequestSchema>;

/** Default working point for scale factors. */
export const DEFAULT_WORKING_POINT = 'medium';

/** Extra per-row keys a tagger with scale factors accepts: the object's pt (GeV) and η. */
const SF_KEYS: ReadonlySet<string> = new Set(['pt', 'eta']);

/** A batch packed for the runner, with the kinematics the scale factors need. */
export interface PreparedBatch {
  n: number;
  /** Row-major n × inputSize raw inputs in manifest order. */
  features: Float32Array;
  /** Row-major n × H × W × C, when the model takes an image. */
  image: Float32Array | undefined;
  /** pt (GeV) and η per row, NaN where the row did not give them. */
  pt: Float64Array | undefined;
  eta: Float64Array | undefined;
}

function checkBatchSize(n: number, maxRows: number, field: string): void {
  if (n === 0) throw new ApiError(400, 'invalid_input', `${field} must not be empty`, field);
  if (n > maxRows) throw new ApiError(413, 'batch_too_large', `at most ${maxRows} rows per request, got ${n}`, field);
}

/**
 * Packs a v1 predict body (rows or columns, optional image) into the runner's layout. Every
 * missing or unknown input, length mismatch or wrong image shape is a 400 naming the field; more
 * rows than `maxRows` is 413.
 */
export function prepareV1(model: LoadedModel, body: PredictRequest, maxRows: number): PreparedBatch {
  const inputs = model.manifest.inputs;
  const withSf = model.scaleFactors !== undefined;
  if (body.rows !== undefined && body.columns !== undefined) {
    throw new ApiError(400, 'invalid_input', 'send either "rows" or "columns", not both', 'columns');
  }
  let n: number;
  let features: Float32Array;
  let pt: Float64Array | undefined;
  let eta: Float64Array | undefined;
  if (body.rows !== undefined) {
    const rows = body.rows;
    n = rows.length;
    checkBatchSize(n, maxRows, 'rows');
    features = rowsToMatrix(inputs, rows, withSf ? { allowedExtra: SF_KEYS } : {});
    if (withSf) {
      pt = new Float64Array(n);
      eta = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const row = at(rows, r);
        pt[r] = row.pt ?? Number.NaN;
        eta[r] = row.eta ?? Number.NaN;
      }
    }
  } else if (body.columns !== undefined) {
    const columns = body.columns;
    const names = new Set(inputs.map((i) => i.name));
    for (const key of Object.keys(columns)) {
      if (!names.has(key) && !(withSf && SF_KEYS.has(key))) {
        throw new ApiError(400, 'invalid_input', `columns.${key} is not an input of this model`, `columns.${key}`);
      }
    }
    const first = inputs[0];
    n = first && columns[first.name] ? (columns[first.name] as number[]).length : 0;
    const k = inputs.length;
    for (const input of inputs) {
      const col = columns[input.name];
      if (col === undefined) {
        throw new ApiError(400, 'invalid_input', `columns.${input.name} is missing`, `columns.${input.name}`);
      }
      if (col.length !== n) {
        throw new ApiError(
          400,
          'invalid_input',
          `columns.${input.name} has ${col.length} values, columns.${first?.name} has ${n}`,
          `columns.${input.name}`,
        );
      }
    }
    checkBatchSize(n, maxRows, 'columns');
    features = new Float32Array(n * k);
    for (let i = 0; i < k; i++) {
      const col = columns[(inputs[i] as { name: string }).name] as number[];
      for (let r = 0; r < n; r++) features[r * k + i] = at(col, r);
    }
    if (withSf) {
      for (const key of ['pt', 'eta'] as const) {
        const col = columns[key];
        if (col !== undefined && col.length !== n) {
          throw new ApiError(
            400,
            'invalid_input',
            `columns.${key} has ${col.length} values, expected ${n}`,
            `columns.${key}`,
          );
        }
      }
      if (columns.pt !== undefined && columns.eta !== undefined) {
        pt = Float64Array.from(columns.pt);
        eta = Float64Array.from(columns.eta);
      }
    }
  } else {
    throw new ApiError(400, 'invalid_input', 'send "rows" (objects keyed by input name) or "columns"', 'rows');
  }
  const image = prepareImage(model, n, body.image?.shape, body.image?.data, 'image');
  return { n, features, image, pt, eta };
}

/**
 * Checks an image batch against the model: it must be given exactly when the model takes one,
 * with shape [n, height, width, channels] equal to the manifest's and data of that many values.
 */
export function prepareImage(
  model: LoadedModel,
  n: number,
  shape: readonly number[] | undefined,
  data: ArrayLike<number> | undefined,
  field: string,
): Float32Array | undefined {
  const spec = model.image;
  if (!spec) {
    if (shape !== undefined || data !== undefined) {
      throw new ApiError(400, 'invalid_input', `${field}: this model takes no image`, field);
    }
    return undefined;
  }
  if (shape === undefined || data === undefined) {
    throw new ApiError(
      400,
      'invalid_input',
      `${field} is missing: this model takes images of shape [n, ${spec.shape.join(', ')}]`,
      field,
    );
  }
  const expected = [n, ...spec.shape];
  if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
    throw new ApiError(
      400,
      'invalid_input',
      `${field}.shape is [${shape.join(', ')}], expected [${expected.join(', ')}] (n, height, width, channels)`,
      `${field}.shape`,
    );
  }
  const size = expected.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new ApiError(
      400,
      'invalid_input',
      `${field}.data has ${data.length} values, shape [${expected.join(', ')}] needs ${size}`,
      `${field}.data`,
    );
  }
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

/**
 * Evaluates a prepared batch and composes the v1 answer. Taggers: per row the score, the decision
 * score ≥ threshold at each working point, and, when the row gave pt (GeV) and η and the model has
 * scale factors for the chosen working point, the scale factor with its uncertainty. Regressions:
 * the calibrated energy (GeV) — the model's energy output, or its correction factor times the
 * input it multiplies ({@link derivedEnergy}), the factor then beside it — and, when the model has
 * a `resolution` output (Crystal-Ball models), σ in GeV. `time` wraps the model's evaluation
 * (for Server-Timing).
 */
export function predictV1(
  model: LoadedModel,
  batch: PreparedBatch,
  workingPoint: string | undefined,
  time: (run: () => Float32Array) => Float32Array = (run) => run(),
): PredictResponse {
  const { n } = batch;
  const out = time(() => model.runner.predict(batch.features, n, batch.image));
  const outputs = splitOutputs(model, out, n);
  const result: PredictResponse = {
    model: model.name,
    version: model.version,
    task: model.task,
    n,
    outputs,
    predictions: [],
  };
  const m = model.manifest;
  const k = m.outputs.length;
  if (model.kind === 'regression') {
    const ei = m.outputs.findIndex((o) => o.kind === 'energy');
    const ri = m.outputs.findIndex((o) => o.kind === 'resolution');
    const ci = m.outputs.findIndex((o) => o.kind === 'correction');
    // A task file's regression: its target, named and in the unit the output says.
    const vi = m.outputs.findIndex((o) => o.kind === 'value');
    const derived = derivedEnergy(model, batch.features, out, n);
    for (let r = 0; r < n; r++) {
      const p: Prediction = {};
      if (ei >= 0) p.energy = at(out, r * k + ei);
      else if (derived) p.energy = at(derived, r);
      if (ri >= 0) p.resolution = at(out, r * k + ri);
      if (ci >= 0) p.correction = at(out, r * k + ci);
      if (vi >= 0) p.value = at(out, r * k + vi);
      result.predictions.push(p);
    }
    return result;
  }
  const wpName = workingPoint ?? DEFAULT_WORKING_POINT;
  if (workingPoint !== undefined && !m.workingPoints.some((w) => w.name === workingPoint)) {
    throw new ApiError(
      400,
      'invalid_input',
      `workingPoint "${workingPoint}" is not one of this model's (${m.workingPoints.map((w) => w.name).join(', ') || 'none'})`,
      'workingPoint',
    );
  }
  const lookup = model.scaleFactorLookups.get(wpName);
  if (workingPoint !== undefined && model.scaleFactors && !lookup) {
    throw new ApiError(400, 'invalid_input', `no scale factors for working point "${workingPoint}"`, 'workingPoint');
  }
  if (lookup) result.workingPoint = wpName;
  const scores = new Array<number>(n);
  for (let r = 0; r < n; r++) {
    const score = at(out, r * k + model.scoreIndex);
    scores[r] = score;
    const decisions: Record<string, boolean> = {};
    for (const w of m.workingPoints) decisions[w.name] = score >= w.threshold;
    const p: Prediction = { score, decisions };
    const pt = batch.pt?.[r];
    const eta = batch.eta?.[r];
    if (lookup && pt !== undefined && eta !== undefined && !Number.isNaN(pt) && !Number.isNaN(eta)) {
      try {
        p.scaleFactor = evaluateScaleFactor(lookup, pt, eta);
      } catch (err) {
        if (err instanceof PhysicsInputError) {
          const field = err.field === lookup.ptInput ? 'pt' : 'eta';
          throw new ApiError(400, 'invalid_input', `row ${r}: ${err.message}`, `rows[${r}].${field}`);
        }
        throw err;
      }
    }
    result.predictions.push(p);
  }
  result.scores = scores;
  return result;
}

/**
 * The energy (GeV) of each row of a model whose output is a dimensionless factor on one of its
 * inputs (`energyFromCorrection`): E = correction × raw(base input), in float32 as the outputs.
 * Undefined when the model outputs its energy itself or has no such factor.
 */
export function derivedEnergy(
  model: LoadedModel,
  features: Float32Array,
  out: Float32Array,
  n: number,
): Float32Array | undefined {
  const e = model.energyFromCorrection;
  if (!e) return undefined;
  const k = model.manifest.outputs.length;
  const inputs = model.manifest.inputs.length;
  const energy = new Float32Array(n);
  for (let r = 0; r < n; r++) energy[r] = at(out, r * k + e.output) * at(features, r * inputs + e.input);
  return energy;
}

/** Row-major outputs → one array per manifest output name. */
export function splitOutputs(model: LoadedModel, out: Float32Array, n: number): Record<string, number[]> {
  const names = model.manifest.outputs.map((o) => o.name);
  const k = names.length;
  const cols: Record<string, number[]> = {};
  for (let j = 0; j < k; j++) {
    const col = new Array<number>(n);
    for (let r = 0; r < n; r++) col[r] = at(out, r * k + j);
    cols[at(names, j)] = col;
  }
  return cols;
}
