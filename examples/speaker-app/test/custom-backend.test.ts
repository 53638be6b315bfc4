// A third-party backend object (examples/custom-backend's NaiveCpuBackend) handed to
// loadSpeakerModel: the model runs on it, its embeddings match PyTorch and the built-in backend, and
// the backend stays the caller's (the model does not dispose it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NaiveCpuBackend } from '@wsp/example-custom-backend';
import { loadSpeakerModel } from '@wsp/speaker';
import { cosine, maxAbsDiff, readGoldenJson, repoRoot } from '@wsp/testkit';
import { generateSyntheticModel, tinyConfig, writeModelDirectory } from '@wsp/weights';
import { afterAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(join(tmpdir(), 'wsp-custom-backend-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Goldens {
  models: { tiny: { seed: number } };
  recordings: Record<string, { file: string }>;
  cases: { id: string; recording: string; normalized: number[] }[];
}

describe('a custom backend passed to @wsp/speaker', () => {
  it('loadSpeakerModel(dir, { backend: myBackend }) embeds on it like PyTorch and the built-in backend', async () => {
    const goldens = readGoldenJson<Goldens>('speaker', 'embed', 'goldens.json');
    const dir = join(work, 'tiny');
    await writeModelDirectory(dir, generateSyntheticModel(tinyConfig(), { seed: goldens.models.tiny.seed }));
    const golden = goldens.cases.find((c) => c.id === 'tiny-b1-8000-pyannote')!;
    const audio = join(repoRoot, goldens.recordings[golden.recording].file);

    const myBackend = new NaiveCpuBackend('my-backend');
    const model = await loadSpeakerModel(dir, { backend: myBackend });
    expect(model.backendName).toBe('my-backend');
    expect(model.backend).toBe(myBackend);
    const mine = await model.embed(audio);
    expect(cosine(mine, golden.normalized)).toBeGreaterThanOrEqual(0.9999);
    expect(maxAbsDiff(mine, golden.normalized)).toBeLessThan(1e-4);

    const builtIn = await loadSpeakerModel(dir, { backend: 'cpu-portable' });
    expect(maxAbsDiff(mine, await builtIn.embed(audio))).toBeLessThan(1e-5);
    builtIn.dispose();

    model.dispose();
    expect(myBackend.disposed).toBe(false);
    expect(myBackend.memory().preparedWeights).toBe(0); // the model released what it prepared
    myBackend.dispose();
  });
});
