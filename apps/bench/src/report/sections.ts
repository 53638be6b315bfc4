/**
 * One report section per kind of figure, each built from the part(s) that measured it. Renderers
 * read only the fields they need and tolerate missing ones (a part from an older bench still
 * shows); any part without a renderer is shown by `genericSection`, so a new package bench
 * appears in the report without changing this file.
 */
import type { Limits } from '../measure/peak.js';
import type { BenchPart } from './parts.js';
import { ASCEND_PORT_NPU, publishedNpu } from './published.js';
import type { Cell, LatencyData, Section, Table } from './types.js';

type Row = Record<string, unknown>;

/** A finite number, or null. */
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
const shapeLabel = (b: number, t: number) => `${b}×${t}`;

function section(id: string, title: string, sources: string[], text: string[] = [], tables: Table[] = [], charts: string[] = []): Section {
  return { id, title, text, tables, charts, sources };
}

/** The headline table (also the README's): median latency per shape for every contender, and the published NPU figure. */
export function summaryTable(latency: LatencyData): Table {
  const names = latency.contenders.map((c) => c.name);
  const rows: Cell[][] = [];
  for (const shape of uniqueShapes(latency)) {
    const cells: Cell[] = [shapeLabel(shape.batch, shape.frames)];
    for (const name of names) {
      const r = latency.rows.find((x) => x.contender === name && x.batch === shape.batch && x.frames === shape.frames);
      cells.push(r ? `${fmtMs(r.median)} (${fmtRate(r.samplesPerSecond)}/s)` : null);
    }
    const npu = publishedNpu(shape.batch, shape.frames);
    cells.push(npu ? `${fmtMs(npu.meanMs)} (${fmtRate(npu.samplesPerSecond)}/s)` : null);
    rows.push(cells);
  }
  return {
    caption: 'median latency (samples/s) per batch × frames; the last column is the published NPU mean from another machine',
    columns: ['batch × frames', ...names, 'Ascend NPU (published, other machine)'],
    rows,
  };
}

const fmtMs = (ms: number) => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`);
const fmtRate = (r: number) => (r >= 100 ? r.toFixed(0) : r.toFixed(1));

function uniqueShapes(latency: LatencyData): { batch: number; frames: number }[] {
  const seen = new Map<string, { batch: number; frames: number }>();
  for (const r of latency.rows) seen.set(`${r.batch}x${r.frames}`, { batch: r.batch, frames: r.frames });
  return [...seen.values()];
}

export function latencySection(latency: LatencyData, chart: string): Section {
  const text = [
    `Features \`[B, T, 80]\` to L2-normalised embeddings, ${latency.model}; every contender interleaved round by round within each shape, so ratios are fair on this shared machine` +
      (latency.turns && latency.turns.turnWarmup > 0
        ? ` (each turn: a ${latency.turns.settleMs} ms pause, ${latency.turns.turnWarmup} untimed call, then the timed call, so every contender is measured warm and none shares the cores with the previous one's spinning threads; calls over 1 s skip the untimed call). `
        : '. ') +
      `Samples/s = batch / median. GFLOP/s = the shape's direct-convolution FLOPs (model-spec §7) / median; Winograd paths do fewer multiplications than that count.`,
    [
      ...latency.contenders.map((c) => `- **${c.name}** (${c.kind === 'backend' ? 'ours' : 'peer'}): ${c.description}`),
      ...latency.unavailable.map((u) => `- ${u.name}: not measured: ${u.reason}`),
    ].join('\n'),
  ];
  const ort = (b: number, t: number) => latency.rows.find((r) => r.contender === 'onnxruntime-node' && r.batch === b && r.frames === t)?.median ?? null;
  const detail: Table = {
    caption: 'per contender and shape (ms unless stated); "vs ORT" = this median / onnxruntime-node median (below 1 is faster)',
    columns: ['contender', 'batch × frames', 'mean', 'std', 'p50', 'p99', 'iterations', 'samples/s', 'GFLOP/s', 'vs ORT'],
    rows: latency.rows.map((r) => [
      r.contender,
      shapeLabel(r.batch, r.frames),
      r.mean,
      r.std,
      r.p50,
      r.p99,
      r.iterations,
      r.samplesPerSecond,
      r.gflopPerSecond,
      ratio(r.median, ort(r.batch, r.frames)),
    ]),
  };
  const tables = [summaryTable(latency), detail];
  if (latency.agreement.length > 0) {
    tables.push({
      caption: 'same function: each contender against the reference on the same 2 × 200 features (normalised embeddings)',
      columns: ['contender', 'reference', 'min cosine', 'max |diff|'],
      rows: latency.agreement.map((a) => [a.contender, a.reference, a.minCosine.toFixed(7), a.maxAbsDiff]),
    });
  }
  return section('latency', 'End-to-end latency: the Python port\'s batch × frames matrix', ['bench-latency'], text, tables, [chart]);
}

