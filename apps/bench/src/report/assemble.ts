/**
 * Assembles one report from the parts of this run: machine facts and limits, then one section per
 * kind of figure (a section whose part is missing says so instead of showing numbers), the two
 * charts, the parts' status and a list of problems (any non-finite number).
 */
import type { MachineInfo } from '../machine.js';
import type { Agreement, LatencyRow } from '../measure/latency.js';
import type { Limits } from '../measure/peak.js';
import { latencyChart, perLayerChart } from './charts.js';
import type { BenchPart, LoadedParts } from './parts.js';
import { loadBefore } from './parts.js';
import {
  audioSection,
  fbankSection,
  genericSection,
  latencySection,
  limitsRows,
  nativeSection,
  publishedSection,
  speakerAudioSection,
  weightsSection,
} from './sections.js';
import { layerRates, perLayerSection } from './layers.js';
import { REPORT_SCHEMA } from './types.js';
import type { Cell, ContenderInfo, LatencyData, Report, Section } from './types.js';

/** Parts this app writes itself (measure step) — not shown as package parts. */
export const OWN_PARTS = ['bench-latency', 'bench-limits', 'bench-audio', 'bench-ort-layers'] as const;

export interface AssembleInput {
  loaded: LoadedParts;
  machine: MachineInfo;
  loadAfter: number[];
  date: Date;
  smoke: boolean;
}

export interface AssembledReport {
  report: Report;
  /** File name -> SVG text, written next to the report. */
  charts: Map<string, string>;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'machine';

export function reportId(date: Date, machine: MachineInfo, smoke: boolean): string {
  return `${date.toISOString().slice(0, 10)}-${slug(machine.cpuModel)}-${machine.cores}c${smoke ? '-smoke' : ''}`;
}

function latencyData(part: BenchPart | undefined): LatencyData | null {
  if (!part) return null;
  return {
    model: String(part.model ?? ''),
    threads: Number(part.threads ?? 0),
    turns: (part.turns ?? null) as LatencyData['turns'],
    contenders: (part.contenders ?? []) as ContenderInfo[],
    unavailable: (part.unavailable ?? []) as { name: string; reason: string }[],
    rows: part.results as unknown as LatencyRow[],
    agreement: (part.agreement ?? []) as Agreement[],
  };
}

const missing = (id: string, title: string, part: string, what: string): Section => ({
  id,
  title,
  text: [`Not measured in this run: no \`${part}\` part (${what}).`],
  tables: [],
  charts: [],
  sources: [],
});

/** Paths of every non-finite number in a value (NaN and ±Infinity cannot be told apart from data errors). */
export function nonFiniteNumbers(value: unknown, path = '$', out: string[] = []): string[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(`${path} = ${value}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nonFiniteNumbers(v, `${path}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nonFiniteNumbers(v, `${path}.${k}`, out);
  }
  return out;
}

export function assembleReport(input: AssembleInput): AssembledReport {
  const { loaded, machine, date, smoke } = input;
  const parts = loaded.parts;
  const id = reportId(date, machine, smoke);
  const limitsPart = parts.get('bench-limits');
  const limits = limitsPart ? ({ fmaPeak: limitsPart.fmaPeak, sgemm: limitsPart.sgemm } as Limits) : null;
  const latency = latencyData(parts.get('bench-latency'));
  const before = loadBefore(parts);
  const versions = { node: process.version, ...((parts.get('bench-latency')?.versions ?? {}) as Record<string, string>) };
  const charts = new Map<string, string>();
  const subtitle = `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}; ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC${smoke ? ' (smoke run)' : ''}`;

  const sections: Section[] = [];
  const machineRows: Cell[][] = [
    ['CPU', machine.cpuModel],
    ['SIMD flags', machine.simdFlags.join(' ') || 'none found'],
    ['cores', machine.cores],
    ['CPU MHz (reported)', machine.cpuMHz],
    ['memory GiB', machine.memoryGiB],
    ['OS', machine.os],
    ['Node', machine.node],
    ['load average before (1, 5, 15 min)', before ? `${before.loadAverage.map((v) => v.toFixed(2)).join(', ')} at ${before.date}` : 'not recorded'],
    ['load average after', input.loadAfter.map((v) => v.toFixed(2)).join(', ')],
    ...limitsRows(limits),
    ...Object.entries(versions).map(([k, v]): Cell[] => [`${k} version`, v]),
  ];
  sections.push({ id: 'machine', title: 'Machine', text: [], tables: [{ columns: ['fact', 'value'], rows: machineRows }], charts: [], sources: ['bench-limits'] });

  if (latency) {
    const file = `${id}-latency.svg`;
    charts.set(file, latencyChart(latency, subtitle));
    sections.push(latencySection(latency, file));
  } else {
    sections.push(missing('latency', "End-to-end latency: the Python port's batch × frames matrix", 'bench-latency', 'the apps/bench measure step'));
  }

  const rates = layerRates(parts);
  if (rates.length > 0) {
    const file = `${id}-per-layer.svg`;
    charts.set(file, perLayerChart(rates, limits, subtitle));
    const ort = parts.get('bench-ort-layers');
    sections.push(perLayerSection(rates, limits, file, typeof ort?.unavailable === 'string' ? ort.unavailable : undefined));
  } else {
    sections.push(missing('per-layer', 'Per-layer kernel GFLOP/s against the measured peak', 'backend-cpu-native', 'nor backend-cpu-portable'));
  }
  const native = parts.get('backend-cpu-native');
  if (native) sections.push(nativeSection(native));

  const known: Record<string, [(p: BenchPart) => Section, string, string]> = {
    fbank: [fbankSection, 'fbank', 'Features: fbank throughput (batch and streaming)'],
    'bench-audio': [audioSection, 'audio', 'A real file end to end, and peak memory'],
    'speaker-audio': [speakerAudioSection, 'speaker-audio', 'Audio front end: decoding and resampling (@wsp/speaker)'],
    weights: [weightsSection, 'weights', 'Weights: load and conversion time'],
  };
  for (const [name, [render, sectionId, title]] of Object.entries(known)) {
    const part = parts.get(name);
    const who = (OWN_PARTS as readonly string[]).includes(name) ? 'the apps/bench measure step did not run or failed' : 'its package bench did not run or failed';
    sections.push(part ? render(part) : missing(sectionId, title, name, who));
  }
  sections.push(publishedSection());
  const shown = new Set<string>([...OWN_PARTS, 'backend-cpu-native', 'backend-cpu-portable', ...Object.keys(known)]);
  for (const part of parts.values()) if (!shown.has(part.name)) sections.push(genericSection(part));
  // The portable backend's own figures (its op-by-op vs compiled comparison) beyond the per-layer rows.
  const portable = parts.get('backend-cpu-portable');
  if (portable) sections.push(genericSection(portable));

  const report: Report = {
    schema: REPORT_SCHEMA,
    id,
    date: date.toISOString(),
    smoke,
    machine: {
      ...machine,
      loadAverage: { before: before?.loadAverage ?? null, beforeAt: before?.date ?? null, after: input.loadAfter },
      limits,
    },
    versions,
    latency,
    sections,
    parts: loaded.status,
    problems: [],
    raw: Object.fromEntries(parts),
  };
  report.problems = nonFiniteNumbers(report);
  return { report, charts };
}
