// ensureDemoModel: the full-size network with generated weights, written once, atomically.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectWeights, tinyConfig } from '@wsp/weights';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_MODEL_NOTICE, ensureDemoModel, loadSpeakerModel } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'wsp-demo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ensureDemoModel', () => {
  it('writes the published architecture (74 tensors, 6,630,080 parameters) with the notice in its metadata', async () => {
    const dir = await ensureDemoModel({ dir: join(root, 'full') });
    const report = await inspectWeights(join(dir, 'model.safetensors'));
    expect(report.validation.ok).toBe(true);
    expect(report.tensors).toHaveLength(74);
    expect(report.parameterCount).toBe(6_630_080);
    expect(JSON.stringify(report)).toContain(DEMO_MODEL_NOTICE);
  });

  it('concurrent callers all get one complete folder and no temporary folders remain; later calls reuse it', async () => {
    const dir = join(root, 'tiny');
    const dirs = await Promise.all(Array.from({ length: 4 }, () => ensureDemoModel({ dir, config: tinyConfig(), seed: 3 })));
    expect(new Set(dirs)).toEqual(new Set([dir]));
    expect(readdirSync(root).filter((n) => n.startsWith('tiny'))).toEqual(['tiny']);
    const model = await loadSpeakerModel(dir);
    expect(model.embeddingDim).toBe(16);
    model.dispose();
    const before = readdirSync(dir);
    expect(await ensureDemoModel({ dir, config: tinyConfig(), seed: 3 })).toBe(dir);
    expect(readdirSync(dir)).toEqual(before);
  });
});
