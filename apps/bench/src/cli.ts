#!/usr/bin/env node
/**
 * wsp-bench: the last step of `pnpm bench` (turbo runs it after every package's bench).
 *
 *   wsp-bench run        measure (limits, end-to-end matrix with peers, audio) then assemble
 *   wsp-bench assemble   assemble the report from the parts already written
 *   wsp-bench readme [report.json]   put the summary of a full report into the root README
 *
 * The report goes to <results>/<date>-<machine>.json and .md with its SVG charts
 * (<results> = bench/results or WSP_BENCH_RESULTS_DIR).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { repoRoot } from '@wsp/benchkit';
import { loadAverage, machineInfo } from './machine.js';
import { runMeasurements } from './measure/run.js';
import { assembleReport } from './report/assemble.js';
import { readmeSummary, reportMarkdown } from './report/markdown.js';
import { readParts } from './report/parts.js';
import { replaceReadmeSummary } from './report/readme.js';
import type { Report } from './report/types.js';
import { benchSettings } from './settings.js';
import type { BenchSettings } from './settings.js';

function assemble(settings: BenchSettings): string {
  const date = new Date();
  const loaded = readParts(settings.partsDir, { smoke: settings.smoke, now: date });
  const { report, charts } = assembleReport({ loaded, machine: machineInfo(), loadAfter: loadAverage(), date, smoke: settings.smoke });
  const base = join(settings.resultsDir, report.id);
  writeFileSync(`${base}.json`, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(`${base}.md`, reportMarkdown(report));
  for (const [file, svg] of charts) writeFileSync(join(settings.resultsDir, file), svg);
  for (const p of report.problems) process.stderr.write(`[wsp-bench] problem: ${p}\n`);
  process.stdout.write(`wrote ${base}.json, ${base}.md and ${charts.size} chart(s)\n`);
  return `${base}.json`;
}

/** The newest full (non-smoke) report in the results folder. */
function latestFullReport(dir: string): string {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d{4}-\d{2}-\d{2}-.*\.json$/.test(f) && !f.endsWith('-smoke.json')) : [];
  const reports = files.map((f) => ({ f, date: (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Report).date })).sort((a, b) => a.date.localeCompare(b.date));
  if (reports.length === 0) throw new Error(`no full report in ${dir}; run pnpm bench first`);
  return join(dir, reports[reports.length - 1].f);
}

function updateReadme(settings: BenchSettings, file?: string): void {
  const reportFile = file ?? latestFullReport(settings.resultsDir);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  if (report.smoke) throw new Error(`${basename(reportFile)} is a smoke run; the README shows full runs only`);
  const readmePath = join(repoRoot, 'README.md');
  const link = relative(repoRoot, reportFile.replace(/\.json$/, '.md'));
  writeFileSync(readmePath, replaceReadmeSummary(readFileSync(readmePath, 'utf8'), readmeSummary(report, link)));
  process.stdout.write(`README.md: benchmark summary from ${link}\n`);
}

async function main(argv: string[]): Promise<void> {
  const settings = benchSettings();
  const [command = 'run', arg] = argv;
  if (command === 'run') {
    await runMeasurements(settings);
    assemble(settings);
  } else if (command === 'assemble') {
    assemble(settings);
  } else if (command === 'readme') {
    updateReadme(settings, arg);
  } else {
    throw new Error(`unknown command '${command}'; use run, assemble or readme`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`wsp-bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
