// The CLI on the Ascend backend, run against the fake CANN of @wsp/backend-ascend (a CPU stand-in
// for the CANN libraries, packages/backend-ascend/test/fake-cann): 'auto' picks the highest
// priority backend that starts, doctor reports the device, and bench/accuracy print the Python
// port's published NPU figures beside ours. The figures here are the fake's, not an NPU's.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cosine, repoRoot } from '@wsp/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { goldens, jsonLines, tinyModelDir, wsp } from './helpers/wsp.js';

const FAKE_SOURCES = join(repoRoot, 'packages', 'backend-ascend', 'test', 'fake-cann');
// Our own build folder, so this never races the backend's own tests building theirs.
const OUT = join(repoRoot, 'apps', 'cli', 'node_modules', '.cache', 'fake-cann');
const TOOLKIT = join(OUT, 'toolkit');
const tools = spawnSync('make', ['--version']).status === 0 && spawnSync('g++', ['--version']).status === 0;
if (!tools) console.warn('fake CANN tests not run: make and g++ are needed to build it');

let model: string;
const env = { ASCEND_HOME_PATH: TOOLKIT, ASCEND_OPP_PATH: join(TOOLKIT, 'opp') };

beforeAll(async () => {
  if (!tools) return;
  const r = spawnSync('make', ['-C', FAKE_SOURCES, `OUT=${OUT}`, join(OUT, 'toolkit', '.stamp'), '-j2', '--no-print-directory'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the fake CANN failed:\n${r.stdout}\n${r.stderr}`);
  model = await tinyModelDir();
}, 300_000);

describe.runIf(tools)('on the Ascend backend (fake CANN)', () => {
  it("doctor reports CANN and the device; 'auto' then runs on ascend and matches PyTorch", async () => {
    const [report] = jsonLines((await wsp(['doctor', '--json'], { env })).stdout) as {
      backends: { name: string; available: boolean }[];
      cann: { ascend: { available: boolean; cannVersion: string; deviceCount: number } };
    }[];
    expect(report.backends[0]).toMatchObject({ name: 'ascend', available: true });
    expect(report.cann.ascend).toMatchObject({ available: true, cannVersion: '8.5.1.fake', deviceCount: 1 });

    const r = await wsp(['embed', goldens.recordings['a1-16000'].file, '--model', model, '--json', '--verbose'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/on backend 'ascend'/);
    const golden = goldens.cases.find((c) => c.id === 'tiny-a1-16000-pyannote')!;
    expect(cosine(jsonLines(r.stdout)[0].embedding as number[], golden.normalized)).toBeGreaterThanOrEqual(0.9999);
  });

  it('bench --backend ascend prints the Python port table beside ours without being asked', async () => {
    const r = await wsp(['bench', '--model', model, '--backend', 'ascend', '--configs', '1x20', '--warmup', '1', '--iterations', '2'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wsp bench: backend 'ascend'/);
    expect(r.stdout).toMatch(/Python port, Ascend NPU \(published figures from another machine, not measured here\)/);
    expect(r.stdout).toMatch(/^\| 1 \| 200 \| 3\.888 \| 0\.051 \| - \| 4\.011 \| 257\.23 \|$/m);
  });

  it('accuracy ascend vs cpu-portable: errors at float32 rounding, with the port column', async () => {
    const r = await wsp(['accuracy', '--model', model, '--backend', 'ascend', '--reference', 'cpu-portable', '--num-samples', '4', '--frames', '60'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| Metric \| ours: ascend vs cpu-portable \| Python port, Ascend NPU/);
    const [acc] = jsonLines(
      (await wsp(['accuracy', '--model', model, '--backend', 'ascend', '--reference', 'cpu-portable', '--num-samples', '4', '--frames', '60', '--json'], { env })).stdout,
    );
    expect(acc).toMatchObject({ backend: 'ascend', reference: 'cpu-portable', num_samples: 4 });
    expect(acc.max_relative_error as number).toBeLessThan(1e-5);
    expect(acc.min_cosine_similarity as number).toBeGreaterThan(0.99999);
  });
});
