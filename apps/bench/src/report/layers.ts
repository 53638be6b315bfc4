/**
 * Per-layer rates from every source of this run, and their per-stage totals for the chart:
 * - the native CPU backend's op profile at 1 × 200 (its part, grouped by stage and algorithm),
 * - onnxruntime-node's own profiler on our export at 1 × 200 (bench-ort-layers, per graph node),
 * - the portable backend's single convolutions, one per stage shape (its part).
 * GFLOP = direct-convolution count (2 · MACs); only nodes with a count enter a rate.
 */
import type { Limits } from '../measure/peak.js';
import { stageOf } from '../measure/ort-profile.js';
import type { BenchPart } from './parts.js';
import { num, peakFor } from './sections.js';
import type { Section } from './types.js';

export interface LayerRate {
  /** What was timed: a group of the native profile, a graph stage of ORT's, one portable convolution. */
  layer: string;
  /** `stem`, `layer1` … `layerN`, `embedding`: the chart's categories. */
  stage: string;
  source: string;
  ms: number;
  gflop: number;
  gflopPerSecond: number;
  /** Counted in the per-stage totals (the portable backend's default Winograd path only). */
  inStageTotal: boolean;
}

type Row = Record<string, unknown>;
const SOURCE = {
  native: 'cpu (native), whole network 1 × 200',
  ort: 'onnxruntime-node profiler, whole network 1 × 200',
  portable: 'cpu-portable, one convolution per stage',
} as const;

const stageOfGroup = (label: string) => (label === 'conv1' ? 'stem' : (/^(layer\d+)\b/.exec(label)?.[1] ?? label));

export function layerRates(parts: Map<string, BenchPart>): LayerRate[] {
  const out: LayerRate[] = [];
  const push = (layer: string, stage: string, source: string, ms: number | null, gflop: number | null, inStageTotal = true) => {
    if (ms === null || gflop === null || !(ms > 0) || !(gflop > 0)) return;
    out.push({ layer, stage, source, ms, gflop, gflopPerSecond: gflop / (ms / 1000), inStageTotal });
  };
  for (const r of (parts.get('backend-cpu-native')?.results ?? []) as Row[]) {
    if (r.unit !== 'GFLOP/s') continue;
    const layer = typeof r.layer === 'string' ? r.layer : String(r.name);
    push(layer, stageOfGroup(layer), SOURCE.native, num(r.ms), num(r.gflop));
  }
  // ORT: per graph node in the part, summed per stage here.
  const ortStages = new Map<string, { ms: number; gflop: number }>();
  for (const r of (parts.get('bench-ort-layers')?.results ?? []) as Row[]) {
    const [ms, gflop] = [num(r.ms), num(r.gflop)];
    if (ms === null || gflop === null || gflop === 0) continue;
    const stage = typeof r.stage === 'string' ? r.stage : stageOf(String(r.node));
    const s = ortStages.get(stage) ?? { ms: 0, gflop: 0 };
    ortStages.set(stage, { ms: s.ms + ms, gflop: s.gflop + gflop });
  }
  for (const [stage, s] of ortStages) push(stage, stage, SOURCE.ort, s.ms, s.gflop);
  for (const r of (parts.get('backend-cpu-portable')?.results ?? []) as Row[]) {
    const name = typeof r.name === 'string' ? r.name : '';
    const [ms, rate] = [num(r.median), num(r.gflopPerSecond)];
    if (!name.startsWith('conv3x3') || ms === null || rate === null) continue;
    const layer = name.replace(/^conv3x3 /, '');
    push(layer, stageOfGroup(layer.replace(/^s2 /, '')), SOURCE.portable, ms, (rate * ms) / 1000, / winograd$/.test(layer));
  }
  return out;
}

/** Σ GFLOP / Σ time per (stage, source), over the rows counted in stage totals. */
export function stageTotals(rates: readonly LayerRate[]): { stages: string[]; sources: string[]; rate(stage: string, source: string): number | null } {
  const counted = rates.filter((r) => r.inStageTotal);
  const order = (s: string) => (s === 'stem' ? -1 : /^layer(\d+)$/.test(s) ? Number(s.slice(5)) : 1000);
  const stages = [...new Set(counted.map((r) => r.stage))].sort((a, b) => order(a) - order(b));
  const sources = [...new Set(counted.map((r) => r.source))];
  return {
    stages,
    sources,
    rate(stage, source) {
      const rows = counted.filter((r) => r.stage === stage && r.source === source);
      if (rows.length === 0) return null;
      return rows.reduce((a, r) => a + r.gflop, 0) / (rows.reduce((a, r) => a + r.ms, 0) / 1000);
    },
  };
}

export function perLayerSection(rates: LayerRate[], limits: Limits | null, chart: string | null, ortUnavailable?: string): Section {
  const peak = peakFor(limits);
  const totals = stageTotals(rates);
  const share = (v: number | null) => (peak && v !== null ? v / peak.value : null);
  const text = [
    'GFLOP counted as direct convolution (2 · MACs); Winograd layers do fewer multiplications, so their "effective" rate can exceed the FMA peak.',
    peak ? `Share of peak = rate / ${peak.label} measured in this run (${peak.value.toFixed(1)} GFLOP/s).` : 'No peak was measured in this run, so no share of peak is given.',
    ...(ortUnavailable ? [`onnxruntime-node per layer: not measured: ${ortUnavailable}`] : []),
  ];
  return {
    id: 'per-layer',
    title: 'Per-layer kernel GFLOP/s against the measured peak',
    text,
    tables: [
      {
        caption: 'GFLOP/s per stage (Σ GFLOP / Σ time; the portable backend: its Winograd convolution of that stage)',
        columns: ['stage', ...totals.sources],
        rows: totals.stages.map((stage) => [stage, ...totals.sources.map((source) => totals.rate(stage, source))]),
      },
      {
        caption: 'every row measured',
        columns: ['layer', 'measured in', 'ms', 'GFLOP', 'GFLOP/s', 'share of peak'],
        rows: rates.map((r) => [r.layer, r.source, r.ms, r.gflop, r.gflopPerSecond, share(r.gflopPerSecond)]),
      },
    ],
    charts: chart ? [chart] : [],
    sources: ['backend-cpu-native', 'bench-ort-layers', 'backend-cpu-portable', 'bench-limits'],
  };
}
