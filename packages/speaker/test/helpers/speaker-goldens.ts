// The end-to-end goldens of tools/reference/speaker_goldens.py (torchaudio + PyTorch) and the
// synthetic models they were computed from, regenerated here and hash-checked.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGoldenJson, repoRoot } from '@wsp/testkit';
import type { SyntheticModel, WeSpeakerConfig } from '@wsp/weights';
import { generateSyntheticModel, writeModelDirectory } from '@wsp/weights';
import { afterAll } from 'vitest';

type ModelName = 'tiny' | 'full';
type Pooling = 'pyannote' | 'wespeaker' | 'mlx';

export interface SpeakerGoldens {
  models: Record<ModelName, { seed: number; config: WeSpeakerConfig; safetensorsSha256: string }>;
  recordings: Record<string, { file: string; sampleRate: number; samples16k: number }>;
  cases: { id: string; model: ModelName; recording: string; pooling: Pooling; frames: number; embedding: number[]; normalized: number[] }[];
  long: {
    id: string;
    model: ModelName;
    recording: string;
    pooling: Pooling;
    windowFrames: number;
    hopFrames: number;
    totalFrames: number;
    windows: { startFrame: number; frames: number; normalized: number[] }[];
    mean: number[];
  }[];
  padded: { id: string; model: ModelName; recording: string; start: number; length: number; paddedTo: number; normalized: number[] }[];
}

export const goldens = readGoldenJson<SpeakerGoldens>('speaker', 'embed', 'goldens.json');

export const recordingPath = (key: string): string => join(repoRoot, goldens.recordings[key].file);

const models = new Map<ModelName, SyntheticModel>();
/** The model the goldens were made from (regenerated). */
export function speakerGoldenModel(name: ModelName): SyntheticModel {
  let m = models.get(name);
  if (!m) {
    m = generateSyntheticModel(goldens.models[name].config, { seed: goldens.models[name].seed });
    models.set(name, m);
  }
  return m;
}

const dirs = new Map<ModelName, Promise<string>>();
const root = mkdtempSync(join(tmpdir(), 'wsp-speaker-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function writeChecked(name: ModelName): Promise<string> {
  const dir = join(root, name);
  await writeModelDirectory(dir, speakerGoldenModel(name));
  const hash = createHash('sha256').update(readFileSync(join(dir, 'model.safetensors'))).digest('hex');
  if (hash !== goldens.models[name].safetensorsSha256) {
    throw new Error(
      `the regenerated '${name}' model.safetensors hashes to ${hash}, the goldens were made from ${goldens.models[name].safetensorsSha256}; ` +
        'generateSyntheticModel or writeModelDirectory changed: rerun tools/reference/speaker_goldens.py',
    );
  }
  return dir;
}

/**
 * The model as a model directory (config.json + model.safetensors), written once per test file,
 * with the same bytes the goldens were computed from (SHA-256 checked).
 */
export function speakerGoldenModelDir(name: ModelName): Promise<string> {
  let d = dirs.get(name);
  if (!d) {
    d = writeChecked(name);
    dirs.set(name, d);
  }
  return d;
}
