/**
 * A HEP plot as data: one main panel and an optional ratio panel under it sharing the x axis, each
 * a list of layers drawn in order (histograms, lines, uncertainty boxes, points with error bars).
 * The same spec is drawn on uPlot's canvas (`HepPlot.svelte`), written as SVG (`svg.ts`) and
 * downloaded as CSV/JSON (`data.ts`), so the three cannot disagree.
 */

/** y values; null where undefined (nothing is drawn there). */
export type Values = readonly (number | null)[];

/** An axis: title with its unit, linear or log₁₀ scale, optional fixed range. */
export interface PlotAxis {
  label: string;
  log?: boolean;
  min?: number;
  max?: number;
}

interface LayerBase {
  /** Legend text (with the numbers it should carry); an empty label keeps the layer out of the legend. */
  label: string;
  colour: string;
}

/** A polyline through (x, y), broken at nulls. */
export interface LineLayer extends LayerBase {
  kind: 'line';
  x: readonly number[];
  y: Values;
  dash?: readonly number[];
}

/** A histogram on `edges` (bin i: edges[i] ≤ x < edges[i+1]) as steps, optionally filled to the axis. */
export interface HistLayer extends LayerBase {
  kind: 'hist';
  edges: readonly number[];
  y: readonly number[];
  fill?: boolean;
  dash?: readonly number[];
}

/**
 * Markers at (x, y) with vertical error bars from `yLow` to `yHigh` (absolute values, not
 * distances) and, when given, horizontal bars from `xLow` to `xHigh` (the bin width).
 */
export interface PointsLayer extends LayerBase {
  kind: 'points';
  x: readonly number[];
  y: Values;
  yLow: Values;
  yHigh: Values;
  xLow?: readonly number[];
  xHigh?: readonly number[];
  marker?: 'circle' | 'open-circle' | 'square' | 'triangle';
}

/** Filled rectangles from (xLow, yLow) to (xHigh, yHigh): an uncertainty band per bin. */
export interface BoxesLayer extends LayerBase {
  kind: 'boxes';
  xLow: readonly number[];
  xHigh: readonly number[];
  yLow: Values;
  yHigh: Values;
  opacity?: number;
}

export type PlotLayer = LineLayer | HistLayer | PointsLayer | BoxesLayer;

/** One panel: its y axis, layers and an optional horizontal reference line (1 on a ratio panel). */
export interface PlotPanel {
  y: PlotAxis;
  layers: readonly PlotLayer[];
  reference?: number;
}

/** A plot: shared x axis, main panel, optional ratio panel, and the alt text saying what it shows. */
export interface PlotSpec {
  /** File name stem of the downloads, e.g. `e2e-mlp-v1-overtraining`. */
  name: string;
  title: string;
  /** Alt text: what the plot shows, for screen readers (`aria-label`) and the figure caption. */
  caption: string;
  x: PlotAxis;
  main: PlotPanel;
  ratio?: PlotPanel;
}

/** The x values a layer spans (edges, points and their horizontal bars). */
function xValues(layer: PlotLayer): number[] {
  switch (layer.kind) {
    case 'hist':
      return [...layer.edges];
    case 'boxes':
      return [...layer.xLow, ...layer.xHigh];
    case 'points':
      return [...layer.x, ...(layer.xLow ?? []), ...(layer.xHigh ?? [])];
    default:
      return [...layer.x];
  }
}

/** The y values a layer spans (its error bars and boxes included). */
function yValues(layer: PlotLayer): (number | null)[] {
  switch (layer.kind) {
    case 'points':
      return [...layer.y, ...layer.yLow, ...layer.yHigh];
    case 'boxes':
      return [...layer.yLow, ...layer.yHigh];
    default:
      return [...layer.y];
  }
}

/**
 * The range an axis shows: its fixed `min`/`max` where set, else the data's extent with 5 % padding
 * (on a log axis 5 % of the span in decades, at least a factor 1.1, over the positive values only:
 * non-positive ones cannot be drawn). An empty or degenerate extent widens to a unit interval (a
 * decade on a log axis).
 */
