// wsp embed / fbank / compare against the torchaudio + PyTorch goldens, and their output shapes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cosine, maxAbsDiff } from '@wsp/testkit';
import { decodeNpy, encodeNpy } from '@wsp/weights';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, goldens, jsonLines, tinyModelDir, work, wsp } from './helpers/wsp.js';

let model: string;
beforeAll(async () => {
  model = await tinyModelDir();
});

const golden = (id: string) => goldens.cases.find((c) => c.id === id)!;
const recording = (key: string) => goldens.recordings[key].file;

describe('wsp embed', () => {
  it('--json: one line per input, exactly {input, index, frames, embedding}, equal to the PyTorch pipeline', async () => {
    const keys = ['a1-16000', 'b1-8000', 'a2-44100', 'flac-22050'];
    const r = await wsp(['embed', ...keys.map(recording), '--model', model, '--json']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(keys.length);
    lines.forEach((line, i) => {
      const g = golden(`tiny-${keys[i]}-pyannote`);
      expect(Object.keys(line)).toEqual(['input', 'index', 'frames', 'embedding']);
      expect(line.input).toBe(recording(keys[i]));
      expect(line.index).toBe(0);
      expect(line.frames).toBe(g.frames);
      const e = line.embedding as number[];
      expect(e).toHaveLength(16);
      expect(cosine(e, g.normalized)).toBeGreaterThanOrEqual(0.9999);
      expect(maxAbsDiff(e, g.normalized)).toBeLessThan(1e-4);
    });
    // The 8 kHz file was upsampled: a warning on stderr, stdout stays pure JSON.
    expect(r.stderr).toMatch(/warning: .*speech-b1-8000\.wav: audio was recorded at 8000 Hz and upsampled/);
  });

  it('--raw and --pooling select the raw vector and the pooling variant', async () => {
    const raw = jsonLines((await wsp(['embed', recording('a1-16000'), '--model', model, '--raw', '--json'])).stdout)[0].embedding as number[];
    const g = golden('tiny-a1-16000-pyannote');
    expect(maxAbsDiff(raw, g.embedding) / Math.max(...g.embedding.map(Math.abs))).toBeLessThan(1e-4);
    for (const pooling of ['wespeaker', 'mlx']) {
      const e = jsonLines((await wsp(['embed', recording('a1-16000'), '--model', model, '--pooling', pooling, '--json'])).stdout)[0].embedding as number[];
      expect(cosine(e, golden(`tiny-a1-16000-${pooling}`).normalized)).toBeGreaterThanOrEqual(0.9999);
    }
  });

  it('without --json: one readable line per input', async () => {
    const r = await wsp(['embed', recording('a1-16000'), '--model', model]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fixtures\/audio\/speech-a1\.wav: 16-d embedding from 447 frames: -?\d\.\d{4} /);
  });

  it('--progress draws progress on stderr without touching stdout', async () => {
    const r = await wsp(['embed', recording('a1-16000'), recording('b1-16000'), '--model', model, '--json', '--progress']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toHaveLength(2);
    expect(r.stderr).toMatch(/embedding \[#+-*\] 2\/2 features/);
    expect(r.stderr).toMatch(/embedding \[#{24}\] 2\/2 embeddings/);
    // Without a terminal and without --progress: silent.
    expect((await wsp(['embed', recording('a1-16000'), '--model', model, '--json'])).stderr).toBe('');
  });
});

describe('wsp fbank and wsp embed --fbank', () => {
  it('fbank writes float32 [T, 80] with CMN; embed --fbank of it equals embed of the audio', async () => {
    const out = join(work, 'a1.npy');
    const r = await wsp(['fbank', recording('a1-16000'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*a1\.npy: float32 \[447, 80\], CMN applied/);
    const npy = decodeNpy(readFileSync(out));
    expect(npy.dtype).toBe('<f4');
    expect(npy.shape).toEqual([447, 80]);
    const column0 = Array.from({ length: 447 }, (_, t) => (npy.data as Float32Array)[t * 80]);
    expect(Math.abs(column0.reduce((a, b) => a + b, 0) / 447)).toBeLessThan(1e-4);
    const viaFeatures = jsonLines((await wsp(['embed', out, '--fbank', '--model', model, '--json'])).stdout);
    expect(viaFeatures).toHaveLength(1);
    expect(viaFeatures[0].frames).toBe(447);
    expect(maxAbsDiff(viaFeatures[0].embedding as number[], golden('tiny-a1-16000-pyannote').normalized)).toBeLessThan(1e-4);
  });

  it('--no-cmn keeps the log-mel energies; [B, T, 80] gives one line per item with its index', async () => {
    const raw = join(work, 'raw.npy');
    expect((await wsp(['fbank', recording('b1-8000'), '--out', raw, '--no-cmn'])).code).toBe(0);
    const f = decodeNpy(readFileSync(raw));
    const data = f.data as Float32Array;
    expect(data.reduce((a, b) => a + b, 0) / data.length).toBeGreaterThan(1);

    const cmn = join(work, 'b1.npy');
    await wsp(['fbank', recording('b1-8000'), '--out', cmn]);
    const one = decodeNpy(readFileSync(cmn)).data as Float32Array;
    const batch = new Float32Array(one.length * 2);
    batch.set(one);
    batch.set(one.map((v) => -v), one.length);
    const stacked = join(work, 'batch.npy');
    writeFileSync(stacked, encodeNpy(batch, [2, 198, 80]));
    const lines = jsonLines((await wsp(['embed', stacked, '--fbank', '--model', model, '--json'])).stdout);
    expect(lines.map((l) => [l.input, l.index, l.frames])).toEqual([
      [stacked, 0, 198],
      [stacked, 1, 198],
    ]);
    expect(maxAbsDiff(lines[0].embedding as number[], golden('tiny-b1-8000-pyannote').normalized)).toBeLessThan(1e-4);
  });
});

describe('wsp compare', () => {
  it('--json: the cosine of the two embeddings, the WeSpeaker score and the verdict for the threshold', async () => {
    const [a, b] = [recording('a1-16000'), recording('b1-16000')];
    const expected = cosine(golden('tiny-a1-16000-pyannote').normalized, golden('tiny-b1-16000-pyannote').normalized);
    const r = await wsp(['compare', a, b, '--model', model, '--json', '--threshold', String(expected - 0.001)]);
    expect(r.code).toBe(0);
    const [result] = jsonLines(r.stdout);
    expect(Object.keys(result).sort()).toEqual(['a', 'accepted', 'b', 'backend', 'demo', 'framesA', 'framesB', 'model', 'score', 'threshold', 'wespeakerScore']);
    expect(result.score as number).toBeCloseTo(expected, 4);
    expect(result.wespeakerScore as number).toBeCloseTo((expected + 1) / 2, 4);
    expect(result.accepted).toBe(true);
    expect([result.framesA, result.framesB]).toEqual([447, 409]);
    const higher = jsonLines((await wsp(['compare', a, b, '--model', model, '--json', '--threshold', String(expected + 0.001)])).stdout)[0];
    expect(higher.accepted).toBe(false);
    const none = jsonLines((await wsp(['compare', a, b, '--model', model, '--json'])).stdout)[0];
    expect([none.threshold, none.accepted]).toEqual([null, null]);
  });

  it('text: score and verdict lines; --demo says on stderr and stdout that the score means nothing', async () => {
    const r = await wsp(['compare', recording('a1-16000'), recording('b1-16000'), '--model', model, '--threshold', '0.5']);
    expect(r.stdout).toMatch(/^score: -?\d\.\d{4} \(cosine; WeSpeaker's \(cos\+1\)\/2 = \d\.\d{4}\)$/m);
    expect(r.stdout).toMatch(/^verdict: (same speaker|different speakers) \(threshold 0\.5\)$/m);
    const demo = await wsp(['compare', fixture('speaker', 'embed', 'speech-b1-8000.wav'), fixture('speaker', 'embed', 'speech-a2-44100.wav'), '--demo']);
    expect(demo.code).toBe(0);
    expect(demo.stderr).toMatch(/DEMO MODEL: generated weights/);
    expect(demo.stdout).toMatch(/demo model with generated weights: this score says nothing about the speakers/);
  });
});
