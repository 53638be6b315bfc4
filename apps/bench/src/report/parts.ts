/**
 * Reading the parts the package benches wrote (`<results>/parts/<name>.json`, benchkit's
 * `writeBenchPart`). A part is used when it belongs to this run: same smoke mode, written within
 * `maxAgeHours` before the assembly. Others are listed as stale, never mixed into the figures.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchPart {
  name: string;
  date: string;
  smoke: boolean;
  started?: { date: string; loadAverage: number[] };
  machine?: { cpuModel: string; cores: number; loadAverage: number[] };
  results: Record<string, unknown>[];
  [extra: string]: unknown;
}

export interface PartStatus {
  name: string;
  file: string;
  date: string;
  used: boolean;
  /** Why not used. */
  reason?: string;
}

export interface LoadedParts {
  parts: Map<string, BenchPart>;
  status: PartStatus[];
}

function isPart(value: unknown): value is BenchPart {
  const p = value as BenchPart;
  return typeof p === 'object' && p !== null && typeof p.name === 'string' && typeof p.date === 'string' && Array.isArray(p.results);
}

export function readParts(dir: string, { smoke, now = new Date(), maxAgeHours = 12 }: { smoke: boolean; now?: Date; maxAgeHours?: number }): LoadedParts {
  const parts = new Map<string, BenchPart>();
  const status: PartStatus[] = [];
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  for (const f of files) {
    const file = join(dir, f);
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      status.push({ name: f, file, date: '', used: false, reason: `not JSON: ${(e as Error).message}` });
      continue;
    }
    if (!isPart(value)) {
      status.push({ name: f, file, date: '', used: false, reason: 'not a bench part (name, date, results)' });
      continue;
    }
    const ageHours = (now.getTime() - Date.parse(value.date)) / 3.6e6;
    let reason: string | undefined;
    if (Boolean(value.smoke) !== smoke) reason = value.smoke ? 'from a smoke run' : 'from a full run (this is a smoke run)';
    else if (!(ageHours <= maxAgeHours)) reason = `written ${Number.isFinite(ageHours) ? `${ageHours.toFixed(1)} h` : 'at an unreadable date'} before this report`;
    else if (ageHours < -0.1) reason = 'dated in the future';
    status.push({ name: value.name, file, date: value.date, used: reason === undefined, ...(reason ? { reason } : {}) });
    if (reason === undefined) parts.set(value.name, value);
  }
  return { parts, status };
}

/** The load average when the first used part's bench started (the run's "before"). */
export function loadBefore(parts: Map<string, BenchPart>): { date: string; loadAverage: number[] } | undefined {
  const starts = [...parts.values()].map((p) => p.started).filter((s): s is { date: string; loadAverage: number[] } => !!s);
  starts.sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
  return starts[0];
}
