import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createInferenceSession, listBackends, resolveBackend } from '@wsp/resnet-graph';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { syntheticFeatures } from '@wsp/resnet-graph/testing';
import { PORTABLE_BACKEND_NAME, PORTABLE_BACKEND_PRIORITY, PortableCpuBackend } from '../src/index.js';

describe('registration', () => {
  it("importing the package registers 'cpu-portable' (priority 10), always available", async () => {
    expect(PORTABLE_BACKEND_NAME).toBe('cpu-portable');
    const entry = (await listBackends()).find((b) => b.name === 'cpu-portable');
    expect(entry).toMatchObject({ name: 'cpu-portable', priority: PORTABLE_BACKEND_PRIORITY, available: true });
    expect(PORTABLE_BACKEND_PRIORITY).toBe(10);
  });

  it("'auto' and the explicit name both give a working portable backend", async () => {
    const auto = await resolveBackend('auto');
    expect(auto.name).toBe('cpu-portable');
    expect(auto.backend).toBeInstanceOf(PortableCpuBackend);
    const named = await resolveBackend('cpu-portable');
    const session = createInferenceSession(named.backend, generateSyntheticModel(tinyConfig()));
    const y = await session.run(syntheticFeatures(1, 30));
    expect(y.shape).toEqual([1, 16]);
    let norm = 0;
    for (const v of y.data) norm += v * v;
    expect(Math.sqrt(norm)).toBeCloseTo(1, 6);
    session.dispose();
    auto.backend.dispose();
    named.backend.dispose();
  });
});

describe('package layout', () => {
  const dist = (file: string) => readFileSync(fileURLToPath(new URL(`../dist/${file}`, import.meta.url)), 'utf8');

  it('the ./portable entry uses no Node built-ins (it is what browser bundles import)', () => {
    for (const file of ['portable.js', 'portable.cjs']) {
      const code = dist(file);
      expect(code).not.toMatch(/from ['"](node:|fs|path|os|worker_threads|child_process)/);
      expect(code).not.toMatch(/require\(['"](node:|fs|path|os|worker_threads|child_process)/);
      expect(code).toMatch(/registerBackend\)?\("cpu-portable"|registerBackend\)?\(PORTABLE_BACKEND_NAME/);
    }
  });

  it('sideEffects lists the registering files and the peer dependency is @wsp/resnet-graph', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'));
    expect(pkg.sideEffects).toEqual(expect.arrayContaining(['./dist/index.js', './dist/portable.js', './src/register-portable.ts']));
    expect(Object.keys(pkg.peerDependencies)).toEqual(['@wsp/resnet-graph']);
  });
});