export function publishedSection(): Section {
  return section(
    'published-npu',
    'Published Ascend NPU table (the Python port, another machine)',
    [],
    [`Shown as published, not measured here: ${ASCEND_PORT_NPU.source}. Its front end differs from the weights' (librosa vs Kaldi fbank; see docs/model-spec.md §4.3).`],
    [
      {
        columns: ['batch', 'frames', 'mean ms', 'std ms', 'p99 ms', 'samples/s'],
        rows: ASCEND_PORT_NPU.rows.map((r) => [r.batch, r.frames, r.meanMs, r.stdMs, r.p99Ms, r.samplesPerSecond]),
      },
    ],
  );
}

export function limitsRows(limits: Limits | null): Cell[][] {
  if (!limits) return [['compute limits', 'not measured']];
  const rows: Cell[][] = [];
  const p = limits.fmaPeak;
  if ('unavailable' in p) rows.push(['fp32 FMA peak', `not measured: ${p.unavailable}`]);
  else rows.push(['fp32 FMA peak, 1 thread (GFLOP/s)', p.oneThread], [`fp32 FMA peak, ${p.threads} threads (GFLOP/s)`, p.allThreads], ['FMA peak method', p.method]);
  const s = limits.sgemm;
  if ('unavailable' in s) rows.push(['SGEMM rate', `not measured: ${s.unavailable}`]);
  else rows.push([`SGEMM ${s.size}² rate, ${s.threads} threads (GFLOP/s)`, s.gflopPerSecond], ['SGEMM method', s.method]);
  return rows;
}

/** The reference peak for "share of peak": the measured FMA peak on all threads, else the SGEMM rate. */
export function peakFor(limits: Limits | null): { value: number; label: string } | null {
  if (limits && !('unavailable' in limits.fmaPeak)) return { value: limits.fmaPeak.allThreads, label: `FMA peak (${limits.fmaPeak.threads} threads)` };
  if (limits && !('unavailable' in limits.sgemm)) return { value: limits.sgemm.gflopPerSecond, label: 'SGEMM rate' };
  return null;
}

export function fbankSection(part: BenchPart): Section {
  const rows = part.results as Row[];
  const text = [
    `${num(part.audioSeconds) ?? 10} s of 16 kHz audio through the \`wespeaker\` preset + CMN (${num(part.frames) ?? '?'} frames), batch and streaming in 10 ms chunks.`,
    typeof part.torchaudio === 'string' && part.torchaudio !== 'side by side'
      ? `torchaudio: not measured: ${part.torchaudio}`
      : 'torchaudio `compliance.kaldi.fbank` + CMN timed in alternating rounds in the same run (1 thread).',
  ];
  return section('fbank', 'Features: fbank throughput (batch and streaming)', ['fbank'], text, [
    {
      columns: ['case', 'median ms', 'frames/s', 'real-time factor', 'torchaudio time / this'],
      rows: rows.map((r) => [str(r.name), num(r.median), num(r.framesPerSecond), num(r.rtf), num(r.torchaudioOverThis)]),
    },
  ]);
}

export function weightsSection(part: BenchPart): Section {
  const rows = part.results as Row[];
  return section('weights', 'Weights: load and conversion time', ['weights'], [str(part.model) ?? '', str(part.note) ?? ''].filter(Boolean), [
    {
      columns: ['case', 'median ms', 'p10 ms', 'p90 ms', 'MB/s', 'goal ms', 'goal met'],
      rows: rows.map((r) => [str(r.name), num(r.median), num(r.p10), num(r.p90), num(r.mbPerSecond), num(r.goalMs), typeof r.meetsGoal === 'boolean' ? (r.meetsGoal ? 'yes' : 'NO') : null]),
    },
  ]);
}

