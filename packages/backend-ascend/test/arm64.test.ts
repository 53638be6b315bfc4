// The addon's native core built for linux-arm64 (Debian's aarch64-linux-gnu-g++) and run under
// qemu-aarch64 against an arm64 build of the fake CANN: loader, session, operators, program, graph
// capture, leak check (test/native-harness/harness.cpp). No arm64 Node is available here, so the
// N-API layer itself is only cross-compiled and ELF-checked (scripts/prebuild.mjs).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAKE_CANN_DIR, PACKAGE_DIR } from './helpers/fake-cann.js';

const HARNESS_DIR = join(PACKAGE_DIR, 'test', 'native-harness');
const CROSS = 'aarch64-linux-gnu-g++';
const SYSROOT = '/usr/aarch64-linux-gnu';

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
  if (r.error) throw new Error(`${command} could not run (${r.error.message}); install g++-aarch64-linux-gnu and qemu-user`);
  return r;
}

function build(dir: string, cxx: string, extra: string[] = []) {
  const r = run('make', ['-C', dir, `CXX=${cxx}`, '-j2', '--no-print-directory', ...extra]);
  expect(r.status, r.stderr).toBe(0);
}

const HOST_ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';

function harness(arch: string, toolkit: string, mode: string) {
  const dir = join(FAKE_CANN_DIR, 'build', arch, toolkit);
  const env = { ASCEND_HOME_PATH: dir, ASCEND_OPP_PATH: join(dir, 'opp') };
  const bin = join(HARNESS_DIR, 'build', arch, 'harness');
  return arch === HOST_ARCH ? run(bin, [mode], env) : run('qemu-aarch64', ['-L', SYSROOT, bin, mode], env);
}

describe('native core on linux-arm64 under qemu', () => {
  it('the harness passes on the host first (so a failure below is about arm64)', () => {
    build(HARNESS_DIR, 'g++');
    const r = harness(HOST_ARCH, 'toolkit', 'full');
    expect(r.stdout).toMatch(/^8 passed, 0 failed$/m);
    expect(r.status).toBe(0);
  });

  it('cross-built harness and fake CANN run under qemu-aarch64', () => {
    build(FAKE_CANN_DIR, CROSS, ['OPT=-O1']);
    build(HARNESS_DIR, CROSS);
    const full = harness('aarch64', 'toolkit', 'full');
    expect(full.stdout, full.stderr).toMatch(/^8 passed, 0 failed$/m);
    expect(full.status).toBe(0);
    const missing = harness('aarch64', 'toolkit-no-sqrt', 'missing-sqrt');
    expect(missing.stdout).toMatch(/loader names the missing symbol: .*aclnnInplaceSqrt/);
    expect(missing.status).toBe(0);
  });
});
