/**
 * A demo model: the full-size ResNet34-LM with generated weights (`generateSyntheticModel`), written
 * once into the cache as a model directory. It runs the whole pipeline where the real weights
 * cannot be downloaded (offline machines, CI), and its embeddings mean nothing about speakers.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RESNET34_LM_CONFIG, generateSyntheticModel, writeModelDirectory } from '@wsp/weights';
import type { WeSpeakerConfig } from '@wsp/weights';
import { defaultModelCacheDir } from '../download.js';

export interface DemoModelOptions {
  /** Folder to write (default: `<model cache>/wsp-demo/synthetic-resnet34-lm-seed<seed>`). */
  dir?: string;
  /** Architecture (default: the published ResNet34-LM). */
  config?: WeSpeakerConfig;
  seed?: number;
}

/** Says so wherever a demo model is used. */
export const DEMO_MODEL_NOTICE = 'DEMO MODEL: generated weights, not the trained network; its scores say nothing about speakers';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const isComplete = async (dir: string) => (await exists(join(dir, 'config.json'))) && (await exists(join(dir, 'model.safetensors')));

/**
 * Writes the demo model directory (config.json + model.safetensors) unless it is already there, and
 * returns its path. The files are written to a temporary folder and renamed into place, so
 * concurrent callers never see half a model.
 */
export async function ensureDemoModel(options: DemoModelOptions = {}): Promise<string> {
  const seed = options.seed ?? 1;
  const dir = options.dir ?? defaultModelCacheDir(`wsp-demo/synthetic-resnet34-lm-seed${seed}`);
  if (await isComplete(dir)) return dir;
  await mkdir(dirname(dir), { recursive: true });
  const temp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeModelDirectory(temp, generateSyntheticModel(options.config ?? RESNET34_LM_CONFIG, { seed }), { 'wsp-demo': DEMO_MODEL_NOTICE });
    try {
      await rename(temp, dir);
    } catch (e) {
      // Another process may have finished first; a partial folder (a crash) is replaced.
      if (await isComplete(dir)) return dir;
      if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      await rm(dir, { recursive: true, force: true });
      await rename(temp, dir);
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return dir;
}
