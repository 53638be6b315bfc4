// What isAvailable() says, in fresh processes (library loading happens once per process): on this
// machine as it is (no CANN), and with each fake toolkit that lacks something.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@wsp/testkit';
import type { ToolkitVariant } from './helpers/fake-cann.js';
import { PACKAGE_DIR, fakeToolkit } from './helpers/fake-cann.js';
import { readGolden } from './helpers/goldens.js';

const PROBE = fileURLToPath(new URL('./children/probe.mjs', import.meta.url));

interface ProbeResult {
  availability: { available: boolean; code?: string; reason?: string; cannMessage?: string; deviceCount?: number };
  report: { libraries: string[]; cannVersion: string | null; devices: unknown[] };
  registry?: { name: string; priority: number; available: boolean; reason?: string };
  construct: 'ok' | { name: string; code: string; message: string };
  embeddings?: number[];
}

/** Runs the probe in a new Node process whose environment has no CANN settings except `env`. */
function probe(env: Record<string, string>, args: string[] = []): ProbeResult {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('ASCEND_') && !k.startsWith('FAKE_CANN')),
  ) as Record<string, string>;
  const r = spawnSync(process.execPath, [PROBE, ...args], { env: { ...base, ...env }, encoding: 'utf8', cwd: PACKAGE_DIR });
  if (r.status !== 0) throw new Error(`probe exited with ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as ProbeResult;
}

function toolkitEnv(variant: ToolkitVariant, extra: Record<string, string> = {}): Record<string, string> {
  const dir = fakeToolkit(variant);
  return { ASCEND_HOME_PATH: dir, ASCEND_OPP_PATH: join(dir, 'opp'), ...extra };
}

describe('availability on this machine (no CANN installed)', () => {
  it('says CANN is not installed and that set_env.sh must be sourced before starting Node', () => {
    for (const dir of ['/usr/local/Ascend/cann/lib64', '/usr/local/Ascend/ascend-toolkit/latest/lib64']) {
      expect(existsSync(join(dir, 'libascendcl.so')), `this test expects no CANN in ${dir}`).toBe(false);
    }
    const r = probe({});
    expect(r.availability).toMatchObject({ available: false, code: 'CANN_NOT_FOUND' });
    expect(r.availability.reason).toMatch(/libascendcl\.so was not found/);
    expect(r.availability.reason).toMatch(/source \/usr\/local\/Ascend\/ascend-toolkit\/set_env\.sh/);
    expect(r.availability.reason).toMatch(/before starting Node/);
    expect(r.construct).toMatchObject({ name: 'AscendUnavailableError', code: 'CANN_NOT_FOUND' });
    expect(r.report).toMatchObject({ libraries: [], cannVersion: null, devices: [] });
    // The registry entry (importing the package registers it) gives the same reason.
    expect(r.registry).toEqual({
      name: 'ascend',
      priority: 100,
      available: false,
      reason: r.availability.reason,
      description: expect.any(String),
    });
  });

  it('names the directory ASCEND_HOME_PATH points to when the library is not there', () => {
    const r = probe({ ASCEND_HOME_PATH: '/nonexistent/cann', ASCEND_OPP_PATH: '/nonexistent/cann/opp' });
    expect(r.availability.code).toBe('CANN_NOT_FOUND');
    expect(r.availability.reason).toMatch(/\/nonexistent\/cann\/lib64/);
  });

  it('the CommonJS build imports and answers too', () => {
    const cjs = join(PACKAGE_DIR, 'dist', 'index.cjs');
    const r = spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(cjs)}).isAvailable()))`], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ available: false, code: 'CANN_NOT_FOUND' });
  });
});

describe('availability with incomplete fake toolkits', () => {
  it('libascendcl.so present but not loadable (its driver dependency is missing)', () => {
    const r = probe(toolkitEnv('toolkit-broken'));
    expect(r.availability.code).toBe('CANN_LOAD_FAILED');
    expect(r.availability.reason).toMatch(/libascendcl\.so was found but could not be loaded: .*libascend_hal\.so/);
    expect(r.availability.reason).toMatch(/set_env\.sh/);
  });

  it('libnnopbase.so missing', () => {
    const r = probe(toolkitEnv('toolkit-no-nnopbase'));
    expect(r.availability.code).toBe('CANN_NOT_FOUND');
    expect(r.availability.reason).toMatch(/libnnopbase\.so .*was not found/);
  });

  it('an operator entry point missing: the symbol is named', () => {
    const r = probe(toolkitEnv('toolkit-no-sqrt'));
    expect(r.availability.code).toBe('CANN_SYMBOL_MISSING');
    expect(r.availability.reason).toMatch(/aclnnInplaceSqrt \(aclnnInplaceSqrtGetWorkspaceSize \+ aclnnInplaceSqrt\) was not found in .*libopapi\.so/);
  });

  it('ASCEND_OPP_PATH not set', () => {
    const r = probe({ ASCEND_HOME_PATH: fakeToolkit('toolkit') });
    expect(r.availability.code).toBe('ASCEND_OPP_PATH_UNSET');
    expect(r.availability.reason).toMatch(/ASCEND_OPP_PATH is not set/);
    expect(r.construct).toMatchObject({ code: 'ASCEND_OPP_PATH_UNSET' });
  });

  it('no device', () => {
    const r = probe(toolkitEnv('toolkit', { FAKE_CANN_FAULTS: 'devices=0' }));
    expect(r.availability.code).toBe('NO_DEVICE');
    expect(r.availability.reason).toMatch(/no Ascend device is visible/);
  });

  it('the driver fails to list devices: its message is passed on', () => {
    const r = probe(toolkitEnv('toolkit', { FAKE_CANN_FAULTS: 'device-count=507899' }));
    expect(r.availability.code).toBe('DRIVER_ERROR');
    expect(r.availability.cannMessage).toMatch(/device driver is not loaded/);
    expect(r.availability.reason).toMatch(/status 507899: .*device driver is not loaded/);
  });

  it('aclInit fails', () => {
    const r = probe(toolkitEnv('toolkit', { FAKE_CANN_FAULTS: 'init=100000' }));
    expect(r.availability.code).toBe('ACL_INIT_FAILED');
    expect(r.availability.reason).toMatch(/aclInit failed with status 100000/);
  });

  it('operators split over libopapi.so, libopapi_nn.so and libopapi_math.so are found symbol by symbol', () => {
    const r = probe(toolkitEnv('toolkit-split'), ['run', fixturePath('backend-ascend', 'tiny-input.npy')]);
    expect(r.availability).toMatchObject({ available: true, deviceCount: 1 });
    expect(r.report.libraries.map((p) => p.split('/').pop())).toEqual([
      'libascendcl.so',
      'libnnopbase.so',
      'libopapi.so',
      'libopapi_nn.so',
      'libopapi_math.so',
    ]);
    const golden = readGolden('tiny-pyannote-normalized');
    expect(r.embeddings).toHaveLength(golden.data.length);
    r.embeddings!.forEach((v, i) => expect(Math.abs(v - golden.data[i])).toBeLessThan(1e-4));
  });
});
