import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WeSpeakerConfig } from './config.js';
import { encodeSafetensors } from './safetensors-write.js';
import type { TensorMap } from './tensor.js';

/**
 * Writes `config.json` + `model.safetensors` in the layout of the published MLX model directory.
 * `metadata` goes into the safetensors `__metadata__` (string values only).
 */
export async function writeModelDirectory(
  dir: string,
  model: { config: WeSpeakerConfig; tensors: TensorMap },
  metadata: Record<string, string> = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify(model.config, null, 2) + '\n');
  await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(model.tensors, { layout: 'ohwi', ...metadata }));
}
