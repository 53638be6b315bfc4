// Regenerates fixtures/backend-ascend/: writes the synthetic models (tiny and full ResNet34-LM,
// seed 1) with @wsp/weights, then runs tools/reference/backend_ascend_goldens.py on them with
// Debian's /usr/bin/python3 (python3-torch). Run from the repository after `pnpm build`:
//   node packages/backend-ascend/scripts/write-goldens.mjs
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESNET34_LM_CONFIG, generateSyntheticModel, tinyConfig, writeModelDirectory } from '@wsp/weights';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const out = join(repo, 'fixtures', 'backend-ascend');
const work = mkdtempSync(join(tmpdir(), 'wsp-ascend-goldens-'));

// name, config, batch, frames, input seed. Odd frame counts exercise the ceil(n/2) sizes.
const models = [
  ['tiny', tinyConfig(), 3, 37, 11],
  ['full', RESNET34_LM_CONFIG, 2, 150, 12],
];

try {
  const specs = [];
  for (const [name, config, batch, frames, seed] of models) {
    const dir = join(work, name);
    await writeModelDirectory(dir, generateSyntheticModel(config, { seed: 1 }));
    specs.push(`${name}=${dir}:${batch}:${frames}:${seed}`);
  }
  const script = join(repo, 'tools', 'reference', 'backend_ascend_goldens.py');
  const r = spawnSync('/usr/bin/python3', [script, out, ...specs], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status})`);
  console.log(`goldens written to ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
