/** The report's two charts, from its data. */
import type { Limits } from '../measure/peak.js';
import { ASCEND_PORT_NPU } from './published.js';
import { stageTotals } from './layers.js';
import type { LayerRate } from './layers.js';
import { peakFor } from './sections.js';
import { barChart } from './svg.js';
import type { ChartSeries, ReferenceLine } from './svg.js';
import type { LatencyData } from './types.js';

/** Median latency per batch × frames, one bar per contender (whiskers p10–p90), plus the published NPU means. */
export function latencyChart(latency: LatencyData, subtitle: string): string {
  const shapes = [...new Map(latency.rows.map((r) => [`${r.batch}x${r.frames}`, r])).values()];
  const series: ChartSeries[] = latency.contenders.map((c) => {
    const rows = shapes.map((s) => latency.rows.find((r) => r.contender === c.name && r.batch === s.batch && r.frames === s.frames));
    return {
      name: `${c.name}${c.kind === 'peer' ? ' (peer)' : ''}`,
      values: rows.map((r) => r?.median ?? null),
      low: rows.map((r) => r?.p10 ?? null),
      high: rows.map((r) => r?.p90 ?? null),
    };
  });
  series.push({
    name: 'Ascend NPU (published, other machine)',
    values: shapes.map((s) => ASCEND_PORT_NPU.rows.find((r) => r.batch === s.batch && r.frames === s.frames)?.meanMs ?? null),
    muted: true,
  });
  return barChart({
    title: 'End-to-end latency per batch × frames (median, whiskers p10–p90)',
    subtitle,
    categories: shapes.map((s) => `${s.batch} × ${s.frames}`),
    series,
    yLabel: 'ms',
    scale: 'log',
  });
}

/** GFLOP/s per stage, one bar per source, against the measured FMA peak and SGEMM rate. */
export function perLayerChart(rates: LayerRate[], limits: Limits | null, subtitle: string): string {
  const totals = stageTotals(rates);
  const series: ChartSeries[] = totals.sources.map((source) => ({ name: source, values: totals.stages.map((stage) => totals.rate(stage, source)) }));
  const references: ReferenceLine[] = [];
  const peak = peakFor(limits);
  if (peak) references.push(peak);
  if (limits && !('unavailable' in limits.fmaPeak)) references.push({ value: limits.fmaPeak.oneThread, label: 'FMA peak (1 thread)' });
  if (limits && !('unavailable' in limits.sgemm) && peak?.label !== 'SGEMM rate') references.push({ value: limits.sgemm.gflopPerSecond, label: 'SGEMM rate' });
  return barChart({
    title: 'GFLOP/s per stage (direct-convolution count) against the measured limits',
    subtitle,
    categories: totals.stages,
    series,
    yLabel: 'GFLOP/s',
    scale: 'linear',
    references,
  });
}
