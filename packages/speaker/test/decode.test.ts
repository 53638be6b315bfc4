import { readFileSync } from 'node:fs';
import { cosine, fixturePath, maxAbsDiff, readGoldenJson, readGoldenNpy } from '@wsp/testkit';
import { seededRandom } from '@wsp/weights';
import { describe, expect, it } from 'vitest';
import { AudioDecodeError, decodeAudio, decodeWav } from '../src/index.js';
import { rejectionOf } from './helpers/rejection.js';
import { ascii } from './helpers/wav-builder.js';

const codecFile = (name: string) => fixturePath('speaker', 'codecs', name);
const source = (rate: number) => decodeWav(readFileSync(fixturePath('speaker', 'source', `speech-${rate}.wav`))).samples;
const info = readGoldenJson<Record<string, { sampleRate: number; frames: number; channels: number }>>('speaker', 'golden', 'audio-info.json');

/** Best cosine between `a` and `b` shifted by up to ±maxLag samples (lossy codecs may delay). */
function bestAlignedCosine(a: Float32Array, b: Float32Array, maxLag: number): { lag: number; cos: number } {
  let best = { lag: 0, cos: -Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const from = Math.max(0, lag);
    const to = Math.min(a.length, b.length + lag);
    const c = cosine(a.subarray(from, to), b.subarray(from - lag, to - lag));
    if (c > best.cos) best = { lag, cos: c };
  }
  return best;
}

function decodeError(source: Parameters<typeof decodeAudio>[0], options: Parameters<typeof decodeAudio>[1] = {}): Promise<AudioDecodeError> {
  return rejectionOf(decodeAudio(source, options), AudioDecodeError);
}

describe('decodeAudio: FLAC (lossless, libFLAC via WebAssembly)', () => {
  it('gives exactly the samples of the WAV it was encoded from', async () => {
    const out = await decodeAudio(codecFile('speech-22050.flac'));
    const wav = source(22050);
    expect(out.format).toBe('flac');
    expect(out.sampleRate).toBe(22050);
    expect(out.channels).toBe(1);
    expect(out.bitsPerSample).toBe(16);
    expect(out.samples.length).toBe(info['codecs/speech-22050.flac'].frames);
    expect(maxAbsDiff(out.samples, wav)).toBe(0);
    expect(out.warnings).toEqual([]);
  });

  it('mixes a stereo file down like torchaudio.load(...).mean(0)', async () => {
    const out = await decodeAudio(codecFile('stereo-22050.flac'));
    const golden = readGoldenNpy('speaker', 'golden', 'codecs-stereo-22050.npy').data as Float32Array;
    expect(out.channels).toBe(2);
    expect(out.samples.length).toBe(golden.length);
    expect(maxAbsDiff(out.samples, golden)).toBeLessThanOrEqual(1e-7);
  });

  it('decodes 24-bit FLAC like torchaudio (integer / 2^23)', async () => {
    const out = await decodeAudio(codecFile('excerpt-s24-16000.flac'));
    const golden = readGoldenNpy('speaker', 'golden', 'codecs-excerpt-s24-16000.npy').data as Float32Array;
    expect([out.sampleRate, out.bitsPerSample, out.samples.length]).toEqual([16000, 24, golden.length]);
    expect(maxAbsDiff(out.samples, golden)).toBe(0);
  });

  it('warns when frames are missing against the STREAMINFO sample count', async () => {
    const bytes = readFileSync(codecFile('speech-22050.flac'));
    const out = await decodeAudio(bytes.subarray(0, Math.floor(bytes.length * 0.6)), { file: 'cut.flac' });
    expect(out.samples.length).toBeLessThan(64542);
    expect(out.samples.length).toBeGreaterThan(0);
    expect(out.warnings.join('\n')).toMatch(/states 64542 samples per channel but \d+ were decoded/);
  });
});

describe('decodeAudio: lossy formats against the speech they were encoded from', () => {
  it.each([
    ['speech-22050.mp3', 'mp3', 22050, 0, 0.999],
    ['speech-22050.ogg', 'ogg-vorbis', 22050, 0, 0.995],
    // libopus's own delay compensation leaves the waveform 2 samples (42 us) early.
    ['speech-48000.opus', 'ogg-opus', 48000, 2, 0.98],
    // Seen here: mp3 lag 0 cosine 0.99967, vorbis 0 / 0.99693, opus -2 / 0.98351.
  ] as const)('%s: %s at %d Hz, same length, aligned within %d samples, cosine >= %s', async (name, format, rate, maxLag, minCos) => {
    const out = await decodeAudio(codecFile(name));
    const reference = source(rate);
    expect(out.format).toBe(format);
    expect(out.sampleRate).toBe(rate);
    expect(out.channels).toBe(1);
    expect(out.bitsPerSample).toBeUndefined();
    // Gapless decoding (LAME tag, Opus pre-skip and granule position, Vorbis granule position).
    expect(out.samples.length).toBe(reference.length);
    expect(out.durationSec).toBeCloseTo(reference.length / rate, 9);
    const { lag, cos } = bestAlignedCosine(out.samples, reference, 64);
    expect(Math.abs(lag)).toBeLessThanOrEqual(maxLag);
    expect(cos).toBeGreaterThanOrEqual(minCos);
    expect(out.warnings).toEqual([]);
  });
});

