import type { PlotLayer, PlotPanel } from './spec';

/** A stroke: colour, width in px, dash pattern in px. */
export interface Stroke {
  colour: string;
  width: number;
  dash?: readonly number[];
}

/**
 * What the layers are drawn on: uPlot's canvas in the browser ({@link canvasSurface}) or an SVG
 * document (`svg.ts`). Coordinates are pixels of that surface.
 */
export interface Surface {
  path(
    points: readonly (readonly [number, number])[],
    style: { stroke?: Stroke; fill?: string; closed?: boolean; cls?: 'error-bar' | 'band' },
  ): void;
  marker(
    x: number,
    y: number,
    kind: NonNullable<Extract<PlotLayer, { kind: 'points' }>['marker']>,
    colour: string,
    size: number,
  ): void;
}

/** Pixel mappings of a panel and its bottom edge (where a filled histogram closes). */
export interface PanelFrame {
  x: (v: number) => number;
  y: (v: number) => number;
  bottom: number;
  /** Whether a value can be drawn on the y axis (positive on a log axis). */
  yDrawable: (v: number | null | undefined) => v is number;
  xDrawable: (v: number | null | undefined) => v is number;
}

/** Colour with an alpha (hex #rrggbb in, rgba out), for fills and boxes. */
export function withAlpha(colour: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!m) return colour;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => Number.parseInt(h ?? '0', 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function drawLayer(s: Surface, layer: PlotLayer, f: PanelFrame): void {
  switch (layer.kind) {
    case 'line': {
      let run: [number, number][] = [];
      const flush = () => {
        if (run.length > 1) s.path(run, { stroke: { colour: layer.colour, width: 2, dash: layer.dash } });
        run = [];
      };
      layer.x.forEach((x, i) => {
        const y = layer.y[i];
        if (f.xDrawable(x) && f.yDrawable(y)) run.push([f.x(x), f.y(y)]);
        else flush();
      });
      flush();
      return;
    }
    case 'hist': {
      const pts: [number, number][] = [];
      layer.y.forEach((y, i) => {
        const lo = layer.edges[i];
        const hi = layer.edges[i + 1];
        if (lo === undefined || hi === undefined) return;
        const py = f.yDrawable(y) ? f.y(y) : f.bottom;
        pts.push([f.x(lo), py], [f.x(hi), py]);
      });
      if (pts.length === 0) return;
      const first = pts[0] as [number, number];
      const last = pts[pts.length - 1] as [number, number];
      const outline: [number, number][] = [[first[0], f.bottom], ...pts, [last[0], f.bottom]];
      if (layer.fill) s.path(outline, { fill: withAlpha(layer.colour, 0.35), closed: true });
      s.path(outline, { stroke: { colour: layer.colour, width: 1.5, dash: layer.dash } });
      return;
    }
    case 'boxes': {
      layer.xLow.forEach((x0, i) => {
        const x1 = layer.xHigh[i];
        const y0 = layer.yLow[i];
        const y1 = layer.yHigh[i];
        if (x1 === undefined || !f.yDrawable(y0) || !f.yDrawable(y1)) return;
        const [a, b, c, d] = [f.x(x0), f.x(x1), f.y(y0), f.y(y1)];
        s.path(
          [
            [a, c],
            [b, c],
            [b, d],
            [a, d],
          ],
          { fill: withAlpha(layer.colour, layer.opacity ?? 0.3), closed: true, cls: 'band' },
        );
      });
      return;
    }
    case 'points': {
      const stroke = { colour: layer.colour, width: 1.5 };
      layer.x.forEach((x, i) => {
        const y = layer.y[i];
        if (!f.xDrawable(x) || !f.yDrawable(y)) return;
        const px = f.x(x);
        const py = f.y(y);
        const lo = layer.yLow[i];
        const hi = layer.yHigh[i];
        const top = f.yDrawable(hi) ? f.y(hi) : py;
        const bottom = f.yDrawable(lo) ? f.y(lo) : f.bottom;
        if (lo !== null && hi !== null && lo !== hi)
          s.path(
            [
              [px, bottom],
              [px, top],
            ],
            { stroke, cls: 'error-bar' },
          );
        const xl = layer.xLow?.[i];
        const xh = layer.xHigh?.[i];
        if (xl !== undefined && xh !== undefined)
          s.path(
            [
              [f.x(xl), py],
              [f.x(xh), py],
            ],
            { stroke },
          );
        s.marker(px, py, layer.marker ?? 'circle', layer.colour, 3.5);
      });
      return;
    }
  }
}

/** Draws a panel's layers in order, then its reference line. */
export function drawPanel(s: Surface, panel: PlotPanel, f: PanelFrame, xRange: [number, number]): void {
  for (const layer of panel.layers) drawLayer(s, layer, f);
  if (panel.reference !== undefined && f.yDrawable(panel.reference)) {
    const y = f.y(panel.reference);
    s.path(
      [
        [f.x(xRange[0]), y],
        [f.x(xRange[1]), y],
      ],
      { stroke: { colour: '#57606a', width: 1, dash: [4, 3] } },
    );
  }
}

/** A {@link Surface} on a 2D canvas context (uPlot's, in its draw hook). */
export function canvasSurface(ctx: CanvasRenderingContext2D, scale = 1): Surface {
  return {
    path(points, style) {
      ctx.beginPath();
      for (const [i, [x, y]] of points.entries()) {
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      if (style.closed) ctx.closePath();
      if (style.fill) {
        ctx.fillStyle = style.fill;
        ctx.fill();
      }
      if (style.stroke) {
        ctx.strokeStyle = style.stroke.colour;
        ctx.lineWidth = style.stroke.width * scale;
        ctx.setLineDash((style.stroke.dash ?? []).map((d) => d * scale));
        ctx.stroke();
        ctx.setLineDash([]);
      }
    },
    marker(x, y, kind, colour, size) {
      const r = size * scale;
      ctx.beginPath();
      if (kind === 'square') ctx.rect(x - r, y - r, 2 * r, 2 * r);
      else if (kind === 'triangle') {
        ctx.moveTo(x, y - r * 1.2);
        ctx.lineTo(x + r * 1.1, y + r * 0.8);
        ctx.lineTo(x - r * 1.1, y + r * 0.8);
        ctx.closePath();
      } else ctx.arc(x, y, r, 0, 2 * Math.PI);
      if (kind === 'open-circle') {
        ctx.fillStyle = '#fff';
        ctx.fill();
        ctx.strokeStyle = colour;
        ctx.lineWidth = 1.5 * scale;
        ctx.stroke();
      } else {
        ctx.fillStyle = colour;
        ctx.fill();
      }
    },
  };
}
