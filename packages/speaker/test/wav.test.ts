import { readFileSync, readdirSync } from 'node:fs';
import { fixturePath, maxAbsDiff, readGoldenJson, readGoldenNpy } from '@wsp/testkit';
import { seededRandom } from '@wsp/weights';
import { describe, expect, it } from 'vitest';
import { AudioDecodeError, decodeWav } from '../src/index.js';
import { ascii, chunk, float32Body, float64Body, fmt, int16Body, riff, simpleWav } from './helpers/wav-builder.js';

interface AudioInfo {
  sampleRate: number;
  channels: number;
  frames: number;
  bitsPerSample: number;
}
const info = readGoldenJson<Record<string, AudioInfo>>('speaker', 'golden', 'audio-info.json');

function expectDecodeError(fn: () => unknown, code: string, messagePart?: RegExp): AudioDecodeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an AudioDecodeError').toBeInstanceOf(AudioDecodeError);
  const err = caught as AudioDecodeError;
  expect(err.code).toBe(code);
  if (messagePart) expect(err.message).toMatch(messagePart);
  return err;
}

describe('decodeWav against torchaudio.load (sox-written files)', () => {
  const files = readdirSync(fixturePath('speaker', 'wav')).filter((f) => f.endsWith('.wav'));
  it('covers every WAV flavour written by make_speaker_audio.sh', () => {
    expect(files.sort()).toEqual([
      'alaw-8k.wav',
      'extensible-f32.wav',
      'extensible-s24.wav',
      'float-f32.wav',
      'float-f64.wav',
      'mulaw-8k.wav',
      'pcm-s16.wav',
      'pcm-s24.wav',
      'pcm-s32.wav',
      'pcm-u8.wav',
      'six-channel-extensible-s16.wav',
      'stereo-s16.wav',
    ]);
  });
  for (const name of files) {
    it(`${name}: same rate, channels, length and mono samples`, () => {
      const path = fixturePath('speaker', 'wav', name);
      const decoded = decodeWav(readFileSync(path), { file: path });
      const expected = info[`wav/${name}`];
      const golden = readGoldenNpy('speaker', 'golden', `wav-${name.replace('.wav', '')}.npy`);
      expect(decoded.sampleRate).toBe(expected.sampleRate);
      expect(decoded.channels).toBe(expected.channels);
      expect(decoded.samples.length).toBe(expected.frames);
      expect(decoded.durationSec).toBeCloseTo(expected.frames / expected.sampleRate, 12);
      expect(decoded.warnings).toEqual([]);
      expect(decoded.format).toBe('wav');
      // float32 mean of up to 6 channels in torchaudio vs a float64 sum here: rounding only.
      expect(maxAbsDiff(decoded.samples, golden.data as Float32Array)).toBeLessThanOrEqual(2e-7);
    });
  }

  it('reports the encoding and container size', () => {
    const read = (name: string) => decodeWav(readFileSync(fixturePath('speaker', 'wav', name)));
    expect([read('pcm-u8.wav').encoding, read('pcm-u8.wav').bitsPerSample]).toEqual(['pcm-int', 8]);
    expect([read('extensible-s24.wav').encoding, read('extensible-s24.wav').bitsPerSample]).toEqual(['pcm-int', 24]);
    expect([read('float-f64.wav').encoding, read('float-f64.wav').bitsPerSample]).toEqual(['pcm-float', 64]);
    expect(read('extensible-f32.wav').encoding).toBe('pcm-float');
    expect(read('mulaw-8k.wav').encoding).toBe('mulaw');
    expect(read('alaw-8k.wav').encoding).toBe('alaw');
  });
});

