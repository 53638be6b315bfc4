// End to end against PyTorch/torchaudio (tools/reference/speaker_goldens.py): an audio file
// (16 kHz, 8 kHz, 44.1 kHz WAV, 22.05 kHz FLAC) -> decode -> resample -> fbank + CMN -> network,
// compared with torchaudio.load -> torchaudio resample -> torchaudio kaldi fbank + CMN -> PyTorch.
import { readFileSync } from 'node:fs';
import { cosine, maxAbsDiff } from '@wsp/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { listBackends } from '@wsp/resnet-graph';
import { loadSpeakerModel } from '../src/index.js';
import type { SpeakerModel } from '../src/index.js';
import { goldens, recordingPath, speakerGoldenModelDir } from './helpers/speaker-goldens.js';

const open: SpeakerModel[] = [];
afterAll(() => open.forEach((m) => m.dispose()));

async function model(name: 'tiny' | 'full', pooling: 'pyannote' | 'wespeaker' | 'mlx', normalize = true) {
  const m = await loadSpeakerModel(await speakerGoldenModelDir(name), { pooling, normalize });
  open.push(m);
  return m;
}

describe('audio file -> embedding, against torchaudio + PyTorch', () => {
  for (const c of goldens.cases.filter((c) => c.model === 'tiny')) {
    it(`${c.id} (${goldens.recordings[c.recording].sampleRate} Hz)`, async () => {
      const m = await model('tiny', c.pooling);
      const [result] = await m.embedBatchDetailed([recordingPath(c.recording)]);
      expect(result.frames).toBe(c.frames);
      expect(result.audio.originalSampleRate).toBe(goldens.recordings[c.recording].sampleRate);
      expect(cosine(result.embedding, c.normalized)).toBeGreaterThanOrEqual(0.9999);
      expect(maxAbsDiff(result.embedding, c.normalized)).toBeLessThan(1e-4);
    });
  }

  it('raw (normalize: false) embeddings equal the linear layer output of PyTorch', async () => {
    const m = await model('tiny', 'pyannote', false);
    for (const c of goldens.cases.filter((c) => c.model === 'tiny' && c.pooling === 'pyannote')) {
      const e = await m.embed(recordingPath(c.recording));
      const scale = Math.max(...c.embedding.map(Math.abs));
      expect(maxAbsDiff(e, c.embedding) / scale).toBeLessThan(1e-4);
      expect(cosine(e, c.embedding)).toBeGreaterThanOrEqual(0.9999);
    }
  });

  it('takes the file as a path, as bytes and as decoded samples alike', async () => {
    const m = await model('tiny', 'pyannote');
    const c = goldens.cases.find((c) => c.id === 'tiny-b1-8000-pyannote')!;
    const bytes = readFileSync(recordingPath(c.recording));
    const fromBytes = await m.embed(new Uint8Array(bytes));
    const fromArrayBuffer = await m.embed(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(cosine(fromBytes, c.normalized)).toBeGreaterThanOrEqual(0.9999);
    expect(Array.from(fromArrayBuffer)).toEqual(Array.from(fromBytes));
  });

  it('every backend available here gives the same embeddings (auto picks one of them)', async () => {
    const available = (await listBackends()).filter((b) => b.available).map((b) => b.name);
    expect(available).toContain('cpu-portable');
    const cases = goldens.cases.filter((c) => c.model === 'tiny' && c.pooling === 'pyannote' && ['a1-16000', 'b1-8000'].includes(c.recording));
    for (const backend of available) {
      const m = await loadSpeakerModel(await speakerGoldenModelDir('tiny'), { backend });
      open.push(m);
      expect(m.backendName).toBe(backend);
      for (const c of cases) {
        const e = await m.embed(recordingPath(c.recording));
        expect(cosine(e, c.normalized), `${backend} ${c.id}`).toBeGreaterThanOrEqual(0.9999);
        expect(maxAbsDiff(e, c.normalized), `${backend} ${c.id}`).toBeLessThan(1e-4);
      }
    }
  });

  describe('full-size ResNet34-LM (generated weights)', () => {
    for (const c of goldens.cases.filter((c) => c.model === 'full')) {
      it(`${c.id} (${goldens.recordings[c.recording].sampleRate} Hz, ${c.frames} frames)`, async () => {
        const m = await model('full', c.pooling);
        const e = await m.embed(recordingPath(c.recording));
        expect(e.length).toBe(256);
        expect(cosine(e, c.normalized)).toBeGreaterThanOrEqual(0.9999);
        expect(maxAbsDiff(e, c.normalized)).toBeLessThan(1e-4);
      });
    }
  });
});