export function speakerAudioSection(part: BenchPart): Section {
  const rows = part.results as Row[];
  return section('speaker-audio', 'Audio front end: decoding and resampling (@wsp/speaker)', ['speaker-audio'], [], [
    {
      columns: ['case', 'audio s', 'median ms', 'x real time', 'torchaudio time / ours'],
      rows: rows.map((r) => [str(r.name), num(r.audioSec), num(r.median), num(r.realtime), num(r.oursSpeedup)]),
    },
  ]);
}

export function audioSection(part: BenchPart): Section {
  const rows = part.results as Row[];
  const rss = part.rss as Row | undefined;
  const text = [str(part.description) ?? ''].filter(Boolean);
  const tables: Table[] = [
    {
      caption: 'a 10 s file end to end: decode + resample + fbank + CMN + embedding',
      columns: ['pipeline', 'median ms', 'p10 ms', 'p90 ms', 'iterations', 'x real time'],
      rows: rows.map((r) => [str(r.name), num(r.median), num(r.p10), num(r.p90), num(r.iterations), num(r.realtime)]),
    },
  ];
  if (rss) {
    if (typeof rss.unavailable === 'string') text.push(`Peak RSS for 60 s: not measured: ${rss.unavailable}`);
    else {
      tables.push({
        caption: 'peak resident memory of a fresh Node process embedding one 60 s file (process.resourceUsage().maxRSS)',
        columns: ['pipeline', 'audio s', 'peak RSS MiB', 'RSS after imports MiB', 'RSS with the model loaded MiB', 'end to end ms'],
        rows: [[str(rss.pipeline), num(rss.audioSeconds), num(rss.peakRssMiB), num(rss.baselineRssMiB), num(rss.modelRssMiB), num(rss.embedMs)]],
      });
    }
  }
  return section('audio', 'A real file end to end, and peak memory', ['bench-audio'], text, tables);
}

/** The native backend's own summary: its ratios, linearity and bf16 mode (its part, same run). */
export function nativeSection(part: BenchPart): Section {
  const summary = (part.summary ?? {}) as Row;
  const text: string[] = [];
  const isa = str(summary.isa);
  if (isa) text.push(`ISA ${isa}, ${num(summary.threads) ?? '?'} threads.`);
  const lin = num(summary.linearity1x400over1x200);
  if (lin !== null) text.push(`1 × 400 / 1 × 200 = ${lin.toFixed(2)} (linear in frames means about 2).`);
  const cos = num(summary.cosineWithOrt2x200);
  if (cos !== null) text.push(`cosine(native, onnxruntime-node) on 2 × 200: ${cos.toFixed(7)}.`);
  const tables: Table[] = [];
  const ratios = (part.ratios ?? []) as Row[];
  if (ratios.length > 0) {
    const cols = Object.keys(ratios[0]);
    tables.push({ caption: 'the native bench\'s own interleaved comparison', columns: cols, rows: ratios.map((r) => cols.map((c) => cell(r[c]))) });
  }
  if (Array.isArray(summary.bf16)) {
    const rows = summary.bf16 as Row[];
    const cols = Object.keys(rows[0] ?? {}).filter((c) => c !== 'unit');
    tables.push({ caption: 'bf16 mode (reported separately from fp32)', columns: cols, rows: rows.map((r) => cols.map((c) => cell(r[c]))) });
  } else if (summary.bf16 && typeof (summary.bf16 as Row).unavailable === 'string') {
    text.push(`bf16 mode: not measured: ${(summary.bf16 as Row).unavailable}`);
  }
  return section('native', 'Native CPU backend details', ['backend-cpu-native'], text, tables);
}

const cell = (v: unknown): Cell => (typeof v === 'number' ? (Number.isFinite(v) ? v : String(v)) : typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v));

/** Any other part: its results as a table of their scalar fields. */
export function genericSection(part: BenchPart): Section {
  const rows = part.results as Row[];
  const columns: string[] = [];
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if ((typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') && !columns.includes(k) && columns.length < 9) columns.push(k);
    }
  }
  const text = [typeof part.note === 'string' ? part.note : '', typeof part.skipped === 'string' ? `Not run: ${part.skipped}` : ''].filter(Boolean);
  const table = { columns, rows: rows.map((r) => columns.map((c) => (typeof r[c] === 'boolean' ? String(r[c]) : cell(r[c])))) };
  return section(`part-${part.name}`, `${part.name}`, [part.name], text, columns.length > 0 ? [table] : []);
}
