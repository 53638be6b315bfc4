// Report assembly from parts: which parts count, where their numbers land, what a missing part
// or a non-finite number does, and the README block.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MachineInfo } from '../src/machine.js';
import { parseCpuinfo } from '../src/machine.js';
import { assembleReport, nonFiniteNumbers, reportId } from '../src/report/assemble.js';
import { eventNode, stageOf } from '../src/measure/ort-profile.js';
import { formatNumber, readmeSummary, reportMarkdown } from '../src/report/markdown.js';
import { readParts } from '../src/report/parts.js';
import type { BenchPart } from '../src/report/parts.js';
import { README_END, README_START, replaceReadmeSummary } from '../src/report/readme.js';

const dir = mkdtempSync(join(tmpdir(), 'wsp-bench-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const now = new Date('2026-11-25T12:00:00Z');
const machine: MachineInfo = {
  cpuModel: 'Test CPU 9000',
  simdFlags: ['avx2', 'fma'],
  flags: ['fpu', 'avx2', 'fma'],
  cpuMHz: 3000,
  cores: 2,
  memoryGiB: 24,
  os: 'linux test',
  node: 'v20.0.0',
  platform: 'linux-x64',
};

function part(name: string, results: object[], extra: object = {}, date = '2026-11-25T11:00:00Z', smoke = false): BenchPart {
  return { name, date, smoke, started: { date, loadAverage: [0.5, 0.4, 0.3] }, results: results as Record<string, unknown>[], ...extra };
}

const stats = (median: number) => ({ mean: median * 1.01, std: median * 0.02, min: median * 0.9, p10: median * 0.95, p50: median, median, p90: median * 1.05, p99: median * 1.2, max: median * 1.3, iterations: 10 });

function latencyPart(): BenchPart {
  const rows = [];
  for (const [contender, kind, base] of [['cpu', 'backend', 20], ['onnxruntime-node', 'peer', 40]] as const) {
    for (const [batch, frames] of [[1, 200], [16, 200]]) {
      const s = stats(base * batch);
      rows.push({ name: `${contender} ${batch}x${frames}`, unit: 'ms', contender, kind, batch, frames, ...s, samplesPerSecond: (1000 * batch) / s.median, gflopPerSecond: 9.056 / (s.median / 1000) });
    }
  }
  return part('bench-latency', rows, {
    model: 'synthetic',
    threads: 2,
    contenders: [
      { name: 'cpu', kind: 'backend', description: 'native' },
      { name: 'onnxruntime-node', kind: 'peer', description: 'ORT' },
    ],
    unavailable: [{ name: 'ascend', reason: 'no CANN' }],
    agreement: [{ contender: 'cpu', reference: 'onnxruntime-node', batch: 2, frames: 200, minCosine: 0.9999999, maxAbsDiff: 1e-6 }],
    versions: { 'onnxruntime-node': '1.30.0' },
  });
}

function writeParts(sub: string, parts: BenchPart[], extraFiles: Record<string, string> = {}): string {
  const d = join(dir, sub);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  for (const p of parts) writeFileSync(join(d, `${p.name}.json`), JSON.stringify(p));
  for (const [f, text] of Object.entries(extraFiles)) writeFileSync(join(d, f), text);
  return d;
}

describe('readParts', () => {
  it('uses the parts of this run and lists the rest with the reason', () => {
    const d = writeParts(
      'mixed',
      [
        part('weights', [{ name: 'load', unit: 'ms', median: 12 }]),
        part('fbank', [], {}, '2026-11-24T08:00:00Z'),
        part('speaker-audio', [], {}, '2026-11-25T11:30:00Z', true),
      ],
      { 'broken.json': '{', 'other.json': '{"hello": 1}' },
    );
    const { parts, status } = readParts(d, { smoke: false, now });
    expect([...parts.keys()]).toEqual(['weights']);
    const reasons = Object.fromEntries(status.map((s) => [s.name, s.reason ?? 'used']));
    expect(reasons.weights).toBe('used');
    expect(reasons.fbank).toMatch(/28\.0 h before/);
    expect(reasons['speaker-audio']).toBe('from a smoke run');
    expect(reasons['broken.json']).toMatch(/not JSON/);
    expect(reasons['other.json']).toMatch(/not a bench part/);
    // The same folder read for a smoke report takes the smoke part only.
    expect([...readParts(d, { smoke: true, now }).parts.keys()]).toEqual(['speaker-audio']);
  });
});

describe('assembleReport', () => {
  const loaded = () =>
    readParts(
      writeParts('full', [
        latencyPart(),
        part('bench-limits', [], {
          fmaPeak: { method: 'native', isa: 'avx512', oneThread: 105, allThreads: 210, threads: 2 },
          sgemm: { method: 'torch.mm', gflopPerSecond: 190, size: 2048, threads: 2 },
        }),
        part('backend-cpu-native', [{ name: 'layer layer1 winograd', unit: 'GFLOP/s', layer: 'layer1 winograd', ops: 6, ms: 4, gflop: 1.77, gflopPerSecond: 442.5 }], {
          summary: { isa: 'avx512', threads: 2, linearity1x400over1x200: 1.98, bf16: { unavailable: 'no bf16' } },
          ratios: [{ shape: '1x200', nativeMs: 20, ortMs: null }],
        }),
        part('bench-ort-layers', [
          { name: 'layer1.0.conv1', node: 'layer1.0.conv1', stage: 'layer1', ms: 2, gflop: 0.3 },
          { name: 'layer1.0.conv2', node: 'layer1.0.conv2', stage: 'layer1', ms: 3, gflop: 0.3 },
          { name: 'pool', node: 'pool', stage: 'pool', ms: 0.5, gflop: 0 },
        ]),
        part('backend-cpu-portable', [
          { name: 'conv3x3 layer1 32->32 @80x200, winograd', unit: 'ms', median: 40, gflopPerSecond: 7 },
          { name: 'conv3x3 layer1 32->32 @80x200, im2col', unit: 'ms', median: 80, gflopPerSecond: 3.5 },
        ]),
        part('weights', [{ name: 'load MLX', unit: 'ms', median: 12.5, p10: 12, p90: 13, mbPerSecond: 2000, goalMs: 30, meetsGoal: true }]),
        part('ascend-fake', [{ name: 'fake op', unit: 'ms', median: 1.5, nested: { x: 1 } }]),
      ]),
      { smoke: false, now },
    );

  it('puts every section in order, with the numbers of its parts, and says what was not measured', () => {
    const { report, charts } = assembleReport({ loaded: loaded(), machine, loadAfter: [0.7, 0.5, 0.4], date: now, smoke: false });
    expect(report.id).toBe('2026-11-25-test-cpu-9000-2c');
    expect(report.sections.map((s) => s.id)).toEqual([
      'machine',
      'latency',
      'per-layer',
      'native',
      'fbank',
      'audio',
      'speaker-audio',
      'weights',
      'published-npu',
      'part-ascend-fake',
      'part-backend-cpu-portable',
    ]);
    const byId = Object.fromEntries(report.sections.map((s) => [s.id, s]));
    expect(byId.fbank.text[0]).toMatch(/Not measured in this run: no `fbank` part/);
    // Summary: medians with samples/s, and the published NPU mean for 1x200 and 16x200.
    const summary = byId.latency.tables[0];
    expect(summary.columns).toEqual(['batch × frames', 'cpu', 'onnxruntime-node', 'Ascend NPU (published, other machine)']);
    expect(summary.rows).toEqual([
      ['1×200', '20.0 ms (50.0/s)', '40.0 ms (25.0/s)', '3.89 ms (257/s)'],
      ['16×200', '320 ms (50.0/s)', '640 ms (25.0/s)', '5.81 ms (2755/s)'],
    ]);
    // "vs ORT" is our median over ORT's.
    const detail = byId.latency.tables[1];
    expect(detail.rows[0].at(-1)).toBeCloseTo(0.5, 12);
    // Per stage: Σ GFLOP / Σ time of each source (ORT's two layer1 nodes; the portable Winograd conv only).
    const [stages, every] = byId['per-layer'].tables;
    expect(stages.columns).toEqual(['stage', 'cpu (native), whole network 1 × 200', 'onnxruntime-node profiler, whole network 1 × 200', 'cpu-portable, one convolution per stage']);
    expect(stages.rows).toHaveLength(1);
    expect(stages.rows[0][0]).toBe('layer1');
    expect(stages.rows[0][1]).toBeCloseTo(442.5, 9);
    expect(stages.rows[0][2]).toBeCloseTo(0.6 / 0.005, 9);
    expect(stages.rows[0][3]).toBeCloseTo(7, 9);
    // Every row, with share of peak = rate / FMA peak on all threads.
    expect(every.rows.map((r) => r[0])).toEqual(['layer1 winograd', 'layer1', 'layer1 32->32 @80x200, winograd', 'layer1 32->32 @80x200, im2col']);
    expect(every.rows[0][5]).toBeCloseTo(442.5 / 210, 9);
    expect(byId.weights.tables[0].rows[0]).toEqual(['load MLX', 12.5, 12, 13, 2000, 30, 'yes']);
    expect(byId['part-ascend-fake'].tables[0]).toEqual({ columns: ['name', 'unit', 'median'], rows: [['fake op', 'ms', 1.5]] });
    expect(report.machine.loadAverage).toEqual({ before: [0.5, 0.4, 0.3], beforeAt: '2026-11-25T11:00:00Z', after: [0.7, 0.5, 0.4] });
    expect([...charts.keys()]).toEqual(['2026-11-25-test-cpu-9000-2c-latency.svg', '2026-11-25-test-cpu-9000-2c-per-layer.svg']);
    expect(report.problems).toEqual([]);

    const md = reportMarkdown(report);
    for (const s of report.sections) expect(md).toContain(`## ${s.title}`);
    expect(md).toContain('| fp32 FMA peak, 2 threads (GFLOP/s) | 210 |');
    expect(md).toContain('![End-to-end latency');
    expect(md).toContain('None: every number in this report is finite.');
    // Pipes inside cells and headers are escaped, so every table row keeps its column count.
    expect(md).toContain('| contender | reference | min cosine | max \\|diff\\| |');
    expect(md).toContain('| cpu | onnxruntime-node | 0.9999999 | 1.00e-6 |');
  });

  it('reports non-finite numbers as problems', () => {
    const input = loaded();
    (input.parts.get('weights')!.results[0] as Record<string, unknown>).median = Number.NaN;
    const { report } = assembleReport({ loaded: input, machine, loadAfter: [1, 1, 1], date: now, smoke: false });
    expect(report.problems).toEqual(['$.raw.weights.results[0].median = NaN']);
    expect(nonFiniteNumbers({ a: [1, Infinity], b: { c: -Infinity } })).toEqual(['$.a[1] = Infinity', '$.b.c = -Infinity']);
  });

  it('writes the README block from a report, between the markers only', () => {
    const { report } = assembleReport({ loaded: loaded(), machine, loadAfter: [0.7, 0.5, 0.4], date: now, smoke: false });
    const block = readmeSummary(report, 'bench/results/x.md');
    expect(block).toMatch(/^Latest full run: \*\*2026-11-25\*\* on \*\*Test CPU 9000\*\*, 2 cores/);
    expect(block).toContain('| 16×200 | 320 ms (50.0/s) | 640 ms (25.0/s) | 5.81 ms (2755/s) |');
    expect(block).toContain('Measured fp32 FMA peak: 210 GFLOP/s on 2 threads (105 on one).');
    expect(block).toContain("cpu: 0.50× onnxruntime-node's median at 1 × 200, 2.00× its samples/s at 16 × 200. (Same run, interleaved.)");
    expect(block).toContain('- ascend: not measured here (no CANN)');
    const readme = `# Title\n\n## Benchmarks\n\n${README_START}\nold\n${README_END}\n\n## After\n`;
    const updated = replaceReadmeSummary(readme, block);
    expect(updated.startsWith('# Title\n\n## Benchmarks\n\n')).toBe(true);
    expect(updated.endsWith(`${README_END}\n\n## After\n`)).toBe(true);
    expect(updated).not.toContain('old');
    expect(() => replaceReadmeSummary('# no markers', block)).toThrow(/no "<!-- wsp-bench/);
  });
});

describe('small helpers', () => {
  it('formats numbers, names reports and reads /proc/cpuinfo', () => {
    expect([1234.5, 123.45, 12.345, 0.12345, 0.00001234, 7].map(formatNumber)).toEqual(['1235', '123.5', '12.35', '0.123', '1.23e-5', '7']);
    expect(reportId(now, { ...machine, cpuModel: 'AMD EPYC 9R14 96-Core' }, true)).toBe('2026-11-25-amd-epyc-9r14-96-core-2c-smoke');
    const info = parseCpuinfo('processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.136\nflags\t\t: fpu avx2 fma\n\nprocessor\t: 1\nflags\t: other\n');
    expect(info).toEqual({ model: 'AMD EPYC', flags: ['fpu', 'avx2', 'fma'], mhz: 2596.136 });
    expect(parseCpuinfo('Features\t: fp asimd asimdhp\nHardware\t: some board\n')).toEqual({ model: 'some board', flags: ['fp', 'asimd', 'asimdhp'] });
  });
});

describe('onnxruntime-node profile events', () => {
  it('map back to the graph nodes they came from (fused Conv kernels, pooling primitives, layout changes)', () => {
    const nodes = ['conv1', 'layer1.0.conv1', 'layer1.0.conv2', 'layer1.1.conv1', 'layer2.0.shortcut', 'pool', 'embedding', 'normalized'];
    const cases: [string, string][] = [
      ['conv1_nchwc_kernel_time', 'conv1'],
      ['layer1.0.conv2.conv_nchwc_kernel_time', 'layer1.0.conv2'],
      ['layer1.1.conv1_nchwc_kernel_time', 'layer1.1.conv1'],
      ['layer2.0.shortcut_nchwc_kernel_time', 'layer2.0.shortcut'],
      ['pool.sum_squares/ReduceSum_kernel_time', 'pool'],
      ['embedding.value/Gemm_kernel_time', 'embedding'],
      ['embedding/Div_kernel_time', 'embedding'],
      ['normalized.norm/Sqrt_kernel_time', 'normalized'],
      ['ReorderOutput_kernel_time', 'other'],
      ['features.transposed/Transpose_kernel_time', 'other'],
    ];
    for (const [event, node] of cases) expect(eventNode(event, nodes), event).toBe(node);
    expect(['conv1', 'layer3.2.conv2', 'pool', 'other'].map(stageOf)).toEqual(['stem', 'layer3', 'pool', 'other']);
  });
});
