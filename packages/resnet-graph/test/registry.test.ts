import { afterEach, describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  listBackends,
  registerBackend,
  resolveBackend,
  unregisterBackend,
} from '../src/index.js';
import type { BackendRegistration } from '../src/index.js';
import { ReferenceBackend } from '../src/testing/index.js';

const registered: string[] = [];
function register(name: string, registration: BackendRegistration) {
  registerBackend(name, registration);
  registered.push(name);
}

afterEach(() => {
  for (const name of registered.splice(0)) unregisterBackend(name);
});

const ok = (name: string, priority: number): BackendRegistration => ({
  priority,
  isAvailable: () => ({ available: true }),
  create: () => new ReferenceBackend(name),
});

describe('backend registry', () => {
  it("'auto' picks the highest-priority backend that starts and records the skipped ones", async () => {
    register('t-portable', ok('t-portable', 10));
    register('t-native', { priority: 50, isAvailable: () => ({ available: false, reason: 'addon failed to load: no prebuild for linux-riscv64' }), create: () => new ReferenceBackend() });
    register('t-npu', { priority: 100, isAvailable: async () => ({ available: true }), create: async () => Promise.reject(new Error('aclInit returned 100000')) });
    register('t-beta', ok('t-beta', -1));
    const resolved = await resolveBackend('auto');
    expect(resolved.name).toBe('t-portable');
    expect(resolved.backend.name).toBe('t-portable');
    expect(resolved.skipped).toEqual([
      { name: 't-npu', reason: 'failed to start: aclInit returned 100000' },
      { name: 't-native', reason: 'addon failed to load: no prebuild for linux-riscv64' },
    ]);
    resolved.backend.dispose();
  });

  it('an explicit name that cannot start is an error with the reason and the way out', async () => {
    register('t-portable', ok('t-portable', 10));
    register('t-native', { priority: 50, isAvailable: () => ({ available: false, reason: 'addon failed to load' }), create: () => new ReferenceBackend() });
    const error = await resolveBackend('t-native').catch((e: unknown) => e);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("backend 't-native' is unavailable: t-native: addon failed to load. Available instead: 't-portable' (or 'auto').");
    expect((error as BackendUnavailableError).reasons).toEqual([{ name: 't-native', reason: 'addon failed to load' }]);
    await expect(resolveBackend('t-missing')).rejects.toThrowError(/t-missing: not registered \(import the package/);
  });

  it('a list is tried in the given order; a Backend object is used as is', async () => {
    register('t-a', { priority: 1, isAvailable: () => { throw new Error('probe crashed'); }, create: () => new ReferenceBackend() });
    register('t-b', ok('t-b', 0));
    const resolved = await resolveBackend(['t-a', 't-b']);
    expect(resolved.name).toBe('t-b');
    expect(resolved.skipped).toEqual([{ name: 't-a', reason: 'isAvailable() threw: probe crashed' }]);
    const mine = new ReferenceBackend('mine');
    expect(await resolveBackend(mine)).toEqual({ backend: mine, name: 'mine', skipped: [] });
    await expect(resolveBackend({ name: 'fake', capabilities: { specVersion: 'wsp-backend/2' } } as never)).rejects.toThrowError(
      /not usable: capabilities.specVersion is "wsp-backend\/2"/,
    );
    await expect(resolveBackend([])).rejects.toThrowError(/empty/);
  });

  it('rejects a create() that returns something that is not a backend', async () => {
    register('t-broken', { priority: 5, isAvailable: () => ({ available: true }), create: () => ({ name: 'x' }) as never });
    await expect(resolveBackend('t-broken')).rejects.toThrowError(/t-broken: create\(\) returned an unusable backend/);
  });

  it('listBackends reports availability and reasons by priority', async () => {
    register('t-low', { ...ok('t-low', 1), description: 'low' });
    register('t-high', { priority: 9, isAvailable: () => ({ available: false, reason: 'no device' }), create: () => new ReferenceBackend() });
    const list = (await listBackends()).filter((b) => b.name.startsWith('t-'));
    expect(list).toEqual([
      { name: 't-high', priority: 9, available: false, reason: 'no device' },
      { name: 't-low', priority: 1, available: true, description: 'low' },
    ]);
  });

  it("lives on globalThis[Symbol.for('@wsp/backend-registry')] so package copies share it", async () => {
    register('t-shared', ok('t-shared', 3));
    const store = (globalThis as Record<symbol, { entries: Map<string, unknown> }>)[Symbol.for('@wsp/backend-registry')];
    expect(store.entries.has('t-shared')).toBe(true);
    // A second copy of this package would find the same store: simulate one registering.
    store.entries.set('t-copy', { ...ok('t-copy', 4), order: 1e9 });
    registered.push('t-copy');
    expect((await listBackends()).map((b) => b.name)).toContain('t-copy');
  });

  it('refuses malformed registrations and the reserved name auto', () => {
    expect(() => registerBackend('auto', ok('auto', 1))).toThrowError(/other than 'auto'/);
    expect(() => registerBackend('t-x', { priority: NaN } as never)).toThrowError(/needs \{ priority/);
  });

  it("'auto' with nothing that starts says so", async () => {
    const error = await resolveBackend('auto').catch((e: unknown) => e);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
  });
});
