// loadSpeakerModel: weight sources, backend choices, lifetimes, bad model folders and corrupt
// weights, download integration, verify.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendUnavailableError, DisposedError, resolveBackend } from '@wsp/resnet-graph';
import { PortableCpuBackend } from '@wsp/backend-cpu';
import { WeightsError } from '@wsp/weights';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddingError, ModelDownloadError, SpeakerModelError, loadSpeakerModel } from '../src/index.js';
import { refusedEndpoint, startModelHub } from '@wsp/testkit';
import { rejectionOf } from './helpers/rejection.js';
import { goldens, recordingPath, speakerGoldenModel, speakerGoldenModelDir } from './helpers/speaker-goldens.js';

const root = mkdtempSync(join(tmpdir(), 'wsp-model-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const golden = goldens.cases.find((c) => c.id === 'tiny-b1-8000-pyannote')!;
const speech = recordingPath(golden.recording);
const worst = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('weight sources', () => {
  it('a model directory, the weights file alone (config inferred), its bytes and loaded tensors give the same embedding', async () => {
    const dir = await speakerGoldenModelDir('tiny');
    const file = join(dir, 'model.safetensors');
    const sources = [dir, file, new Uint8Array(readFileSync(file)), speakerGoldenModel('tiny')];
    for (const source of sources) {
      const model = await loadSpeakerModel(source);
      expect(model.embeddingDim).toBe(16);
      expect(worst(await model.embed(speech), golden.normalized)).toBeLessThan(1e-4);
      model.dispose();
    }
  });

  it('a folder without weights is MODEL_DIR_INVALID, a corrupt file names the problem', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'no weights here');
    const e1 = await rejectionOf(loadSpeakerModel(empty), WeightsError);
    expect(e1.code).toBe('MODEL_DIR_INVALID');
    expect(e1.message).toContain(empty);

    const bytes = readFileSync(join(await speakerGoldenModelDir('tiny'), 'model.safetensors'));
    const truncated = join(root, 'truncated.safetensors');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    const e2 = await rejectionOf(loadSpeakerModel(truncated), WeightsError);
    expect(e2.code).toMatch(/^SAFETENSORS_/);
    expect(e2.message).toContain('truncated.safetensors');

    const badConfig = join(root, 'bad-config');
    mkdirSync(badConfig);
    writeFileSync(join(badConfig, 'config.json'), '{ "layers": [3, 4, 6, 3], ');
    writeFileSync(join(badConfig, 'model.safetensors'), bytes);
    expect((await rejectionOf(loadSpeakerModel(badConfig), WeightsError)).code).toBe('CONFIG_INVALID');

    const wrongConfig = join(root, 'wrong-config');
    mkdirSync(wrongConfig);
    writeFileSync(join(wrongConfig, 'config.json'), JSON.stringify({ ...goldens.models.tiny.config, channels: [8, 16, 16, 32], pooling_output_dim: 640 }));
    writeFileSync(join(wrongConfig, 'model.safetensors'), bytes);
    const e3 = await rejectionOf(loadSpeakerModel(wrongConfig), WeightsError);
    expect(e3.code).toBe('WEIGHTS_MISMATCH');
    expect(e3.message).toMatch(/conv1\.weight/);
  });
});