describe('decodeAudio: inputs and errors', () => {
  it('decodes a path, a Buffer, a Uint8Array and an ArrayBuffer alike', async () => {
    const path = fixturePath('speaker', 'wav', 'pcm-s16.wav');
    const buffer = readFileSync(path);
    const fromPath = await decodeAudio(path);
    const copy = new Uint8Array(buffer);
    for (const input of [buffer, copy, copy.buffer]) {
      expect(Array.from((await decodeAudio(input)).samples)).toEqual(Array.from(fromPath.samples));
    }
  });

  it('recognises the format from the bytes, not the file name', async () => {
    const out = await decodeAudio(readFileSync(codecFile('speech-22050.flac')), { file: 'misnamed.wav' });
    expect(out.format).toBe('flac');
  });

  it('names a missing file and a directory', async () => {
    const missing = await decodeError('/nonexistent/clip.wav');
    expect(missing.code).toBe('FILE_READ_FAILED');
    expect(missing.message).toBe('/nonexistent/clip.wav: cannot read audio file: no such file');
    const dir = await decodeError(fixturePath('speaker'));
    expect(dir.code).toBe('FILE_READ_FAILED');
    expect(dir.message).toMatch(/is a directory/);
  });

  it('rejects an empty file', async () => {
    expect((await decodeError(new Uint8Array(0), { file: 'empty.mp3' })).message).toBe('empty.mp3: file is empty');
  });

  it.each([
    ['AIFF', ascii('FORM\x00\x00\x00\x10AIFFCOMM'), /looks like AIFF/],
    ['M4A', ascii('\x00\x00\x00\x20ftypM4A \x00\x00'), /looks like MP4\/M4A/],
    ['AAC ADTS', Uint8Array.from([0xff, 0xf1, 0x50, 0x80, 0, 0]), /looks like AAC \(ADTS\)/],
    ['Ogg Speex', ascii('OggS\x00\x02' + '\x00'.repeat(20) + '\x01\x50Speex   '), /looks like Ogg Speex/],
    ['text', ascii('hello, this is not audio'), /unrecognised content \(first bytes: 68 65 6c 6c 6f 2c 20 74\)/],
  ])('rejects %s listing what is supported', async (_name, bytes, message) => {
    const err = await decodeError(bytes, { file: 'x.bin' });
    expect(err.code).toBe('UNSUPPORTED_FORMAT');
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/supported: WAV \(PCM, float, mu-law, A-law, extensible\), FLAC, MP3, Ogg Opus, Ogg Vorbis$/);
  });

  it('rejects a non-audio argument', async () => {
    const err = await decodeError(42 as unknown as string);
    expect(err.code).toBe('INVALID_SOURCE');
  });

  it('says which package to install when a codec package is missing', async () => {
    const importModule = () => Promise.reject(Object.assign(new Error("Cannot find package 'mpg123-decoder'"), { code: 'ERR_MODULE_NOT_FOUND' }));
    const err = await decodeError(readFileSync(codecFile('speech-22050.mp3')), { file: 'a.mp3', importModule });
    expect(err.code).toBe('DECODER_MISSING');
    expect(err.message).toMatch(/^a\.mp3: decoding mp3 needs the optional package mpg123-decoder.*npm install mpg123-decoder/);
  });

  it('fails with DECODE_FAILED when a codec finds no audio', async () => {
    const flacHeaderOnly = readFileSync(codecFile('speech-22050.flac')).subarray(0, 100);
    const flac = await decodeError(flacHeaderOnly, { file: 'h.flac' });
    expect(flac.code).toBe('DECODE_FAILED');
    const mp3Garbage = Uint8Array.from([0xff, 0xfb, 0x90, 0x64, ...new Array(400).fill(0x55)]);
    const mp3 = await decodeError(mp3Garbage, { file: 'g.mp3' });
    expect(mp3.code).toBe('DECODE_FAILED');
  });

  it('never returns non-finite samples or an untyped error on damaged compressed files (seeded)', async () => {
    const rnd = seededRandom(99);
    let decoded = 0;
    for (const name of ['speech-22050.flac', 'speech-22050.mp3', 'speech-48000.opus', 'speech-22050.ogg']) {
      const original = readFileSync(codecFile(name));
      for (let i = 0; i < 12; i++) {
        const bytes = Uint8Array.from(original.subarray(0, 6000));
        for (let m = 0; m < 20; m++) bytes[Math.floor(rnd.uniform() * bytes.length)] = Math.floor(rnd.uniform() * 256);
        try {
          const out = await decodeAudio(bytes);
          for (const v of out.samples) if (!Number.isFinite(v)) throw new Error(`${name}: non-finite sample`);
          decoded++;
        } catch (e) {
          if (!(e instanceof AudioDecodeError)) throw e;
        }
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});
