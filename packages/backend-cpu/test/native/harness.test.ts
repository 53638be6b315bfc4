// The C++ test harness (native/test/harness.cc: every kernel set vs a C++ float64 reference):
// built for this host with g++, and for linux-arm64 with the cross compiler, run under qemu-user.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/native/load.js';

const root = packageRoot();
const repo = join(root, '..', '..');

function summary(stdout: string) {
  const m = /^(\d+) passed, (\d+) failed$/m.exec(stdout);
  if (!m) throw new Error(`no summary line in:\n${stdout}`);
  return { passed: Number(m[1]), failed: Number(m[2]) };
}

describe('native C++ harness', () => {
  it('x64: every kernel set this CPU runs matches the float64 reference', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'wsp-harness-')), 'harness');
    const src = join(root, 'native', 'src');
    const isa = process.arch === 'x64'
      ? [
          ['kernels_avx512.cc', '-mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma'],
          ['kernels_avx512bf16.cc', '-mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512bf16 -mfma'],
          ['kernels_avx2.cc', '-mavx2 -mfma'],
        ]
      : [];
    const objects: string[] = [];
    for (const [file, flags] of isa) {
      const obj = `${out}-${file}.o`;
      const r = spawnSync('g++', ['-O2', '-std=c++17', ...flags.split(' '), '-c', join(src, file), '-o', obj], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      objects.push(obj);
    }
    const sources = ['network.cc', 'dispatch.cc', 'thread_pool.cc', 'kernels_generic.cc'].map((f) => join(src, f));
    const build = spawnSync('g++', ['-O2', '-std=c++17', '-pthread', join(root, 'native', 'test', 'harness.cc'), ...sources, ...objects, '-o', out], { encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const run = spawnSync(out, { encoding: 'utf8' });
    const s = summary(run.stdout);
    expect(s.failed, run.stdout).toBe(0);
    expect(s.passed).toBeGreaterThanOrEqual(14 * 3);
    expect(run.status).toBe(0);
  });

  it('arm64: NEON and generic kernels under qemu-aarch64', () => {
    const r = spawnSync('bash', [join(repo, 'tools', 'cross', 'run-arm64-tests.sh')], { encoding: 'utf8', timeout: 300_000 });
    const s = summary(r.stdout + r.stderr);
    expect(r.stdout).toMatch(/kernel tables on this CPU: neon generic/);
    expect(s.failed, r.stdout).toBe(0);
    expect(s.passed).toBeGreaterThanOrEqual(14 * 2);
    expect(r.status).toBe(0);
  }, 300_000);
});
