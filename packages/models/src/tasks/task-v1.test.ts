import {
  B_TAGGING_VARIABLES,
  BOOSTED_JET_VARIABLES,
  CALO_SHOWER_VARIABLES,
  ELECTRON_ID_VARIABLES,
  STANDARD_CALIBRATION_COLUMN,
} from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { TaskFileError } from '../errors.ts';
import { TASKS } from '../tasks.ts';
import { REFERENCE_TASKS } from './reference.ts';
import { parseTaskFile, parseTaskJson, type TaskV1, taskWorkingPoints } from './task-v1.ts';

const binary = (): Record<string, unknown> => ({
  format: 'hepml-task',
  formatVersion: 1,
  name: 'muon-prompt',
  title: 'Prompt muons',
  description: 'prompt against non-prompt muons',
  kind: 'binary',
  inputs: [
    { name: 'pt', column: 'Muon_pt', unit: 'GeV', description: 'transverse momentum' },
    { name: 'iso', expression: 'Muon_pfRelIso04_all * Muon_pt', unit: 'GeV', description: 'absolute isolation' },
  ],
  label: { column: 'Muon_genPartFlav', signal: [1] },
  selection: 'Muon_pt > 5 && abs(Muon_eta) < 2.4',
  object: { pt: 'Muon_pt', eta: 'Muon_eta' },
  seed: 1,
  data: { source: 'files', tree: 'Events', objects: 'Muon' },
});

/** The error `parseTaskFile` throws for `value`. */
function faultOf(value: unknown): TaskFileError {
  try {
    parseTaskFile(value, 't.json');
  } catch (err) {
    expect(err).toBeInstanceOf(TaskFileError);
    return err as TaskFileError;
  }
  throw new Error('expected a TaskFileError');
}

describe('TaskV1 (issue 18)', () => {
  it('reads a valid binary task and fills the defaults', () => {
    const task = parseTaskFile(binary(), 't.json');
    expect(task.name).toBe('muon-prompt');
    expect(taskWorkingPoints(task).map((w) => w.signalEfficiency)).toEqual([0.95, 0.9, 0.8]);
  });

  it.each([
    ['unknown key', (t: Record<string, unknown>) => Object.assign(t, { colour: 'red' }), 'colour'],
    [
      'missing unit',
      (t: Record<string, unknown>) => delete (t.inputs as Record<string, unknown>[])[1]?.unit,
      'inputs[1].unit',
    ],
    ['bad kind', (t: Record<string, unknown>) => Object.assign(t, { kind: 'ranking' }), 'kind'],
    ['bad name', (t: Record<string, unknown>) => Object.assign(t, { name: 'Muon Prompt' }), 'name'],
    [
      'syntax error in selection',
      (t: Record<string, unknown>) => Object.assign(t, { selection: 'Muon_pt >' }),
      'selection',
    ],
    [
      'εS outside (0, 1)',
      (t: Record<string, unknown>) => Object.assign(t, { workingPoints: [{ name: 'tight', signalEfficiency: 1.2 }] }),
      'workingPoints[0].signalEfficiency',
    ],
    [
      'binary without signal values',
      (t: Record<string, unknown>) => Object.assign(t, { label: { column: 'x' } }),
      'label.signal',
    ],
    [
      'label with column and expression',
      (t: Record<string, unknown>) => Object.assign(t, { label: { column: 'x', expression: 'y > 1', signal: [1] } }),
      'label.column',
    ],
    [
      'regression fields on a classifier',
      (t: Record<string, unknown>) => Object.assign(t, { target: { column: 'pt', unit: 'GeV' } }),
      'target',
    ],
    [
      'a regression target expression without a name',
      (t: Record<string, unknown>) => {
        delete t.label;
        Object.assign(t, { kind: 'regression', target: { expression: 'pt / 2', unit: 'GeV' } });
      },
      'target.name',
    ],
    [
      'a regression baseline that does not parse',
      (t: Record<string, unknown>) => {
        delete t.label;
        Object.assign(t, { kind: 'regression', target: { column: 'pt', unit: 'GeV', baseline: '1 /' } });
      },
      'target.baseline',
    ],
    [
      'a gather without its index',
      (t: Record<string, unknown>) =>
        Object.assign(t, { data: { source: 'files', gather: [{ name: 'Jet_genPt', from: 'GenJet_pt' }] } }),
      'data.gather[0].index',
    ],
    [
      'split of 1',
      (t: Record<string, unknown>) => Object.assign(t, { split: { validation: 0.5, test: 0.5 } }),
      'split.test',
    ],
    [
      'a collection flattened and padded',
      (t: Record<string, unknown>) =>
        Object.assign(t, { data: { source: 'files', objects: 'Muon', pad: { Muon: 2 } } }),
      'data.pad.Muon',
    ],
    [
      'unknown data source',
      (t: Record<string, unknown>) => Object.assign(t, { data: { source: 'ftp' } }),
      'data.source',
    ],
    [
      'repeated input',
      (t: Record<string, unknown>) => (t.inputs as unknown[]).push({ name: 'pt', unit: 'GeV', description: 'again' }),
      'inputs[2].name',
    ],
  ])('names the field of a fault: %s', (_what, mutate, field) => {
    const value = binary();
    mutate(value);
    const err = faultOf(value);
    expect(err.field).toBe(field);
    expect(err.message.startsWith(`t.json: ${field}: `)).toBe(true);
  });

  it('checks multi-class classes: roles and values used twice', () => {
    const value = {
      ...binary(),
      kind: 'multi-class',
      label: {
        column: 'flav',
        classes: [
          { name: 'light', values: [0, 3], role: 'background' },
          { name: 'b', values: [5, 3], role: 'signal' },
        ],
      },
    };
    const err = faultOf(value);
    expect(err.field).toBe('label.classes[1].values[1]');
    expect(err.message).toContain('already a value of class light');
  });

  it('a JSON syntax error names the file', () => {
    expect(() => parseTaskJson('{"format": ', 'mine.json')).toThrow(/^mine\.json: not valid JSON/);
  });

  it('the four reference tasks are task files whose inputs are the simulation variables', () => {
    expect(REFERENCE_TASKS.map((t) => [t.name, t.kind, t.data.source])).toEqual([
      ['electron-id', 'binary', 'simulation'],
      ['bjet', 'binary', 'simulation'],
      ['boosted-jet', 'multi-class', 'simulation'],
      ['energy-regression', 'regression', 'simulation'],
    ]);
    expect(TASKS.map((t) => [t.id, t.kind, t.headline.metric])).toEqual([
      ['electron-id', 'classifier', 'auc'],
      ['bjet', 'classifier', 'auc'],
      ['boosted-jet', 'classifier', 'auc'],
      ['energy-regression', 'regression', 'eIqr'],
    ]);
    const variables = [
      ELECTRON_ID_VARIABLES,
      B_TAGGING_VARIABLES,
      BOOSTED_JET_VARIABLES,
      { ...CALO_SHOWER_VARIABLES, [STANDARD_CALIBRATION_COLUMN]: 'GeV' },
    ];
    REFERENCE_TASKS.forEach((task, i) => {
      expect(Object.fromEntries(task.inputs.map((input) => [input.name, input.unit]))).toEqual(variables[i]);
    });
    const electron = REFERENCE_TASKS[0] as TaskV1;
    expect(electron.inputs).toHaveLength(22);
    expect(electron.inputs.find((i) => i.name === 'et')?.unit).toBe('GeV');
  });
});
