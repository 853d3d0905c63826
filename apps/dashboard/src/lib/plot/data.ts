import { toCsv } from '../figures';
import type { PlotAxis, PlotLayer, PlotSpec } from './spec';

/** One drawn point of a layer: x (bin centre for a histogram or box) with its range, y with its interval. */
export interface PlotPoint {
  x: number;
  xLow: number | null;
  xHigh: number | null;
  y: number | null;
  yLow: number | null;
  yHigh: number | null;
}

/** A plot's numbers as its JSON download gives them (full precision). */
export interface PlotData {
  name: string;
  title: string;
  caption: string;
  x: PlotAxis;
  panels: {
    panel: 'main' | 'ratio';
    y: PlotAxis;
    layers: { label: string; kind: PlotLayer['kind']; points: PlotPoint[] }[];
  }[];
}

function pointsOf(layer: PlotLayer): PlotPoint[] {
  switch (layer.kind) {
    case 'line':
      return layer.x.map((x, i) => ({ x, xLow: null, xHigh: null, y: layer.y[i] ?? null, yLow: null, yHigh: null }));
    case 'hist':
      return layer.y.map((y, i) => {
        const lo = layer.edges[i] ?? Number.NaN;
        const hi = layer.edges[i + 1] ?? Number.NaN;
        return { x: (lo + hi) / 2, xLow: lo, xHigh: hi, y, yLow: null, yHigh: null };
      });
    case 'boxes':
      return layer.xLow.map((lo, i) => {
        const hi = layer.xHigh[i] ?? Number.NaN;
        const yLow = layer.yLow[i] ?? null;
        const yHigh = layer.yHigh[i] ?? null;
        return { x: (lo + hi) / 2, xLow: lo, xHigh: hi, y: null, yLow, yHigh };
      });
    case 'points':
      return layer.x.map((x, i) => ({
        x,
        xLow: layer.xLow?.[i] ?? null,
        xHigh: layer.xHigh?.[i] ?? null,
        y: layer.y[i] ?? null,
        yLow: layer.yLow[i] ?? null,
        yHigh: layer.yHigh[i] ?? null,
      }));
  }
}

/** The spec's numbers, panel by panel and layer by layer. */
export function plotData(spec: PlotSpec): PlotData {
  const panels = [
    { panel: 'main' as const, p: spec.main },
    ...(spec.ratio ? [{ panel: 'ratio' as const, p: spec.ratio }] : []),
  ];
  return {
    name: spec.name,
    title: spec.title,
    caption: spec.caption,
    x: spec.x,
    panels: panels.map(({ panel, p }) => ({
      panel,
      y: p.y,
      layers: p.layers.map((l) => ({ label: l.label, kind: l.kind, points: pointsOf(l) })),
    })),
  };
}

/**
 * The spec's numbers as CSV (RFC 4180): one row per drawn point, with the panel, the layer's
 * label and kind, x with its range (a bin's edges) and y with its interval; the header names the
 * axes with their units.
 */
export function plotCsv(spec: PlotSpec): string {
  const d = plotData(spec);
  const yLabel = [d.panels[0]?.y.label, d.panels[1]?.y.label].filter(Boolean).join(' | ');
  return toCsv([
    ['panel', 'layer', 'kind', `x: ${d.x.label}`, 'x low', 'x high', `y: ${yLabel}`, 'y low', 'y high'],
    ...d.panels.flatMap((p) =>
      p.layers.flatMap((l) =>
        l.points.map((q) => [p.panel, l.label, l.kind, q.x, q.xLow, q.xHigh, q.y, q.yLow, q.yHigh]),
      ),
    ),
  ]);
}
