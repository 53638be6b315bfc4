import { readFileSync } from 'node:fs';
import { cosine, fixturePath } from '@wsp/testkit';
import { describe, expect, it } from 'vitest';
import { AudioError, decodeWav, loadAudio, resample } from '../src/index.js';
import { rejectionOf } from './helpers/rejection.js';

const path = (...p: string[]) => fixturePath('speaker', ...p);

function loadError(...args: Parameters<typeof loadAudio>): Promise<AudioError> {
  return rejectionOf(loadAudio(...args), AudioError);
}

describe('loadAudio', () => {
  it('decodes, mixes down and resamples to 16 kHz like decode + resample', async () => {
    const out = await loadAudio(path('source', 'speech-22050.wav'));
    const decoded = decodeWav(readFileSync(path('source', 'speech-22050.wav')));
    expect(out.sampleRate).toBe(16000);
    expect(out.originalSampleRate).toBe(22050);
    expect(out.upsampled).toBe(false);
    expect(out.warnings).toEqual([]);
    expect(out.format).toBe('wav');
    expect(Array.from(out.samples)).toEqual(Array.from(resample(decoded.samples, 22050, 16000)));
    expect(out.durationSec).toBeCloseTo(decoded.durationSec, 3);
  });

  it('agrees with an independent resampler (sox, which wrote speech-16000.wav)', async () => {
    const ours = await loadAudio(path('source', 'speech-48000.wav'));
    const sox = decodeWav(readFileSync(path('source', 'speech-16000.wav'))).samples;
    // torchaudio keeps ceil(16000 * 140500 / 48000) = 46834 samples, sox rounds to 46833.
    expect(ours.samples.length).toBe(sox.length + 1);
    expect(cosine(ours.samples.subarray(0, sox.length), sox)).toBeGreaterThan(0.999);
  });

  it('returns 16 kHz input unchanged', async () => {
    const out = await loadAudio(path('source', 'speech-16000.wav'));
    const decoded = decodeWav(readFileSync(path('source', 'speech-16000.wav')));
    expect(Array.from(out.samples)).toEqual(Array.from(decoded.samples));
  });

  it('warns when the input was upsampled from below the target rate', async () => {
    const out = await loadAudio(path('wav', 'mulaw-8k.wav'));
    expect(out.upsampled).toBe(true);
    expect(out.originalSampleRate).toBe(8000);
    expect(out.samples.length).toBe(2 * decodeWav(readFileSync(path('wav', 'mulaw-8k.wav'))).samples.length);
    expect(out.warnings).toEqual([
      'audio was recorded at 8000 Hz and upsampled to 16000 Hz; it has nothing above 4000 Hz, so embeddings may be less reliable than for 16000 Hz recordings',
    ]);
  });

  it('resamples to another target rate when asked', async () => {
    const out = await loadAudio(path('source', 'speech-16000.wav'), { targetRate: 8000 });
    expect(out.sampleRate).toBe(8000);
    expect(out.upsampled).toBe(false);
  });

  it('accepts samples in memory with their rate, mono or per channel', async () => {
    const left = Float32Array.from({ length: 4410 }, (_, i) => Math.sin(i / 10));
    const right = Float32Array.from(left, (v) => -v / 2);
    const mono = await loadAudio({ samples: left, sampleRate: 44100 });
    expect(mono.format).toBe('raw');
    expect(mono.samples.length).toBe(1600);
    expect(Array.from(mono.samples)).toEqual(Array.from(resample(left, 44100, 16000)));
    const stereo = await loadAudio({ samples: [left, right], sampleRate: 44100 });
    expect(stereo.channels).toBe(2);
    const mean = Float32Array.from(left, (v, i) => (v + right[i]) / 2);
    expect(Array.from(stereo.samples)).toEqual(Array.from(resample(mean, 44100, 16000)));
  });

  it('never guesses a sample rate', async () => {
    const samples = new Float32Array(100);
    expect((await loadError({ samples } as never)).code).toBe('INVALID_SAMPLE_RATE');
    expect((await loadError({ samples, sampleRate: 0 })).message).toMatch(/sampleRate must be given/);
    const bare = await loadError(samples as never);
    expect(bare.code).toBe('INVALID_SOURCE');
    expect(bare.message).toMatch(/loadAudio\(\{ samples, sampleRate \}\)/);
  });

  it('rejects NaN samples, mismatched channels and a bad target rate', async () => {
    const nan = Float32Array.from([0, 0.1, NaN]);
    expect((await loadError({ samples: nan, sampleRate: 16000 }, { file: 'mic' })).message).toBe('mic: sample at frame 2 is NaN or infinite');
    expect((await loadError({ samples: [new Float32Array(3), new Float32Array(2)], sampleRate: 16000 })).message).toMatch(/different lengths/);
    expect((await loadError({ samples: [], sampleRate: 16000 })).code).toBe('INVALID_SOURCE');
    expect((await loadError(path('source', 'speech-16000.wav'), { targetRate: 0 })).code).toBe('INVALID_SAMPLE_RATE');
  });

  it('passes decoder warnings on', async () => {
    const bytes = new Uint8Array(readFileSync(path('wav', 'pcm-s16.wav')));
    const out = await loadAudio(bytes.subarray(0, bytes.length - 1001), { file: 'cut.wav' });
    expect(out.warnings.length).toBe(2);
    expect(out.warnings[0]).toMatch(/data chunk claims 16000 bytes but the file holds 14999/);
  });
});