describe('decodeWav sample conversion (written values)', () => {
  it('divides 16-bit PCM by 32768', () => {
    const out = decodeWav(simpleWav([0, 16384, -32768, 32767]));
    expect(Array.from(out.samples)).toEqual([0, 0.5, -1, Math.fround(32767 / 32768)]);
  });

  it('mixes channels down by their mean', () => {
    const wav = riff([chunk('fmt ', fmt({ channels: 3 })), chunk('data', int16Body([3000, 6000, 9000, -300, -300, 0]))]);
    const out = decodeWav(wav);
    expect(out.channels).toBe(3);
    expect(Array.from(out.samples)).toEqual([Math.fround(6000 / 32768), Math.fround(-200 / 32768)]);
  });

  it('decodes 20-bit samples in 3-byte containers (left-justified) like 24-bit', () => {
    // 0x080000 << 0 in the top 20 bits of a 24-bit word: 0.0625 of full scale.
    const body = Uint8Array.from([0x00, 0x00, 0x08, 0x00, 0x00, 0xf8]);
    const out = decodeWav(riff([chunk('fmt ', fmt({ bits: 20 })), chunk('data', body)]));
    expect(Array.from(out.samples)).toEqual([0.0625, -0.0625]);
    expect(out.bitsPerSample).toBe(24);
  });

  it('passes float samples through, including values beyond [-1, 1]', () => {
    const f32 = decodeWav(riff([chunk('fmt ', fmt({ tag: 3, bits: 32 })), chunk('data', float32Body([0.25, -1.5, 2]))]));
    expect(Array.from(f32.samples)).toEqual([0.25, -1.5, 2]);
    const f64 = decodeWav(riff([chunk('fmt ', fmt({ tag: 0xfffe, bits: 64, subFormat: 3 })), chunk('data', float64Body([0.1, -0.2]))]));
    expect(Array.from(f64.samples)).toEqual([Math.fround(0.1), Math.fround(-0.2)]);
  });
});

describe('decodeWav chunk layouts', () => {
  const values = [100, -200, 300, -400, 500];
  const expected = Array.from(decodeWav(simpleWav(values)).samples);
  const list = chunk('LIST', ascii('INFOISFT\x05\x00\x00\x00sox!\x00'));
  const junk = chunk('JUNK', new Uint8Array(27)); // odd size: a pad byte follows
  const fact = chunk('fact', Uint8Array.from([5, 0, 0, 0]));

  it.each([
    ['LIST and JUNK before fmt', [list, junk, chunk('fmt ', fmt()), chunk('data', int16Body(values))]],
    ['fact between fmt and data', [chunk('fmt ', fmt()), fact, chunk('data', int16Body(values))]],
    ['data before fmt', [chunk('data', int16Body(values)), chunk('fmt ', fmt())]],
    ['chunks after data', [chunk('fmt ', fmt()), chunk('data', int16Body(values)), list, junk]],
    ['odd-sized chunk without its pad byte', [chunk('fmt ', fmt()), chunk('JUNK', new Uint8Array(3), { pad: false }), chunk('data', int16Body(values))]],
    ['an 18-byte fmt (cbSize = 0)', [chunk('fmt ', Uint8Array.from([...fmt(), 0, 0])), chunk('data', int16Body(values))]],
  ] as const)('%s', (_name, chunks) => {
    const out = decodeWav(riff([...chunks]));
    expect(Array.from(out.samples)).toEqual(expected);
    expect(out.warnings).toEqual([]);
  });

  it('ignores a wrong RIFF size field', () => {
    const wav = simpleWav(values);
    new DataView(wav.buffer).setUint32(4, 12, true);
    expect(Array.from(decodeWav(wav).samples)).toEqual(expected);
  });

  it('decodes what is there when data claims more bytes than the file holds, with a warning', () => {
    const wav = riff([chunk('fmt ', fmt()), chunk('data', int16Body(values), { declaredSize: 1_000_000 })]);
    const out = decodeWav(wav.subarray(0, wav.length - 1)); // also cut the last sample in half
    expect(Array.from(out.samples)).toEqual(expected.slice(0, 4));
    expect(out.warnings.join('\n')).toMatch(/claims 1000000 bytes but the file holds 9/);
    expect(out.warnings.join('\n')).toMatch(/partial frame; its last 1 bytes/);
  });

  it('reads to the end of the file for the 0xFFFFFFFF streaming size', () => {
    const out = decodeWav(riff([chunk('fmt ', fmt()), chunk('data', int16Body(values), { declaredSize: 0xffffffff })]));
    expect(Array.from(out.samples)).toEqual(expected);
    expect(out.warnings[0]).toMatch(/unknown size/);
  });

  it('gives zero samples for an empty data chunk', () => {
    const out = decodeWav(riff([chunk('fmt ', fmt({ rate: 8000 })), chunk('data', new Uint8Array(0))]));
    expect(out.samples.length).toBe(0);
    expect(out.durationSec).toBe(0);
    expect(out.sampleRate).toBe(8000);
  });

  it('warns about a wrong block align and uses the one the sample size implies', () => {
    const out = decodeWav(riff([chunk('fmt ', fmt({ blockAlign: 7 })), chunk('data', int16Body(values))]));
    expect(Array.from(out.samples)).toEqual(expected);
    expect(out.warnings[0]).toMatch(/block align is 7, expected 2/);
  });
});

