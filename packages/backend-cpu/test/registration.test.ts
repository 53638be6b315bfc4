import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createInferenceSession, listBackends, resolveBackend } from '@wsp/resnet-graph';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { syntheticFeatures } from '@wsp/resnet-graph/testing';
import {
  NATIVE_BACKEND_NAME,
  NATIVE_BACKEND_PRIORITY,
  NativeCpuBackend,
  PORTABLE_BACKEND_NAME,
  PORTABLE_BACKEND_PRIORITY,
  PortableCpuBackend,
  nativeAvailability,
} from '../src/index.js';

describe('registration', () => {
  it("importing the package registers 'cpu-portable' (priority 10), always available", async () => {
    expect(PORTABLE_BACKEND_NAME).toBe('cpu-portable');
    const entry = (await listBackends()).find((b) => b.name === 'cpu-portable');
    expect(entry).toMatchObject({ name: 'cpu-portable', priority: PORTABLE_BACKEND_PRIORITY, available: true });
    expect(PORTABLE_BACKEND_PRIORITY).toBe(10);
  });

  it("'auto' picks the native 'cpu' backend where the addon loads; 'cpu-portable' by name is the portable one", async () => {
    expect(nativeAvailability().available).toBe(true); // the prebuild ships for this platform
    const auto = await resolveBackend('auto');
    expect(auto.name).toBe('cpu');
    expect(auto.backend).toBeInstanceOf(NativeCpuBackend);
    const named = await resolveBackend('cpu-portable');
    expect(named.backend).toBeInstanceOf(PortableCpuBackend);
    const model = generateSyntheticModel(tinyConfig());
    const results = [];
    for (const backend of [auto.backend, named.backend]) {
      const session = createInferenceSession(backend, model);
      const y = await session.run(syntheticFeatures(1, 30));
      expect(y.shape).toEqual([1, 16]);
      let norm = 0;
      for (const v of y.data) norm += v * v;
      expect(Math.sqrt(norm)).toBeCloseTo(1, 6);
      results.push(y.data);
      session.dispose();
      backend.dispose();
    }
    for (let i = 0; i < 16; i++) expect(Math.abs(results[0][i] - results[1][i])).toBeLessThan(1e-4);
  });

  it("registers 'cpu' (priority 50) with its availability; create() reads threads, isa, precision, winograd", async () => {
    expect([NATIVE_BACKEND_NAME, NATIVE_BACKEND_PRIORITY]).toEqual(['cpu', 50]);
    const entry = (await listBackends()).find((b) => b.name === 'cpu');
    expect(entry).toMatchObject({ name: 'cpu', priority: 50, available: true });
    const { backend } = await resolveBackend('cpu', { threads: 1, isa: 'generic', winograd: 2 });
    expect(backend).toBeInstanceOf(NativeCpuBackend);
    expect([(backend as NativeCpuBackend).isa, (backend as NativeCpuBackend).threads]).toEqual(['generic', 1]);
    expect(backend.capabilities).toMatchObject({ asyncExecution: true, wholeGraph: true, precision: 'fp32' });
    backend.dispose();
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
    expect(pkg.sideEffects).toEqual(
      expect.arrayContaining(['./dist/index.js', './dist/portable.js', './src/register-portable.ts', './src/register-native.ts']),
    );
    expect(Object.keys(pkg.peerDependencies)).toEqual(['@wsp/resnet-graph']);
  });
});
