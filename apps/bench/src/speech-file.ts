/**
 * Test recordings of a given length: the project's speech fixtures (fixtures/audio, 16 kHz mono
 * 16-bit, about 13 s together) concatenated and repeated, written as a 16-bit PCM WAV file, so the
 * end-to-end figures decode a real file of real speech.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@wsp/benchkit';
import { decodeWav } from '@wsp/speaker';

const FIXTURES = ['speech-a1.wav', 'speech-a2.wav', 'speech-b1.wav'];
export const SPEECH_RATE = 16000;

/** `seconds` of the fixtures' speech at 16 kHz, looping over them. */
export function speechSamples(seconds: number): Float32Array {
  const sources = FIXTURES.map((f) => {
    const file = join(repoRoot, 'fixtures', 'audio', f);
    const audio = decodeWav(readFileSync(file), { file });
    if (audio.sampleRate !== SPEECH_RATE) throw new Error(`${file}: expected ${SPEECH_RATE} Hz, got ${audio.sampleRate}`);
    return audio.samples;
  });
  const out = new Float32Array(Math.round(seconds * SPEECH_RATE));
  for (let filled = 0, i = 0; filled < out.length; i++) {
    const s = sources[i % sources.length].subarray(0, out.length - filled);
    out.set(s, filled);
    filled += s.length;
  }
  return out;
}

/** A canonical 44-byte-header PCM WAV (mono, 16-bit) of `samples` in [-1, 1]. */
export function encodeWav16(samples: Float32Array, sampleRate: number): Uint8Array {
  const bytes = new Uint8Array(44 + 2 * samples.length);
  const v = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => v.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + 2 * samples.length, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, 2 * sampleRate, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, 2 * samples.length, true);
  samples.forEach((x, i) => v.setInt16(44 + 2 * i, Math.max(-32768, Math.min(32767, Math.round(x * 32768))), true));
  return bytes;
}

export function writeSpeechWav(path: string, seconds: number): string {
  writeFileSync(path, encodeWav16(speechSamples(seconds), SPEECH_RATE));
  return path;
}
