import type { WeSpeakerConfig } from './config.js';
import { joinPath, makeDirectory, writeFileBytes } from './node-io.js';
import { encodeSafetensors } from './safetensors-write.js';
import type { TensorMap } from './tensor.js';

/**
 * Writes `config.json` + `model.safetensors` in the layout of the published MLX model directory
 * (tensors in MLX layout; `__metadata__.layout` = 'ohwi'). `metadata` adds string entries.
 * Node only (loads node:fs on first use).
 */
export async function writeModelDirectory(
  dir: string,
  model: { config: WeSpeakerConfig; tensors: TensorMap },
  metadata: Record<string, string> = {},
): Promise<void> {
  await makeDirectory(dir);
  await writeFileBytes(joinPath(dir, 'config.json'), JSON.stringify(model.config, null, 2) + '\n');
  await writeFileBytes(joinPath(dir, 'model.safetensors'), encodeSafetensors(model.tensors, { format: 'mlx', layout: 'ohwi', ...metadata }));
}
