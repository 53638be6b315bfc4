// Writes generateSyntheticModel() (seed 1, the ResNet34-LM shapes) as an MLX model directory
// (config.json + model.safetensors), so PyTorch scripts run the very weights our tests and
// benchmarks use. Usage: node write-synthetic-model.mjs <dir> [seed]
import { generateSyntheticModel, writeModelDirectory } from '@wsp/weights';

const [dir, seed = '1'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node write-synthetic-model.mjs <dir> [seed]');
  process.exit(2);
}
await writeModelDirectory(dir, generateSyntheticModel(undefined, { seed: Number(seed) }), { source: `generateSyntheticModel seed ${seed}` });
console.log(dir);
