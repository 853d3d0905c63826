import { describe, expect, it } from 'vitest';
import { csvField, figureLabel, figuresCsv, figuresDownload, groupFigures, recommendationRule, toCsv } from './figures';
import { sig } from './format';

describe('sig', () => {
  it('rounds to significant figures and drops trailing zeros', () => {
    expect(sig(0.12345678901234566)).toBe('0.1235');
    expect(sig(23.456789012345677)).toBe('23.46');
    expect(sig(1.5)).toBe('1.5');
    expect(sig(-0.000012346)).toBe('-1.235e-5');
    expect(sig(1234567.8)).toBe('1.235e+6');
  });
  it('writes integers as integers and absent values as an en dash', () => {
    expect(sig(12)).toBe('12');
    expect(sig(0)).toBe('0');
    expect(sig(Number.NaN)).toBe('–');
    expect(sig(undefined)).toBe('–');
  });
});

describe('figureLabel and groupFigures', () => {
  it('labels the metric keys with symbols and units', () => {
    expect(figureLabel('bkgEffAt92').label).toBe('εB at εS = 92 %');
    expect(figureLabel('rejectionAt50').label).toBe('1/εB at εS = 50 %');
    expect(figureLabel('mae').label).toBe('MAE [GeV]');
    expect(figureLabel('rejectionAt50_w').label).toBe('1/εB at εS = 50 %, w vs rest');
    expect(figureLabel('somethingNew').label).toBe('somethingNew');
  });
  it('groups performance, overtraining and training figures, integers as integers', () => {
    const groups = groupFigures({
      auc: 0.99361234,
      epochs: 12,
      ksPValueSignal: 0.4321,
      trainSamplesPerSecond: 46019.7839,
      rejectionAt50: 812.345,
    });
    expect(groups.map((g) => g.group)).toEqual(['performance', 'overtraining', 'training']);
    expect(groups[0]?.rows).toEqual([
      { key: 'auc', label: 'AUC', text: '0.9936' },
      { key: 'rejectionAt50', label: '1/εB at εS = 50 %', text: '812.3' },
    ]);
    expect(groups[1]?.rows[0]?.text).toBe('0.432');
    expect(groups[2]?.rows).toEqual([
      { key: 'epochs', label: 'epochs', text: '12' },
      { key: 'trainSamplesPerSecond', label: 'training speed [samples/s]', text: '46\u2009020' },
    ]);
  });
  it('states the recommendation rule against the simple baseline of the task kind', () => {
    expect(recommendationRule('classifier', 'AUC')).toContain('beat the cut-based baseline');
    expect(recommendationRule('regression', 'eIQR')).toContain('the standard calibration');
  });
});

describe('toCsv', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "x"')).toBe('"say ""x"""');
    expect(csvField(null)).toBe('');
    expect(
      toCsv([
        ['x', 'y'],
        [1, 0.5],
      ]),
    ).toBe('x,y\r\n1,0.5\r\n');
  });
});

describe('figuresDownload and figuresCsv', () => {
  it('labels every figure and lists the working points at full precision', () => {
    const d = figuresDownload({
      model: 'm',
      version: 2,
      task: 'electron-id',
      metrics: { bkgEffAt92: 0.123456789, epochs: 12 },
      workingPoints: [{ name: 'tight', signalEfficiency: 0.8, threshold: 0.91, backgroundEfficiency: 0.01 }],
    });
    expect(d.figures).toEqual([
      { key: 'bkgEffAt92', label: 'εB at εS = 92 %', group: 'performance', value: 0.123456789 },
      { key: 'epochs', label: 'epochs', group: 'training', value: 12 },
    ]);
    const lines = figuresCsv(d).trim().split('\r\n');
    expect(lines[0]).toBe('group,key,label,value');
    expect(lines[1]).toBe('performance,bkgEffAt92,εB at εS = 92 %,0.123456789');
    expect(lines).toContain('working point,tight.threshold,score threshold at tight,0.91');
    expect(lines).toHaveLength(1 + 2 + 3);
  });
});
