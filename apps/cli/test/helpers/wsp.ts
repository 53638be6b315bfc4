// Runs the built `wsp` executable as a child process, the way scripts use it, with its own cache
// folder (WSP_CACHE_DIR) so nothing touches the user's cache. Also writes the test models.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticModel, tinyConfig, writeModelDirectory } from '@wsp/weights';
import { readGoldenJson, repoRoot } from '@wsp/testkit';
import { afterAll } from 'vitest';

export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin.js');

/** A temporary folder per test file, removed afterwards. */
export const work = mkdtempSync(join(tmpdir(), 'wsp-cli-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

export interface WspResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function wsp(args: readonly string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<WspResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, WSP_CACHE_DIR: join(work, 'cache'), WSP_MODEL: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** JSON lines of stdout. */
export const jsonLines = (stdout: string): Record<string, unknown>[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** The end-to-end goldens (torchaudio + PyTorch) of tools/reference/speaker_goldens.py. */
export interface SpeakerGoldens {
  models: Record<'tiny' | 'full', { seed: number; safetensorsSha256: string }>;
  recordings: Record<string, { file: string; sampleRate: number }>;
  cases: { id: string; model: 'tiny' | 'full'; recording: string; pooling: string; frames: number; embedding: number[]; normalized: number[] }[];
}
export const goldens = readGoldenJson<SpeakerGoldens>('speaker', 'embed', 'goldens.json');

let tiny: Promise<string> | undefined;
/** The tiny model the goldens were made from, as a model folder (its bytes checked against the goldens). */
export function tinyModelDir(): Promise<string> {
  tiny ??= (async () => {
    const dir = join(work, 'tiny-model');
    await writeModelDirectory(dir, generateSyntheticModel(tinyConfig(), { seed: goldens.models.tiny.seed }));
    const hash = createHash('sha256').update(readFileSync(join(dir, 'model.safetensors'))).digest('hex');
    if (hash !== goldens.models.tiny.safetensorsSha256) throw new Error('the tiny golden model changed: rerun tools/reference/speaker_goldens.py');
    return dir;
  })();
  return tiny;
}

export const fixture = (...parts: string[]) => join(repoRoot, 'fixtures', ...parts);
