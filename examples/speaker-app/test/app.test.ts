// Runs the example app as a user would, and checks what it prints against the PyTorch reference
// pipeline (fixtures/speaker/embed/goldens.json, tools/reference/speaker_goldens.py).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cosine, l2Normalize, readGoldenJson } from '@wsp/testkit';
import { generateSyntheticModel, tinyConfig, writeModelDirectory } from '@wsp/weights';
import { afterAll, describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('../index.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'wsp-speaker-app-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Goldens {
  models: { tiny: { seed: number } };
  cases: { id: string; normalized: number[] }[];
}
interface AppResult {
  backend: string;
  demo: boolean;
  speakers: { name: string; count: number }[];
  identify: { file: string; matches: { name: string; score: number }[] };
  verify: { threshold: number; score: number; accepted: boolean };
}

function runApp(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APP, ...args], { env: { ...process.env, WSP_CACHE_DIR: join(work, 'cache') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples/speaker-app', () => {
  it('enrols, identifies and verifies with the scores of the reference pipeline', async () => {
    const goldens = readGoldenJson<Goldens>('speaker', 'embed', 'goldens.json');
    const dir = join(work, 'tiny');
    await writeModelDirectory(dir, generateSyntheticModel(tinyConfig(), { seed: goldens.models.tiny.seed }));
    const r = await runApp(['--model', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as AppResult;
    expect(result.demo).toBe(false);
    expect(result.speakers).toEqual([
      { name: 'speaker-a', count: 1 },
      { name: 'speaker-b', count: 1 },
    ]);
    const golden = (recording: string) => goldens.cases.find((c) => c.id === `tiny-${recording}-pyannote`)!.normalized;
    const [a1, a2, b1] = [golden('a1-16000'), golden('a2-16000'), golden('b1-16000')];
    const expected = [
      { name: 'speaker-a', score: cosine(l2Normalize(a1), a2) },
      { name: 'speaker-b', score: cosine(l2Normalize(b1), a2) },
    ].sort((x, y) => y.score - x.score);
    expect(result.identify.matches.map((m) => m.name)).toEqual(expected.map((m) => m.name));
    result.identify.matches.forEach((m, i) => expect(m.score).toBeCloseTo(expected[i].score, 4));
    expect(result.verify.score).toBeCloseTo(cosine(a1, a2), 4);
    expect(result.verify.accepted).toBe(result.verify.score >= result.verify.threshold);
  });

  it('runs on the demo model by default and says what that means', async () => {
    const r = await runApp([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^DEMO MODEL: generated weights, not the trained network; its scores say nothing about speakers$/m);
    expect(r.stdout).toMatch(/^who speaks in speech-a2\.wav\? speaker-[ab] \(-?\d\.\d{4}\), speaker-[ab] \(-?\d\.\d{4}\)$/m);
    expect(r.stdout).toMatch(/^speech-a1\.wav vs speech-a2\.wav: cosine -?\d\.\d{4}, (same|different) speakers? at threshold 0\.5$/m);
  });
});