describe('decodeWav errors', () => {
  const good = simpleWav([1, 2, 3]);
  const file = '/data/clip.wav';

  it('names the file in the message', () => {
    const err = expectDecodeError(() => decodeWav(new Uint8Array(0), { file }), 'EMPTY_FILE');
    expect(err.message).toBe(`${file}: file is empty`);
    expect(err.file).toBe(file);
    expect(AudioDecodeError.isInstance(err)).toBe(true);
  });

  it.each([
    ['not RIFF', ascii('ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00'), 'NOT_RIFF', /no RIFF header/],
    ['RIFX', riff([], { magic: 'RIFX' }), 'UNSUPPORTED_CONTAINER', /big-endian RIFX/],
    ['RF64', riff([], { magic: 'RF64' }), 'UNSUPPORTED_CONTAINER', /RF64/],
    ['AVI', riff([], { form: 'AVI ' }), 'NOT_WAVE', /type 'AVI '/],
    ['cut inside the RIFF header', good.subarray(0, 9), 'TRUNCATED_HEADER', /ends after 9 bytes/],
    ['cut after 2 bytes', good.subarray(0, 2), 'TRUNCATED_HEADER', /ends after 2 bytes/],
    ['cut inside fmt', good.subarray(0, 30), 'TRUNCATED_HEADER', /'fmt ' chunk claims 16 bytes but the file ends after 10/],
    ['fmt shorter than 16 bytes', riff([chunk('fmt ', fmt().subarray(0, 14)), chunk('data', int16Body([1]))]), 'TRUNCATED_HEADER', /fewer than the 16/],
    ['no fmt', riff([chunk('data', int16Body([1]))]), 'MISSING_FMT', /no 'fmt ' chunk/],
    ['no data', riff([chunk('fmt ', fmt())]), 'MISSING_DATA', /no 'data' chunk/],
    ['only the RIFF header', riff([]), 'MISSING_FMT', /no 'fmt '/],
    ['ADPCM', riff([chunk('fmt ', fmt({ tag: 2, bits: 4 })), chunk('data', int16Body([1]))]), 'UNSUPPORTED_WAV_FORMAT', /0x0002 \(Microsoft ADPCM\) is not supported; supported: integer PCM/],
    ['unknown code', riff([chunk('fmt ', fmt({ tag: 0x1234 })), chunk('data', int16Body([1]))]), 'UNSUPPORTED_WAV_FORMAT', /0x1234 is not supported/],
    ['extensible with a foreign GUID', riff([chunk('fmt ', fmt({ tag: 0xfffe, subFormat: new Uint8Array(16).fill(7) })), chunk('data', int16Body([1]))]), 'UNSUPPORTED_WAV_FORMAT', /GUID 07070707-0707-0707-0707-070707070707/],
    ['extensible fmt of 16 bytes', riff([chunk('fmt ', fmt({ tag: 0xfffe }).subarray(0, 16)), chunk('data', int16Body([1]))]), 'TRUNCATED_HEADER', /fewer than 40/],
    ['zero channels', riff([chunk('fmt ', fmt({ channels: 0 })), chunk('data', int16Body([1]))]), 'INVALID_FMT', /channel count 0/],
    ['65535 channels', riff([chunk('fmt ', fmt({ channels: 65535, blockAlign: 2 })), chunk('data', int16Body([1]))]), 'INVALID_FMT', /channel count 65535/],
    ['zero sample rate', riff([chunk('fmt ', fmt({ rate: 0 })), chunk('data', int16Body([1]))]), 'INVALID_FMT', /sample rate 0 Hz/],
    ['absurd sample rate', riff([chunk('fmt ', fmt({ rate: 0xffffffff })), chunk('data', int16Body([1]))]), 'INVALID_FMT', /sample rate 4294967295 Hz/],
    ['4-bit PCM', riff([chunk('fmt ', fmt({ bits: 4 })), chunk('data', int16Body([1]))]), 'INVALID_FMT', /4-bit integer PCM/],
    ['48-bit PCM', riff([chunk('fmt ', fmt({ bits: 48 })), chunk('data', int16Body([1]))]), 'INVALID_FMT', /48-bit integer PCM/],
    ['16-bit float', riff([chunk('fmt ', fmt({ tag: 3, bits: 16 })), chunk('data', int16Body([1]))]), 'INVALID_FMT', /16-bit IEEE float/],
    ['16-bit mu-law', riff([chunk('fmt ', fmt({ tag: 7, bits: 16 })), chunk('data', int16Body([1]))]), 'INVALID_FMT', /mu-law must have 8 bits/],
    ['NaN float32', riff([chunk('fmt ', fmt({ tag: 3, bits: 32 })), chunk('data', float32Body([0, 0.5, NaN]))]), 'NON_FINITE_SAMPLE', /frame 2 is NaN or infinite/],
    ['Infinity float64', riff([chunk('fmt ', fmt({ tag: 3, bits: 64, channels: 2 })), chunk('data', float64Body([0, 0, 1, -Infinity]))]), 'NON_FINITE_SAMPLE', /frame 1/],
  ] as const)('%s', (_name, bytes, code, message) => {
    expectDecodeError(() => decodeWav(bytes, { file }), code, message);
  });
});

