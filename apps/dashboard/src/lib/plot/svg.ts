import { drawPanel, type Stroke, type Surface, withAlpha } from './draw';
import { type PlotLayer, type PlotSpec, plotRanges, scaler, tickLabel, ticks } from './spec';

/** Sizes of the SVG in px: width, main and ratio panel heights. */
export interface SvgOptions {
  width?: number;
  mainHeight?: number;
  ratioHeight?: number;
}

const LEFT = 76;
const RIGHT = 18;
const TOP = 34;
const GAP = 10;
const AXIS = 46;
const LEGEND_ROW = 18;

/** Text escaped for SVG/XML content and attributes. */
export function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

const n = (v: number) => (Math.round(v * 100) / 100).toString();

function strokeAttrs(s: Stroke): string {
  return `stroke="${xml(s.colour)}" stroke-width="${s.width}" fill="none"${s.dash && s.dash.length > 0 ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''}`;
}

function svgSurface(out: string[]): Surface {
  return {
    path(points, style) {
      const d = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n(x)} ${n(y)}`).join('') + (style.closed ? 'Z' : '');
      const cls = style.cls ? ` class="${style.cls}"` : '';
      if (style.fill) out.push(`<path${cls} d="${d}" fill="${xml(style.fill)}" stroke="none"/>`);
      if (style.stroke) out.push(`<path${cls} d="${d}" ${strokeAttrs(style.stroke)}/>`);
    },
    marker(x, y, kind, colour, size) {
      const c = xml(colour);
      if (kind === 'square')
        out.push(
          `<rect x="${n(x - size)}" y="${n(y - size)}" width="${n(2 * size)}" height="${n(2 * size)}" fill="${c}"/>`,
        );
      else if (kind === 'triangle')
        out.push(
          `<path d="M${n(x)} ${n(y - size * 1.2)}L${n(x + size * 1.1)} ${n(y + size * 0.8)}L${n(x - size * 1.1)} ${n(y + size * 0.8)}Z" fill="${c}"/>`,
        );
      else if (kind === 'open-circle')
        out.push(`<circle cx="${n(x)}" cy="${n(y)}" r="${size}" fill="#fff" stroke="${c}" stroke-width="1.5"/>`);
      else out.push(`<circle cx="${n(x)}" cy="${n(y)}" r="${size}" fill="${c}"/>`);
    },
  };
}

/** The legend swatch of a layer at (x, y): its line, fill, box or marker with an error bar. */
function swatch(layer: PlotLayer, x: number, y: number): string {
  const out: string[] = [];
  const s = svgSurface(out);
  const c = layer.colour;
  switch (layer.kind) {
    case 'line':
      s.path(
        [
          [x, y],
          [x + 24, y],
        ],
        { stroke: { colour: c, width: 2, dash: layer.dash } },
      );
      break;
    case 'hist':
      if (layer.fill) out.push(`<rect x="${x}" y="${y - 6}" width="24" height="12" fill="${withAlpha(c, 0.35)}"/>`);
      out.push(
        `<rect x="${x}" y="${y - 6}" width="24" height="12" ${strokeAttrs({ colour: c, width: 1.5, dash: layer.dash })}/>`,
      );
      break;
    case 'boxes':
      out.push(`<rect x="${x}" y="${y - 6}" width="24" height="12" fill="${withAlpha(c, layer.opacity ?? 0.3)}"/>`);
      break;
    case 'points':
      s.path(
        [
          [x + 12, y - 7],
          [x + 12, y + 7],
        ],
        { stroke: { colour: c, width: 1.5 } },
      );
      s.marker(x + 12, y, layer.marker ?? 'circle', c, 3.5);
      break;
  }
  return out.join('');
}

/** Height in px of the SVG {@link plotSvg} writes for a spec. */
export function svgHeight(spec: PlotSpec, options: SvgOptions = {}): number {
  const legend = [spec.main, ...(spec.ratio ? [spec.ratio] : [])]
    .flatMap((p) => p.layers)
    .filter((l) => l.label).length;
  return (
    TOP +
    (options.mainHeight ?? 340) +
    (spec.ratio ? GAP + (options.ratioHeight ?? 140) : 0) +
    AXIS +
    legend * LEGEND_ROW +
    8
  );
}

/**
 * The plot as a standalone SVG document: title, panels with their grid, ticks and axis titles,
 * the layers (the same drawing code as the canvas), a legend under the plot and the caption as
 * `<desc>` (the alt text travels with the file). Pure: runs on the server and in the browser.
 */
export function plotSvg(spec: PlotSpec, options: SvgOptions = {}): string {
  const width = options.width ?? 720;
  const mainHeight = options.mainHeight ?? 340;
  const ratioHeight = options.ratioHeight ?? 140;
  const height = svgHeight(spec, options);
  const ranges = plotRanges(spec);
  const x0 = LEFT;
  const x1 = width - RIGHT;
  const mapX = scaler(ranges.x[0], ranges.x[1], x0, x1, spec.x.log);
  const xTicks = ticks(ranges.x[0], ranges.x[1], spec.x.log);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="${xml(spec.caption)}">`,
    `<title>${xml(spec.title)}</title><desc>${xml(spec.caption)}</desc>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${x0}" y="20" font-size="14" font-weight="bold" fill="#1b1f24">${xml(spec.title)}</text>`,
  ];
  const panels = [
    { panel: spec.main, range: ranges.main, top: TOP, bottom: TOP + mainHeight, cls: 'main' },
    ...(spec.ratio && ranges.ratio
      ? [
          {
            panel: spec.ratio,
            range: ranges.ratio,
            top: TOP + mainHeight + GAP,
            bottom: TOP + mainHeight + GAP + ratioHeight,
            cls: 'ratio',
          },
        ]
      : []),
  ];
  panels.forEach(({ panel, range, top, bottom, cls }, k) => {
    const log = panel.y.log ?? false;
    const mapY = scaler(range[0], range[1], bottom, top, log);
    const yTicks = ticks(range[0], range[1], log, cls === 'ratio' ? 3 : 6);
    const id = `clip-${cls}`;
    out.push(
      `<g class="panel ${cls}"><clipPath id="${id}"><rect x="${x0}" y="${top}" width="${x1 - x0}" height="${bottom - top}"/></clipPath>`,
    );
    for (const t of xTicks)
      out.push(`<line x1="${n(mapX(t))}" x2="${n(mapX(t))}" y1="${top}" y2="${bottom}" stroke="#e4e8ec"/>`);
    for (const t of yTicks) {
      const y = n(mapY(t));
      out.push(`<line x1="${x0}" x2="${x1}" y1="${y}" y2="${y}" stroke="#e4e8ec"/>`);
      out.push(
        `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#1b1f24">${xml(tickLabel(t, yTicks, log))}</text>`,
      );
    }
    const mid = (top + bottom) / 2;
    out.push(
      `<text transform="translate(16 ${n(mid)}) rotate(-90)" text-anchor="middle" fill="#1b1f24">${xml(panel.y.label)}</text>`,
      `<g clip-path="url(#${id})">`,
    );
    const drawable = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);
    drawPanel(
      svgSurface(out),
      panel,
      {
        x: mapX,
        y: mapY,
        bottom,
        yDrawable: (v): v is number => drawable(v) && (!log || v > 0),
        xDrawable: (v): v is number => drawable(v) && (!spec.x.log || v > 0),
      },
      ranges.x,
    );
    out.push(
      '</g>',
      `<rect x="${x0}" y="${top}" width="${x1 - x0}" height="${bottom - top}" fill="none" stroke="#1b1f24"/>`,
    );
    if (k === panels.length - 1) {
      for (const t of xTicks) {
        out.push(
          `<text x="${n(mapX(t))}" y="${bottom + 16}" text-anchor="middle" fill="#1b1f24">${xml(tickLabel(t, xTicks, spec.x.log))}</text>`,
        );
      }
      out.push(
        `<text x="${n((x0 + x1) / 2)}" y="${bottom + 36}" text-anchor="middle" fill="#1b1f24">${xml(spec.x.label)}</text>`,
      );
    }
    out.push('</g>');
  });
  const last = panels[panels.length - 1]?.bottom ?? TOP + mainHeight;
  let y = last + AXIS + 6;
  out.push('<g class="legend">');
  for (const layer of panels.flatMap((p) => p.panel.layers)) {
    if (!layer.label) continue;
    out.push(
      swatch(layer, x0, y),
      `<text x="${x0 + 32}" y="${y}" dominant-baseline="middle" fill="#1b1f24">${xml(layer.label)}</text>`,
    );
    y += LEGEND_ROW;
  }
  out.push('</g></svg>');
  return out.join('');
}
