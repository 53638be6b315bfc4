// Keeps `pnpm bench` alive: the whole pipeline in smoke mode (WSP_BENCH_SMOKE=1: few iterations;
// WSP_BENCH_MODEL=tiny where the full model is not needed) into a temporary results folder —
// every package's bench script, as turbo would run them, then this app's measure and assemble
// step — and the report must have every section, use every part, chart both figures and hold
// only finite numbers. Timing figures are not checked (they are meaningless at 3 iterations).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeAddon } from '@wsp/backend-cpu/native';
import { repoRoot } from '@wsp/benchkit';
import type { Report } from '../src/report/types.js';

interface WorkspacePackage {
  name: string;
  dir: string;
  bench?: string;
}

function workspacePackages(): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps', 'examples', 'tools']) {
    const groupDir = join(repoRoot, group);
    if (!existsSync(groupDir)) continue;
    for (const name of readdirSync(groupDir)) {
      const manifest = join(groupDir, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; scripts?: Record<string, string> };
      out.push({ name: pkg.name, dir: join(groupDir, name), bench: pkg.scripts?.bench });
    }
  }
  return out;
}

const appDir = join(repoRoot, 'apps', 'bench');
const benched = workspacePackages().filter((p) => p.bench && p.name !== '@wsp/bench');
const results = mkdtempSync(join(tmpdir(), 'wsp-bench-smoke-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

describe('pnpm bench, smoke mode', () => {
  it('runs after every package bench: @wsp/bench depends on each package that has one (turbo dependsOn ^bench)', () => {
    const manifest = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const turbo = JSON.parse(readFileSync(join(appDir, 'turbo.json'), 'utf8')) as { tasks: { bench: { dependsOn: string[] } } };
    expect(turbo.tasks.bench.dependsOn).toContain('^bench');
    expect(benched.length).toBeGreaterThanOrEqual(4);
    for (const p of benched) expect(Object.keys(manifest.dependencies), `${p.name} has a bench`).toContain(p.name);
  });

  it('runs every bench and writes one report with every section, every part used and only finite numbers', () => {
    const env = { ...process.env, WSP_BENCH_SMOKE: '1', WSP_BENCH_MODEL: 'tiny', WSP_BENCH_RESULTS_DIR: results };
    for (const p of benched) {
      const r = spawnSync('sh', ['-c', p.bench!], { cwd: p.dir, env, encoding: 'utf8', timeout: 180_000 });
      expect(r.status, `${p.name} bench failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
    }
    const r = spawnSync(process.execPath, [join(appDir, 'dist', 'cli.js'), 'run'], { env, encoding: 'utf8', timeout: 180_000 });
    expect(r.status, `wsp-bench run failed:\n${r.stdout}\n${r.stderr}`).toBe(0);

    const reports = readdirSync(results).filter((f) => f.endsWith('-smoke.json'));
    expect(reports).toHaveLength(1);
    const base = join(results, reports[0].replace(/\.json$/, ''));
    const report = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Report;
    const markdown = readFileSync(`${base}.md`, 'utf8');

    expect(report.smoke).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.parts.filter((p) => !p.used)).toEqual([]);
    const ids = report.sections.map((s) => s.id);
    for (const id of ['machine', 'latency', 'per-layer', 'fbank', 'audio', 'speaker-audio', 'weights', 'published-npu']) expect(ids).toContain(id);
    // No section fell back to "not measured": every part of the pipeline ran.
    for (const s of report.sections) expect(s.text.join(' '), s.id).not.toMatch(/^Not measured in this run/);
    for (const s of report.sections) expect(markdown).toContain(`## ${s.title}`);
    expect(markdown).not.toMatch(/\bNaN\b|Infinity|undefined/);

    // The matrix: every contender on every shape, ours and the peers, and all agree on the function.
    const latency = report.latency!;
    const expected = ['cpu-portable', 'onnxruntime-node', 'pytorch-eager', 'pytorch-frozen'];
    // Where the native addon loads (it is built with the package), it is in the matrix and gives the FMA peak.
    if (loadNativeAddon().ok) {
      expected.push('cpu');
      expect(report.machine.limits?.fmaPeak).toMatchObject({ isa: expect.any(String) });
    }
    expect(latency.contenders.map((c) => c.name)).toEqual(expect.arrayContaining(expected));
    expect(latency.rows).toHaveLength(6 * latency.contenders.length);
    for (const row of latency.rows) expect(row.median).toBeGreaterThan(0);
    for (const a of latency.agreement) expect(a.minCosine, a.contender).toBeGreaterThan(0.9999);

    for (const chart of report.sections.flatMap((s) => s.charts)) {
      const svg = readFileSync(join(results, chart), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).not.toMatch(/NaN|undefined/);
    }
  });
});
