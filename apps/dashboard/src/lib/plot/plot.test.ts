import { clopperPearsonInterval } from '@hepml/physics';
import { describe, expect, it } from 'vitest';
import { plotCsv, plotData } from './data';
import {
  efficiencyPlot,
  eIqrError,
  fractionInterval,
  histogramOverlap,
  histogramsPlot,
  overtrainingPlot,
  ptBins,
  resolutionPlot,
  rocPlot,
  scaleFactorPlot,
} from './hep';
import { axisRange, errorBarCount, type PlotSpec, plotRanges, tickLabel, ticks } from './spec';
import { plotSvg, xml } from './svg';

describe('axes', () => {
  it('ticks a linear axis in steps of 1, 2 or 5 × 10ⁿ and a log axis at the decades', () => {
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0.93, 1.07, false, 3)).toEqual([0.95, 1, 1.05]);
    expect(ticks(1, 1000, true)).toEqual([1, 10, 100, 1000]);
    expect(ticks(0.5, 3000, true)).toEqual([1, 10, 100, 1000]);
    expect(ticks(2.5, 350, true)).toEqual([5, 10, 20, 50, 100, 200]);
  });

  it('labels decades as 1, 10, 100, 1000 then 10ⁿ and linear ticks with the step’s decimals', () => {
    expect([1, 10, 1000, 1e4, 1e-3, 0.01].map((v) => tickLabel(v, [], true))).toEqual([
      '1',
      '10',
      '1000',
      '10⁴',
      '10⁻³',
      '0.01',
    ]);
    expect(tickLabel(0.4, [0, 0.2, 0.4])).toBe('0.4');
    expect(tickLabel(20, [0, 10, 20])).toBe('20');
    expect(tickLabel(0, [], true)).toBe('');
  });

  it('pads a linear range by 5 % and a log range by 5 % of its decades, dropping what log cannot draw', () => {
    expect(axisRange({ label: 'x' }, [0, 10])).toEqual([-0.5, 10.5]);
    expect(axisRange({ label: 'x', min: 0 }, [0, 10])).toEqual([0, 10.5]);
    const [lo, hi] = axisRange({ label: 'y', log: true }, [0, null, 1, 10000]);
    expect([lo, hi].map((v) => Math.log10(v))).toEqual([expect.closeTo(-0.2, 12), expect.closeTo(4.2, 12)]);
    const narrow = axisRange({ label: 'y', log: true }, [2, 3]);
    expect(narrow[0]).toBeCloseTo(2 / 1.1, 12);
    expect(axisRange({ label: 'y' }, [])).toEqual([-0.05, 1.05]);
  });
});

const spec: PlotSpec = {
  name: 't',
  title: 'A <test> & plot',
  caption: 'What it shows',
  x: { label: 'pT [GeV]' },
  main: {
    y: { label: 'ε' },
    layers: [
      { kind: 'hist', label: 'train', colour: '#0072B2', edges: [0, 1, 2], y: [0.25, 0.75], fill: true },
      {
        kind: 'points',
        label: 'test',
        colour: '#D55E00',
        x: [0.5, 1.5],
        y: [0.3, 0.7],
        yLow: [0.2, 0.6],
        yHigh: [0.4, 0.8],
      },
    ],
  },
  ratio: {
    y: { label: 'ratio' },
    reference: 1,
    layers: [{ kind: 'line', label: '', colour: '#000000', x: [0.5, 1.5], y: [1.2, null] }],
  },
};

