/**
 * The model every contender runs: synthetic weights with the published ResNet34-LM shapes (timing
 * does not depend on the values; the real weights are not downloadable here) or the tiny test
 * config, written once to a model directory the Python peer reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESNET34_LM_CONFIG, generateSyntheticModel, tinyConfig, writeModelDirectory } from '@wsp/weights';
import type { EmbeddingModel } from '@wsp/resnet-graph';
import type { ModelSize } from './settings.js';

export const MODEL_SEED = 1;

export interface BenchModel {
  model: EmbeddingModel;
  description: string;
  /** config.json + model.safetensors of `model`. */
  dir: string;
  dispose(): void;
}

export async function createBenchModel(size: ModelSize): Promise<BenchModel> {
  const config = size === 'full' ? RESNET34_LM_CONFIG : tinyConfig();
  const model = generateSyntheticModel(config, { seed: MODEL_SEED });
  const root = mkdtempSync(join(tmpdir(), 'wsp-bench-model-'));
  const dir = join(root, 'model');
  await writeModelDirectory(dir, model);
  const description =
    size === 'full'
      ? `synthetic weights with the ResNet34-LM shapes (seed ${MODEL_SEED}; timing does not depend on the values)`
      : `tiny test config (layers [${config.layers}], channels [${config.channels}]), synthetic weights`;
  return { model, description, dir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