export function axisRange(axis: PlotAxis, values: readonly (number | null)[]): [number, number] {
  const usable = values.filter((v): v is number => v !== null && Number.isFinite(v) && (!axis.log || v > 0));
  let lo = usable.length > 0 ? Math.min(...usable) : axis.log ? 1 : 0;
  let hi = usable.length > 0 ? Math.max(...usable) : axis.log ? 10 : 1;
  if (axis.log) {
    // 5 % of the span in log₁₀ (at least a factor 1.1) each side.
    const pad = 10 ** Math.max(Math.log10(1.1), 0.05 * Math.log10(hi / lo));
    lo = axis.min ?? lo / pad;
    hi = axis.max ?? hi * pad;
    if (hi <= lo) hi = lo * 10;
    return [lo, hi];
  }
  if (hi <= lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  // 5 % of what is shown: a fixed end (a histogram's 0) counts.
  const pad = 0.05 * ((axis.max ?? hi) - (axis.min ?? lo));
  return [axis.min ?? lo - pad, axis.max ?? hi + pad];
}

/** The x range of a plot (over both panels) and the y range of each panel. */
export function plotRanges(spec: PlotSpec): { x: [number, number]; main: [number, number]; ratio?: [number, number] } {
  const panels = [spec.main, ...(spec.ratio ? [spec.ratio] : [])];
  const x = axisRange(
    spec.x,
    panels.flatMap((p) => p.layers.flatMap(xValues)),
  );
  const yOf = (p: PlotPanel) =>
    axisRange(p.y, [...p.layers.flatMap(yValues), ...(p.reference !== undefined ? [p.reference] : [])]);
  return { x, main: yOf(spec.main), ...(spec.ratio ? { ratio: yOf(spec.ratio) } : {}) };
}

/**
 * Tick positions: on a log axis the decades inside [lo, hi] (with 2 and 5 × 10ⁿ when fewer than
 * three decades are in view); on a linear axis multiples of a step of 1, 2 or 5 × 10ⁿ chosen to
 * give about `target` ticks.
 */
export function ticks(lo: number, hi: number, log = false, target = 6): number[] {
  if (log) {
    const inside = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
    const decades: number[] = [];
    for (let n = Math.floor(Math.log10(lo)); n <= Math.ceil(Math.log10(hi)); n++) decades.push(10 ** n);
    const out = decades.filter(inside);
    // Fewer than three decades in view: 2 and 5 times each decade too.
    if (out.length >= 3) return out;
    return decades.flatMap((d) => [d, 2 * d, 5 * d].map((v) => Number(v.toPrecision(12)))).filter(inside);
  }
  const raw = (hi - lo) / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
    out.push(Number((k * step).toPrecision(12)));
  return out;
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** A tick label: decades as 1, 10, 100, 1000 then 10ⁿ; linear ticks with the step's decimals; '' for what an axis cannot show. */
export function tickLabel(value: number, all: readonly number[], log = false): string {
  if (!Number.isFinite(value) || (log && value <= 0)) return '';
  if (log) {
    const n = Math.round(Math.log10(value));
    if (Math.abs(Math.log10(value) - n) > 1e-9) return String(Number(value.toPrecision(6)));
    if (n >= 0 && n <= 3) return String(10 ** n);
    if (n < 0 && n >= -2) return (10 ** n).toFixed(-n);
    return `10${n < 0 ? '⁻' : ''}${[...String(Math.abs(n))].map((d) => SUPERSCRIPT[Number(d)]).join('')}`;
  }
  const step = all.length > 1 ? Math.abs((all[1] ?? 0) - (all[0] ?? 0)) : 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

/** Maps a value to a pixel between `p0` (at lo) and `p1` (at hi), linearly or in log₁₀. */
export function scaler(lo: number, hi: number, p0: number, p1: number, log = false): (v: number) => number {
  if (log) {
    const a = Math.log10(lo);
    const b = Math.log10(hi);
    return (v) => p0 + ((Math.log10(v) - a) / (b - a)) * (p1 - p0);
  }
  return (v) => p0 + ((v - lo) / (hi - lo)) * (p1 - p0);
}

/** Error bars a spec draws (points with a vertical bar), for tests and the figure's data marks. */
export function errorBarCount(spec: PlotSpec): number {
  const panels = [spec.main, ...(spec.ratio ? [spec.ratio] : [])];
  return panels
    .flatMap((p) => p.layers)
    .reduce(
      (n, l) =>
        l.kind === 'points'
          ? n +
            l.y.filter((y, i) => y !== null && l.yLow[i] !== null && l.yHigh[i] !== null && l.yLow[i] !== l.yHigh[i])
              .length
          : n,
      0,
    );
}
