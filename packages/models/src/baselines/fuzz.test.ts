/**
 * Strictness under random damage: any single edit of a valid parameter file (a value replaced by
 * another JSON value, or a key removed) either parses into a model that evaluates rows without
 * error, or is refused with a BundleError — never a TypeError, a RangeError or an endless loop.
 */
import {
  CALO_SHOWER_VARIABLES,
  defaultStandardCalibration,
  ELECTRON_ID_VARIABLES,
  generateElectronId,
} from '@hepml/physics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BundleError } from '../errors.ts';
import {
  type BaselineModel,
  baselineOutputSize,
  evaluateBaseline,
  parseBaseline,
} from '../runtime/baselines/dispatch.ts';
import { serializeBaseline } from './bundle.ts';
import { fitCuts } from './cuts.ts';
import { fitGbdt } from './gbdt.ts';
import { fitLikelihood } from './likelihood.ts';
import { sampleMatrix } from './matrix.ts';
import { standardCalibrationFromPhysics } from './standard-calibration.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const inputs = Object.keys(ELECTRON_ID_VARIABLES);
const sample = generateElectronId({ n: 2000, seed: 61 });
const m = sampleMatrix(sample, inputs);
const binning = { etInput: 'et', etaInput: 'eta', etEdges: [15, 40, 250], absEtaEdges: [0, 1.37, 2.47] };
const common = { inputs, features: m.features, n: m.n, labels: sample.label, levels: [0.9, 0.5] };
const models: BaselineModel[] = [
  { kind: 'cuts', params: fitCuts({ ...common, binning, minSignalPerBin: 20 }) },
  { kind: 'likelihood', params: fitLikelihood({ ...common, binning, bins: 6, minEventsPerBin: 50 }) },
  {
    kind: 'gbdt',
    params: fitGbdt({
      inputs,
      features: m.features,
      n: m.n,
      target: sample.label,
      objective: 'binary',
      trees: 3,
      maxLeaves: 4,
    }),
  },
  {
    kind: 'standard-calibration',
    params: standardCalibrationFromPhysics(defaultStandardCalibration(), Object.keys(CALO_SHOWER_VARIABLES)),
  },
];

function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) paths(v[i] as Json, [...prefix, i], out);
  } else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function edit(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy as Json;
}

const replacement = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 300 }),
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 3 }),
);

describe('baseline parsers under random edits', () => {
  it.each(models.map((model) => [model.kind, model] as const))(
    '%s: parse succeeds and evaluates, or throws BundleError',
    (_, model) => {
      const json = JSON.parse(JSON.stringify(serializeBaseline(model))) as Json;
      const all = paths(json);
      const d = model.params.inputs.length;
      const rows = Float32Array.from({ length: 4 * d }, (_, k) => ((k * 7919) % 97) / 7 - 3);
      let refused = 0;
      fc.assert(
        fc.property(fc.nat({ max: all.length - 1 }), replacement, (k, value) => {
          const damaged = edit(json, all[k] as (string | number)[], value as Json | undefined);
          let parsed: BaselineModel;
          try {
            parsed = parseBaseline(model.kind, damaged);
          } catch (e) {
            refused++;
            return e instanceof BundleError && typeof e.field === 'string';
          }
          if (parsed.params.inputs.length !== d) return true;
          const out = evaluateBaseline(parsed, rows, 4);
          return out.length === 4 * baselineOutputSize(parsed);
        }),
        { numRuns: 300, seed: 7 },
      );
      expect(refused).toBeGreaterThan(100);
    },
  );
});
