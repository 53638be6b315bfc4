#!/usr/bin/env node
// Computes the WeSpeaker front end (Kaldi fbank, 80 bins, + CMN) of a WAV file with @wsp/fbank
// alone and prints a summary.
//
//   node examples/fbank-alone/index.mjs path/to/audio.wav [--json]
//
// The WAV reader below is deliberately minimal (an example, not a decoder): 16-bit PCM, mono,
// 16 kHz, RIFF little-endian. Anything else is refused with a message.
/* global console, performance, process */
import { readFileSync } from 'node:fs';
import { FbankError, applyCmn, fbank, resolveFbankOptions } from '@wsp/fbank';

function readPcm16MonoWav(path) {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error(`${path}: not a RIFF/WAVE file`);
  let format;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = { code: view.getUint16(body, true), channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!format) throw new Error(`${path}: data chunk before fmt chunk`);
      if (format.code !== 1 || format.bits !== 16 || format.channels !== 1) {
        throw new Error(`${path}: need 16-bit PCM mono, got format ${format.code}, ${format.bits} bits, ${format.channels} channels`);
      }
      const count = Math.floor(Math.min(size, bytes.length - body) / 2);
      const samples = new Float32Array(count);
      for (let i = 0; i < count; i++) samples[i] = view.getInt16(body + 2 * i, true) / 32768;
      return { samples, sampleRate: format.rate };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const path = args.find((arg) => arg !== '--json');
if (!path) {
  console.error('usage: node examples/fbank-alone/index.mjs <16-bit PCM mono WAV> [--json]');
  process.exit(2);
}

try {
  const { samples, sampleRate } = readPcm16MonoWav(path);
  const preset = resolveFbankOptions('wespeaker');
  if (sampleRate !== preset.sampleFrequency) throw new Error(`${path}: ${sampleRate} Hz; the wespeaker preset needs ${preset.sampleFrequency} Hz (resample first)`);

  const start = performance.now();
  const raw = fbank(samples, 'wespeaker');
  const { data, numFrames, numBins } = applyCmn(raw); // a new result; `raw` stays as it was
  const elapsed = performance.now() - start;

  const mean = new Float64Array(numBins);
  const sq = new Float64Array(numBins);
  let min = Infinity;
  let max = -Infinity;
  for (let m = 0; m < numFrames; m++) {
    for (let b = 0; b < numBins; b++) {
      const v = data[m * numBins + b];
      mean[b] += raw.data[m * numBins + b] / numFrames;
      sq[b] += (v * v) / numFrames;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  const std = Array.from(sq, Math.sqrt);
  if (json) {
    const summary = { file: path, seconds: samples.length / sampleRate, numFrames, numBins, meanBeforeCmn: Array.from(mean), stdAfterCmn: std, min, max, ms: elapsed };
    console.log(JSON.stringify(summary));
  } else {
    const range = (values) => `${Math.min(...values).toFixed(3)} .. ${Math.max(...values).toFixed(3)}`;
    console.log(`file:          ${path}`);
    console.log(`duration:      ${(samples.length / sampleRate).toFixed(3)} s (${samples.length} samples at ${sampleRate} Hz)`);
    console.log(`features:      ${numFrames} frames x ${numBins} bins (wespeaker preset: x32768, 25/10 ms, hamming, 80 mel bins, CMN)`);
    console.log(`per-bin mean:  ${range(mean)} (log-mel before CMN)`);
    console.log(`per-bin std:   ${range(std)} (after CMN)`);
    console.log(`min / max:     ${min.toFixed(3)} / ${max.toFixed(3)} (after CMN)`);
    console.log(`time:          ${elapsed.toFixed(2)} ms for fbank + CMN (${((samples.length / sampleRate) * 1000 / elapsed).toFixed(0)}x real time, first call, unwarmed)`);
  }
} catch (error) {
  console.error(FbankError.isInstance(error) ? `fbank error ${error.code}: ${error.message}` : error.message);
  process.exit(1);
}
