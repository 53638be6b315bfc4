// From registration to embeddings, the way @wsp/speaker uses a backend.
import { afterEach, describe, expect, it } from 'vitest';
import { createInferenceSession, resolveBackend, unregisterBackend } from '@wsp/resnet-graph';
import { refEmbed, syntheticFeatures } from '@wsp/resnet-graph/testing';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { NaiveCpuBackend, registerExampleBackend } from '../src/index.js';

afterEach(() => {
  unregisterBackend('example-naive');
});

describe('using the example backend', () => {
  it('registers under a name, resolves explicitly (not by auto), and embeds like the oracle', async () => {
    registerExampleBackend();
    const { backend, name } = await resolveBackend('example-naive');
    expect(name).toBe('example-naive');
    expect(backend).toBeInstanceOf(NaiveCpuBackend);
    const auto = await resolveBackend('auto').catch(() => undefined);
    expect(auto?.name).not.toBe('example-naive'); // priority −1 keeps it out of 'auto'
    auto?.backend.dispose();

    const model = generateSyntheticModel(tinyConfig(), { seed: 21 });
    const features = syntheticFeatures(2, 50, 80, 21);
    const session = createInferenceSession(backend, model, { pooling: 'wespeaker' });
    const y = await session.run(features);
    const expected = refEmbed(model, features, { pooling: 'wespeaker' }).embedding.data;
    for (let i = 0; i < expected.length; i++) expect(Math.abs(y.data[i] - expected[i])).toBeLessThan(1e-5);
    session.dispose();
    backend.dispose();
  });

  it('can be handed over as an object, no registry needed', async () => {
    const mine = new NaiveCpuBackend('mine');
    const { backend, name } = await resolveBackend(mine);
    expect(backend).toBe(mine);
    expect(name).toBe('mine');
  });
});
