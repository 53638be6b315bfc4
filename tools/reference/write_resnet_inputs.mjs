// Writes the inputs of the ResNet goldens for tools/reference/resnet_goldens.py:
//   <dir>/<model>/{config.json,model.safetensors}  synthetic models (writeModelDirectory)
//   <dir>/<case>.f32                               features [B, T, n_mels], raw little-endian float32
//   <dir>/cases.json                               the case list (the one place it is defined)
// Uses the built packages (run `pnpm turbo run build --filter=@wsp/resnet-graph...` first).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESNET34_LM_CONFIG, generateSyntheticModel, tinyConfig, writeModelDirectory } from '../../packages/weights/dist/index.js';
import { syntheticFeatures } from '../../packages/resnet-graph/dist/testing.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node write_resnet_inputs.mjs <output dir>');
mkdirSync(dir, { recursive: true });

const MODELS = {
  tiny: { config: tinyConfig(), seed: 1 },
  full: { config: RESNET34_LM_CONFIG, seed: 1 },
};

// Batch 1 and 4; T = 9 (the minimum of the unbiased poolings), 200, 1000 and odd T; every pooling.
// The full-size model gets fewer cases: the portable backend runs each of them in the tests.
const cases = [];
for (const pooling of ['pyannote', 'wespeaker', 'mlx']) {
  for (const [batch, frames] of [[1, 9], [4, 9], [1, 37], [1, 200], [4, 200], [4, 201], [1, 1000], [4, 1001]]) {
    cases.push({ model: 'tiny', pooling, batch, frames });
  }
}
cases.push({ model: 'tiny', pooling: 'mlx', batch: 2, frames: 1 }, { model: 'tiny', pooling: 'mlx', batch: 1, frames: 5 });
cases.push(
  { model: 'full', pooling: 'pyannote', batch: 1, frames: 200 },
  { model: 'full', pooling: 'pyannote', batch: 4, frames: 9 },
  { model: 'full', pooling: 'pyannote', batch: 1, frames: 1000 },
  { model: 'full', pooling: 'wespeaker', batch: 1, frames: 201 },
  { model: 'full', pooling: 'mlx', batch: 4, frames: 51 },
);

const list = cases.map((c, i) => {
  const id = `${c.model}-${c.pooling}-b${c.batch}-t${c.frames}`;
  const featureSeed = 1000 + i;
  const features = syntheticFeatures(c.batch, c.frames, MODELS[c.model].config.n_mels, featureSeed);
  writeFileSync(join(dir, `${id}.f32`), new Uint8Array(features.data.buffer));
  return { id, ...c, featureSeed };
});

for (const [name, m] of Object.entries(MODELS)) {
  await writeModelDirectory(join(dir, name), generateSyntheticModel(m.config, { seed: m.seed }));
}
writeFileSync(
  join(dir, 'cases.json'),
  JSON.stringify({ models: Object.fromEntries(Object.entries(MODELS).map(([k, m]) => [k, { seed: m.seed, config: m.config }])), cases: list }, null, 1),
);
console.log(`wrote ${list.length} cases and ${Object.keys(MODELS).length} models to ${dir}`);
