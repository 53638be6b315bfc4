// Importing the package registers 'ascend' with priority 100; the registry reports why it is
// unavailable and 'auto' finds it when it is available (here: the fake CANN).
import { describe, expect, it } from 'vitest';
import { createInferenceSession, listBackends, resolveBackend } from '@wsp/resnet-graph';
import { syntheticFeatures } from '@wsp/resnet-graph/testing';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { ASCEND_BACKEND_NAME, ASCEND_BACKEND_PRIORITY, AscendBackend } from '../src/index.js';
import { useFakeCann } from './helpers/fake-cann.js';
import { expectNothingLeft } from './helpers/suite.js';

useFakeCann();

describe('registration', () => {
  it("registers 'ascend' at priority 100, available on the fake CANN", async () => {
    expect([ASCEND_BACKEND_NAME, ASCEND_BACKEND_PRIORITY]).toEqual(['ascend', 100]);
    const entry = (await listBackends()).find((b) => b.name === 'ascend');
    expect(entry).toMatchObject({ name: 'ascend', priority: 100, available: true });
  });

  it("'auto' picks it, options reach it, and a session runs on it", async () => {
    const resolved = await resolveBackend('auto', { precision: 'hf32', graphCapture: true });
    expect(resolved.name).toBe('ascend');
    expect(resolved.backend).toBeInstanceOf(AscendBackend);
    expect(resolved.backend.capabilities.precision).toBe('hf32');
    const session = createInferenceSession(resolved.backend, generateSyntheticModel(tinyConfig()));
    const y = await session.run(syntheticFeatures(2, 30));
    expect(y.shape).toEqual([2, 16]);
    session.dispose();
    resolved.backend.dispose();
    expectNothingLeft();
  });
});