describe('backends', () => {
  it("'auto' picks a registered backend and says which; a name, a list and a Backend object work too", async () => {
    const dir = await speakerGoldenModelDir('tiny');
    const auto = await loadSpeakerModel(dir);
    expect(typeof auto.backendName).toBe('string');
    const named = await loadSpeakerModel(dir, { backend: 'cpu-portable' });
    expect(named.backendName).toBe('cpu-portable');
    const listed = await loadSpeakerModel(dir, { backend: ['no-such-backend', 'cpu-portable'] });
    expect(listed.backendName).toBe('cpu-portable');
    const mine = new PortableCpuBackend({ name: 'mine', winograd: false });
    const given = await loadSpeakerModel(dir, { backend: mine });
    expect(given.backendName).toBe('mine');
    expect(given.backend).toBe(mine);
    const results = [await auto.embed(speech), await named.embed(speech), await listed.embed(speech), await given.embed(speech)];
    for (const r of results) expect(worst(r, golden.normalized)).toBeLessThan(1e-4);
    for (const m of [auto, named, listed, given]) m.dispose();
    // A backend object stays the caller's: usable after the model is gone.
    expect(mine.disposed).toBe(false);
    mine.dispose();
    expect(named.backend.disposed).toBe(true);
  });

  it('an explicit backend that cannot start is an error, not a fallback', async () => {
    const e = await rejectionOf(loadSpeakerModel(await speakerGoldenModelDir('tiny'), { backend: 'no-such-backend' }), BackendUnavailableError);
    expect(e.message).toMatch(/no-such-backend/);
    expect(e.message).toMatch(/cpu-portable/);
  });

  it('dispose frees the model and is idempotent; a disposed model refuses work; await using works', async () => {
    const model = await loadSpeakerModel(await speakerGoldenModelDir('tiny'));
    const backend = model.backend;
    model.dispose();
    model.dispose();
    expect(model.disposed).toBe(true);
    expect(backend.disposed).toBe(true);
    await expect(model.embed(speech)).rejects.toBeInstanceOf(DisposedError);
    const other = await loadSpeakerModel(await speakerGoldenModelDir('tiny'));
    await other[Symbol.asyncDispose]();
    expect(other.disposed).toBe(true);
    // The registry still hands out fresh backends afterwards.
    const again = await resolveBackend('cpu-portable');
    again.backend.dispose();
  });

  it('rejects unknown options with typed errors', async () => {
    const dir = await speakerGoldenModelDir('tiny');
    await expect(loadSpeakerModel(dir, { shortInput: 'truncate' as 'pad' })).rejects.toBeInstanceOf(SpeakerModelError);
    await expect(loadSpeakerModel(dir, { maxBatchSize: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});

describe('verify and similarity', () => {
  it('scores with the raw cosine and decides with the threshold, on audio or embeddings', async () => {
    const model = await loadSpeakerModel(await speakerGoldenModelDir('tiny'));
    const a = await model.embed(recordingPath('a1-16000'));
    const b = await model.embed(recordingPath('b1-16000'));
    const score = model.similarity(a, b);
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
    expect(score).toBeCloseTo(dot, 6);
    const onAudio = await model.verify(recordingPath('a1-16000'), recordingPath('b1-16000'), { threshold: score - 1e-6 });
    expect(onAudio.accepted).toBe(true);
    expect(onAudio.score).toBeCloseTo(score, 6);
    expect((await model.verify(a, Array.from(b), { threshold: score + 1e-6 })).accepted).toBe(false);
    expect((await model.verify(a, a, { threshold: 0.999 })).score).toBeCloseTo(1, 6);
    await expect(model.verify(a, b, {} as { threshold: number })).rejects.toMatchObject({ code: 'INVALID_THRESHOLD' });
    // A bare Float32Array is an embedding here: audio samples must come with their rate.
    const e = await rejectionOf(model.verify(a, new Float32Array(16000), { threshold: 0.5 }), EmbeddingError);
    expect(e.message).toMatch(/samples, sampleRate/);
    model.dispose();
  });
});

describe('no source: the published model through downloadModel', () => {
  it('downloads config.json + model.safetensors into the cache, then loads from there without network', async () => {
    const hub = await startModelHub(await speakerGoldenModelDir('tiny'));
    const cacheDir = join(root, 'download-cache');
    try {
      const progress: string[] = [];
      const model = await loadSpeakerModel(undefined, { download: { endpoint: hub.endpoint, cacheDir, onProgress: (p) => progress.push(p.file) } });
      expect(worst(await model.embed(speech), golden.normalized)).toBeLessThan(1e-4);
      expect(progress).toContain('model.safetensors');
      model.dispose();
      const requests = hub.requests.length;
      const cached = await loadSpeakerModel(undefined, { download: { endpoint: hub.endpoint, cacheDir } });
      expect(hub.requests.length).toBe(requests);
      cached.dispose();
    } finally {
      await hub.close();
    }
  });

  it('offline, the error says what to download and where to put it', async () => {
    const e = await rejectionOf(
      loadSpeakerModel(undefined, { download: { endpoint: await refusedEndpoint(), cacheDir: join(root, 'offline'), retries: 0 } }),
      ModelDownloadError,
    );
    expect(e.message).toMatch(/model\.safetensors/);
    expect(e.message).toContain(join(root, 'offline'));
  });
});
