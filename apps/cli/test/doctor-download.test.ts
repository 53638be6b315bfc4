// wsp doctor (what can run here) and wsp download (against a local imitation of the hub).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { refusedEndpoint, startModelHub } from '@wsp/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, tinyModelDir, work, wsp } from './helpers/wsp.js';

let model: string;
beforeAll(async () => {
  model = await tinyModelDir();
});

describe('wsp doctor', () => {
  it('lists the backends with availability and reasons, CPU features, CANN and the model cache', async () => {
    const r = await wsp(['doctor', '--json']);
    expect(r.code).toBe(0);
    const [report] = jsonLines(r.stdout) as {
      backends: { name: string; available: boolean; priority: number; reason?: string }[];
      cann: { env: Record<string, string>; folders: string[]; ascend: { available: boolean; reason?: string } };
      model: { cacheDir: string; present: boolean };
      machine: { cores: number; cpuFeatures: string[] };
    }[];
    const portable = report.backends.find((b) => b.name === 'cpu-portable');
    expect(portable).toMatchObject({ available: true, priority: 10 });
    for (const b of report.backends.filter((b) => !b.available)) expect(b.reason).toBeTruthy();
    expect(report.model).toEqual({ cacheDir: join(work, 'cache', 'models', 'aufklarer', 'WeSpeaker-ResNet34-LM-MLX'), present: false });
    // @wsp/backend-ascend is installed (an optional dependency) and says why it cannot run here.
    const ascend = report.backends.find((b) => b.name === 'ascend');
    expect(ascend).toBeDefined();
    // The backends list and the CANN section agree; an unusable ascend says why (every CI machine).
    expect(ascend?.available).toBe(report.cann.ascend.available);
    if (!report.cann.ascend.available) {
      expect(report.cann.ascend.reason).toMatch(/CANN|libascendcl/);
      expect(ascend?.reason).toMatch(/CANN|libascendcl/);
    }
    if (process.platform === 'linux' && process.arch === 'x64') expect(report.machine.cpuFeatures).toContain('sse4_2');
    const text = await wsp(['doctor']);
    expect(text.stdout).toMatch(/^ {2}yes cpu-portable +priority {2}10/m);
    expect(text.stdout).toMatch(/^model: not downloaded \(wsp download puts it in /m);
  });
});

describe('wsp download', () => {
  it('downloads into the cache; later commands find the model there without --model', async () => {
    const hub = await startModelHub(model);
    const cache = join(work, 'download-cache');
    try {
      const env = { WSP_CACHE_DIR: cache, HF_ENDPOINT: hub.endpoint };
      const r = await wsp(['download', '--progress'], { env });
      expect(r.code).toBe(0);
      const dir = join(cache, 'models', 'aufklarer', 'WeSpeaker-ResNet34-LM-MLX');
      expect(r.stdout).toContain(`downloaded ${join(dir, 'model.safetensors')}`);
      expect(r.stdout).toContain(`model folder: ${dir}`);
      expect(r.stderr).toMatch(/downloading \[#{24}\] \d+ KiB\/\d+ KiB model\.safetensors/);
      expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(readFileSync(join(model, 'model.safetensors')));
      const again = jsonLines((await wsp(['download', '--json'], { env })).stdout)[0] as { files: { cached: boolean }[] };
      expect(again.files.map((f) => f.cached)).toEqual([true, true]);
      const embed = await wsp(['embed', 'fixtures/audio/speech-a1.wav', '--json'], { env });
      expect(embed.code).toBe(0);
      expect((jsonLines(embed.stdout)[0].embedding as number[]).length).toBe(16);
      expect((await wsp(['doctor', '--json'], { env })).stdout).toContain('"present":true');
    } finally {
      await hub.close();
    }
  });

  it('offline: exit 3, one line with the URLs and the folder for a manual install', async () => {
    const r = await wsp(['download', '--endpoint', await refusedEndpoint(), '--retries', '0', '--dir', join(work, 'offline')]);
    expect(r.code).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^wsp download: .*looks offline\. To install the model by hand, download http:\/\/127\.0\.0\.1:\d+\/aufklarer\/WeSpeaker-ResNet34-LM-MLX\/resolve\/main\/config\.json and .*model\.safetensors and put the files in .*offline/);
  });
});