describe('plotSvg', () => {
  it('writes a standalone SVG with title, alt text, both panels, error bars and the legend', () => {
    const svg = plotSvg(spec);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>A &lt;test&gt; &amp; plot</title>');
    expect(svg).toContain('aria-label="What it shows"');
    expect(svg).toContain('class="panel main"');
    expect(svg).toContain('class="panel ratio"');
    expect(svg).toContain('>pT [GeV]</text>');
    // Two error bars and two markers in the plot (the legend has its own marker).
    const plot = svg.slice(0, svg.indexOf('class="legend"'));
    expect(plot.match(/class="error-bar"/g)).toHaveLength(2);
    expect(plot.match(/<circle /g)).toHaveLength(2);
    // Legend: the labelled layers only.
    const legend = svg.slice(svg.indexOf('class="legend"'));
    expect(legend).toContain('>train</text>');
    expect(legend).toContain('>test</text>');
    expect(legend.match(/<text /g)).toHaveLength(2);
    expect(errorBarCount(spec)).toBe(2);
  });

  it('escapes text for XML', () => {
    expect(xml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });
});

describe('plot data', () => {
  it('lists every drawn point with its ranges, histograms at bin centres with their edges', () => {
    const d = plotData(spec);
    expect(d.panels.map((p) => p.panel)).toEqual(['main', 'ratio']);
    expect(d.panels[0]?.layers[0]?.points[1]).toEqual({ x: 1.5, xLow: 1, xHigh: 2, y: 0.75, yLow: null, yHigh: null });
    expect(d.panels[0]?.layers[1]?.points[0]).toEqual({
      x: 0.5,
      xLow: null,
      xHigh: null,
      y: 0.3,
      yLow: 0.2,
      yHigh: 0.4,
    });
    const lines = plotCsv(spec).trim().split('\r\n');
    expect(lines[0]).toBe('panel,layer,kind,x: pT [GeV],x low,x high,y: ε | ratio,y low,y high');
    expect(lines).toContain('main,test,points,1.5,,,0.7,0.6,0.8');
    expect(lines).toContain('ratio,,line,1.5,,,,,');
    expect(lines).toHaveLength(7);
  });
});

describe('HEP plots', () => {
  it('ROC: 1/εB on a log axis, AUC in the legend, ratio to the first curve', () => {
    const grid = [0.5, 1];
    const p = rocPlot({
      name: 'r',
      grid,
      curves: [
        { label: 'a', colour: '#000000', rejection: [10, 2], auc: 0.9 },
        { label: 'b', colour: '#0072B2', rejection: [20, null], auc: 0.95, baseline: true },
      ],
      ratio: true,
    });
    expect(p.main.y.log).toBe(true);
    expect(p.main.layers.map((l) => l.label)).toEqual(['a, AUC = 0.9000', 'b, AUC = 0.9500']);
    const ratio = p.ratio?.layers[0];
    expect(ratio?.kind === 'line' ? ratio.y : null).toEqual([2, null]);
    expect(p.caption).toContain('divided by that of a');
  });

  it('overtraining: Clopper–Pearson bars on the test fractions, log-y once the classes separate', () => {
    const h = {
      edges: [0, 0.5, 1],
      trainSignal: [0.1, 0.9],
      testSignal: [0.2, 0.8],
      trainBackground: [0.9, 0.1],
      testBackground: [0.85, 0.15],
    };
    const o = {
      signal: { statistic: 0.05, pValue: 0.42 },
      background: { statistic: 0.04, pValue: 0.61 },
      histograms: h,
      events: { trainSignal: 100, testSignal: 100, trainBackground: 100, testBackground: 100 },
    };
    const p = overtrainingPlot('o', o);
    expect(p.main.y.log).toBe(false);
    const test = p.main.layers[2];
    if (test?.kind !== 'points') throw new Error('test sample must be points');
    const cp = clopperPearsonInterval(20, 100);
    expect(test.yLow[0]).toBeCloseTo(cp.lower, 12);
    expect(test.yHigh[0]).toBeCloseTo(cp.upper, 12);
    expect(p.main.layers.map((l) => l.label)).toContain('signal, test (KS p = 0.420)');
    expect(p.main.layers.filter((l) => l.kind === 'hist' && l.fill)).toHaveLength(2);
    const separated = overtrainingPlot('o', {
      ...o,
      histograms: { ...h, trainSignal: [0, 1], trainBackground: [0.99, 0.01] },
    });
    expect(separated.main.y.log).toBe(true);
    // Without stored numbers of events there are no bars, and the caption says so.
    const bare = overtrainingPlot('o', { signal: o.signal, background: o.background, histograms: h });
    expect(errorBarCount(bare)).toBe(0);
    expect(bare.caption).toContain('no error bars');
    expect(histogramOverlap([0.5, 0.5], [0.5, 0.5])).toBe(1);
    expect(fractionInterval(0.5, undefined)).toBeNull();
  });

  const grid = {
    workingPoint: 'tight',
    ptEdges: [20, 40, null],
    absEtaEdges: [0, 1.37, 2.47],
    cells: [
      [
        {
          value: 0.95,
          stat: 0.01,
          syst: 0.02,
          data: { value: 0.855, low: 0.84, high: 0.87 },
          mc: { value: 0.9, low: 0.89, high: 0.91 },
        },
        {
          value: 0.9,
          stat: 0.03,
          syst: 0.04,
          data: { value: 0.72, low: 0.7, high: 0.74 },
          mc: { value: 0.8, low: 0.79, high: 0.81 },
        },
      ],
      [
        {
          value: 1.01,
          stat: 0.02,
          syst: 0.01,
          data: { value: 0.909, low: 0.9, high: 0.92 },
          mc: { value: 0.9, low: 0.89, high: 0.91 },
        },
        null,
      ],
    ],
  };

  it('efficiency: data and MC points with their intervals per |η| bin, SF ± stat in the ratio panel', () => {
    expect(ptBins(grid.ptEdges)).toEqual([
      { lo: 20, hi: 40, centre: 30 },
      { lo: 40, hi: 60, centre: 50 },
    ]);
    const p = efficiencyPlot('e', grid);
    expect(p.main.layers.map((l) => l.label)).toEqual([
      'data, 0 ≤ |η| < 1.37',
      'MC, 0 ≤ |η| < 1.37',
      'data, 1.37 ≤ |η| < 2.47',
      'MC, 1.37 ≤ |η| < 2.47',
    ]);
    const data = p.main.layers[0];
    if (data?.kind !== 'points') throw new Error('data must be points');
    expect([data.yLow[1], data.y[1], data.yHigh[1]]).toEqual([0.9, 0.909, 0.92]);
    const sf = p.ratio?.layers[1];
    if (sf?.kind !== 'points') throw new Error('SF must be points');
    expect(sf.y).toEqual([0.9, null]);
    expect(sf.yLow[0]).toBeCloseTo(0.87, 12);
    expect(p.ratio?.reference).toBe(1);
  });

  it('SF per |η| bin: stat ⊕ syst and stat bands around the points', () => {
    const p = scaleFactorPlot('s', grid, 0);
    const [total, stat] = p.main.layers;
    if (total?.kind !== 'boxes' || stat?.kind !== 'boxes') throw new Error('bands must be boxes');
    expect(total.yHigh[0]).toBeCloseTo(0.95 + Math.hypot(0.01, 0.02), 12);
    expect(stat.yLow[1]).toBeCloseTo(0.99, 12);
    expect(total.xLow).toEqual([20, 40]);
    expect(p.title).toBe('SF of tight, 0 ≤ |η| < 1.37');
  });

  it('resolution: eIQR per E_true bin with the Gaussian error, rIQR to the standard calibration underneath', () => {
    const bin = (lo: number, hi: number, model: number, standard: number) => ({
      variable: 'eTrue',
      unit: 'GeV',
      lo,
      hi,
      n: 400,
      model: { mae: 1, eIqr: model, response: 1 },
      standard: { mae: 1, eIqr: standard, response: 1 },
      rIqr: model / standard,
    });
    const bins = [
      bin(3, 10, 0.08, 0.1),
      bin(10, 25, 0.04, 0.05),
      { ...bin(0, 0.6, 0.03, 0.04), variable: 'absEta', unit: '1' },
    ];
    const p = resolutionPlot('res', [
      { label: 'model', colour: '#0072B2', bins, side: 'model' },
      { label: 'standard calibration', colour: '#000000', bins, side: 'standard', marker: 'square' },
    ]);
    expect(p.x.log).toBe(true);
    const model = p.main.layers[0];
    if (model?.kind !== 'points') throw new Error('points');
    expect(model.y).toEqual([0.08, 0.04]);
    expect(model.x[0]).toBeCloseTo(Math.sqrt(30), 12);
    expect(model.yHigh[0]).toBeCloseTo(0.08 + eIqrError(0.08, 400), 12);
    expect(eIqrError(0.1, 100)).toBeCloseTo((1.573 / 1.349) * 0.01, 12);
    const ratio = p.ratio?.layers[0];
    if (ratio?.kind !== 'points') throw new Error('points');
    expect(ratio.y[0]).toBeCloseTo(0.8, 12);
    const [x0, x1] = plotRanges(p).x;
    expect(x0).toBeLessThan(3);
    expect(x1).toBeGreaterThan(25);
    expect(x1).toBeLessThan(30);
  });

  it('histograms: outlined steps on shared edges, the second dashed, y from 0', () => {
    const p = histogramsPlot({
      name: 'h',
      title: 'Response',
      caption: 'c',
      xLabel: 'E_reco/E_true [1]',
      edges: [0.8, 1, 1.2],
      histograms: [
        { label: 'model', colour: '#0072B2', fractions: [0.4, 0.6] },
        { label: 'standard', colour: '#009E73', fractions: [0.5, 0.5], dashed: true },
      ],
    });
    expect(p.main.layers.map((l) => (l.kind === 'hist' ? [l.label, l.fill ?? false, l.dash ?? null] : null))).toEqual([
      ['model', false, null],
      ['standard', false, [6, 4]],
    ]);
    expect(plotRanges(p)).toEqual({ x: [0.8, 1.2], main: [0, 0.6 + 0.05 * 0.6] });
  });
});
