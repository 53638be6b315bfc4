/**
 * A grouped bar chart as a standalone SVG string: categories along x, one bar per series in each
 * group, optional whiskers (e.g. p10–p90), horizontal reference lines (e.g. the FMA peak), linear
 * or log y axis, legend, and a <title> tooltip on every bar with its value. No dependency; the
 * output is plain SVG 1.1 that browsers and GitHub render.
 */

export interface ChartSeries {
  name: string;
  /** One value per category; null = no bar (not measured). */
  values: readonly (number | null)[];
  /** Whisker ends per category (both or neither). */
  low?: readonly (number | null)[];
  high?: readonly (number | null)[];
  /** Drawn lighter with a dashed outline (e.g. figures from another machine). */
  muted?: boolean;
}

export interface ReferenceLine {
  value: number;
  label: string;
}

export interface BarChartSpec {
  title: string;
  subtitle?: string;
  categories: readonly string[];
  series: readonly ChartSeries[];
  yLabel: string;
  scale: 'linear' | 'log';
  references?: readonly ReferenceLine[];
  /** Formats a value in tooltips and tick labels. */
  format?: (v: number) => string;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));
const r1 = (v: number) => Math.round(v * 10) / 10;

/** "Nice" linear ticks from 0 to at least `max`: steps of 1, 2 or 5 × 10^k, about five of them. */
export function linearTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let t = 0; t < max + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Log ticks: every power of ten covering [min, max], plus 2× and 5× when the span is small. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  const ticks: number[] = [];
  for (let k = lo; k <= hi; k++) {
    ticks.push(Number((10 ** k).toPrecision(12)));
    if (hi - lo <= 2 && k < hi) ticks.push(Number((2 * 10 ** k).toPrecision(12)), Number((5 * 10 ** k).toPrecision(12)));
  }
  return ticks;
}

export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 960;
  const height = spec.height ?? 480;
  const format = spec.format ?? fmt;
  const [left, right] = [78, spec.references?.length ? 180 : 24];
  // Legend: as many columns as the longest name allows (about 6.6 px per character).
  const legendColumnW = Math.max(120, Math.ceil(Math.max(0, ...spec.series.map((s) => s.name.length)) * 6.6) + 34);
  const legendColumns = Math.max(1, Math.floor((width - left - 24) / legendColumnW));
  const legendRows = Math.ceil(spec.series.length / legendColumns);
  const top = 56 + 18 * legendRows;
  // Long category labels are written at an angle below the axis (about 6.5 px per character).
  const longest = Math.max(0, ...spec.categories.map((c) => c.length));
  const rotate = longest * 6.5 > (width - left - right) / Math.max(1, spec.categories.length);
  const bottom = rotate ? 40 + Math.ceil(longest * 4.2) : 48;
  const plotW = width - left - right;
  const plotH = height - top - bottom;

  const all = [
    ...spec.series.flatMap((s) => [...s.values, ...(s.low ?? []), ...(s.high ?? [])]),
    ...(spec.references ?? []).map((r) => r.value),
  ].filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && (spec.scale === 'linear' || v > 0));
  const ticks = spec.scale === 'log' ? logTicks(Math.min(...all, 1), Math.max(...all, 1)) : linearTicks(Math.max(...all, 0));
  const [lo, hi] = [ticks[0], ticks[ticks.length - 1]];
  const f = spec.scale === 'log' ? Math.log10 : (v: number) => v;
  const y = (v: number) => r1(top + plotH * (1 - (f(Math.max(v, lo)) - f(lo)) / (f(hi) - f(lo))));

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${left}" y="22" font-size="16" font-weight="bold">${escapeXml(spec.title)}</text>`);
  if (spec.subtitle) out.push(`<text x="${left}" y="40" fill="#555555">${escapeXml(spec.subtitle)}</text>`);

  spec.series.forEach((s, i) => {
    const lx = left + (i % legendColumns) * legendColumnW;
    const ly = 52 + 18 * Math.floor(i / legendColumns);
    const color = PALETTE[i % PALETTE.length];
    out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${color}"${s.muted ? ' fill-opacity="0.35" stroke="' + color + '" stroke-dasharray="3,2"' : ''}/>`);
    out.push(`<text x="${lx + 18}" y="${ly + 10}">${escapeXml(s.name)}</text>`);
  });

  // Axes and grid.
  for (const t of ticks) {
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${escapeXml(format(t))}</text>`);
  }
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333333"/>`);
  out.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333333"/>`);
  out.push(`<text transform="translate(18 ${r1(top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}${spec.scale === 'log' ? ' (log scale)' : ''}</text>`);

  // Bars.
  const groupW = plotW / Math.max(1, spec.categories.length);
  const barW = (groupW * 0.8) / Math.max(1, spec.series.length);
  spec.categories.forEach((category, c) => {
    const gx = left + c * groupW + groupW * 0.1;
    const lx = r1(left + (c + 0.5) * groupW);
    const ly = top + plotH + 18;
    out.push(
      rotate
        ? `<text x="${lx}" y="${ly}" text-anchor="end" transform="rotate(-35 ${lx} ${ly})">${escapeXml(category)}</text>`
        : `<text x="${lx}" y="${ly}" text-anchor="middle">${escapeXml(category)}</text>`,
    );
    spec.series.forEach((s, i) => {
      const v = s.values[c];
      const x = r1(gx + i * barW);
      const color = PALETTE[i % PALETTE.length];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const yv = y(v);
      const h = r1(top + plotH - yv);
      const style = s.muted ? ` fill-opacity="0.35" stroke="${color}" stroke-dasharray="3,2"` : '';
      out.push(`<rect class="bar" x="${x}" y="${yv}" width="${r1(barW * 0.92)}" height="${h}" fill="${color}"${style}><title>${escapeXml(`${s.name} ${category}: ${format(v)}`)}</title></rect>`);
      const [low, high] = [s.low?.[c], s.high?.[c]];
      if (typeof low === 'number' && typeof high === 'number' && Number.isFinite(low) && Number.isFinite(high)) {
        const cx = r1(x + (barW * 0.92) / 2);
        out.push(`<line class="whisker" x1="${cx}" x2="${cx}" y1="${y(high)}" y2="${y(low)}" stroke="#222222"/>`);
      }
    });
  });

  // Reference lines with their labels on the right.
  for (const ref of spec.references ?? []) {
    const ry = y(ref.value);
    out.push(`<line class="reference" x1="${left}" x2="${left + plotW}" y1="${ry}" y2="${ry}" stroke="#d62728" stroke-dasharray="6,4"/>`);
    out.push(`<text x="${left + plotW + 6}" y="${ry + 4}" fill="#d62728">${escapeXml(`${ref.label} ${format(ref.value)}`)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