describe('decodeWav on damaged files (seeded fuzz)', () => {
  it('either decodes finite samples or throws AudioDecodeError, for 3000 mutations', () => {
    const seeds = ['pcm-s16.wav', 'extensible-f32.wav', 'six-channel-extensible-s16.wav'].map((n) =>
      readFileSync(fixturePath('speaker', 'wav', n)).subarray(0, 600),
    );
    const rnd = seededRandom(1234);
    const pick = (n: number) => Math.floor(rnd.uniform() * n);
    const codes = new Set<string>();
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from(seeds[i % seeds.length]);
      const mutations = 1 + pick(4);
      for (let m = 0; m < mutations; m++) {
        // Mostly hit the headers, where the structure lives.
        const at = rnd.uniform() < 0.8 ? pick(Math.min(bytes.length, 96)) : pick(bytes.length);
        bytes[at] = pick(256);
      }
      const cut = rnd.uniform() < 0.3 ? pick(bytes.length) : bytes.length;
      try {
        const out = decodeWav(bytes.subarray(0, cut));
        for (const v of out.samples) if (!Number.isFinite(v)) throw new Error(`non-finite sample at mutation ${i}`);
        expect(Number.isFinite(out.durationSec)).toBe(true);
        decoded++;
      } catch (e) {
        if (!(e instanceof AudioDecodeError)) throw e;
        codes.add(e.code);
      }
    }
    // Both outcomes happen, and the failures are varied (the fuzz reaches deep into the parser).
    expect(decoded).toBeGreaterThan(300);
    expect(codes.size).toBeGreaterThanOrEqual(5);
  });
});
