// Writes the synthetic model directories the @wsp/speaker goldens are computed from, for
// tools/reference/speaker_goldens.py: <dir>/<name>/{config.json,model.safetensors} and <dir>/models.json
// (name -> { seed, config }). The model list is defined here only.
// Uses the built @wsp/weights (run `pnpm turbo run build --filter=@wsp/weights` first).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESNET34_LM_CONFIG, generateSyntheticModel, tinyConfig, writeModelDirectory } from '../../packages/weights/dist/index.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node write_speaker_models.mjs <output dir>');
mkdirSync(dir, { recursive: true });

const MODELS = {
  tiny: { config: tinyConfig(), seed: 7 },
  full: { config: RESNET34_LM_CONFIG, seed: 7 },
};
for (const [name, m] of Object.entries(MODELS)) {
  await writeModelDirectory(join(dir, name), generateSyntheticModel(m.config, { seed: m.seed }));
}
writeFileSync(join(dir, 'models.json'), JSON.stringify(MODELS, null, 1));
console.log(`wrote ${Object.keys(MODELS).join(', ')} to ${dir}`);
