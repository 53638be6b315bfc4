// Runs the example as a user would (a child process on a WAV file) and checks its summary
// against statistics computed here from torchaudio's golden features of the same samples
// (fixtures/fbank, written by tools/reference), so the example cannot drift from the package.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monoWav, readGoldenNpy } from '@wsp/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const example = fileURLToPath(new URL('../index.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wsp-fbank-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  numFrames: number;
  numBins: number;
  meanBeforeCmn: number[];
  stdAfterCmn: number[];
  min: number;
  max: number;
}

describe('examples/fbank-alone', () => {
  it('summarises the wespeaker features of a WAV file as torchaudio computes them', () => {
    const input = readGoldenNpy('fbank', 'inputs', 'speech-a1.npy');
    const wav = join(dir, 'speech-a1-excerpt.wav');
    writeFileSync(wav, monoWav(input.data as Int16Array, 16000));
    const summary = JSON.parse(execFileSync(process.execPath, [example, wav, '--json'], { encoding: 'utf8' })) as Summary;

    const raw = readGoldenNpy('fbank', 'wespeaker-speech-a1.npy');
    const cmn = readGoldenNpy('fbank', 'wespeaker-cmn-speech-a1.npy');
    const [frames, bins] = raw.shape as [number, number];
    expect([summary.numFrames, summary.numBins]).toEqual([frames, bins]);
    for (let b = 0; b < bins; b++) {
      let mean = 0;
      let square = 0;
      for (let m = 0; m < frames; m++) {
        mean += raw.data[m * bins + b] as number;
        square += (cmn.data[m * bins + b] as number) ** 2;
      }
      expect(summary.meanBeforeCmn[b]).toBeCloseTo(mean / frames, 3);
      expect(summary.stdAfterCmn[b]).toBeCloseTo(Math.sqrt(square / frames), 3);
    }
    const values = Array.from(cmn.data as Float32Array);
    expect(summary.min).toBeCloseTo(Math.min(...values), 2);
    expect(summary.max).toBeCloseTo(Math.max(...values), 2);
  });

  it('refuses a WAV file it cannot read, naming the file', () => {
    const stereo = join(dir, 'not-a-wav.wav');
    writeFileSync(stereo, 'hello');
    const run = spawnSync(process.execPath, [example, stereo], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${stereo}: not a RIFF/WAVE file`);
  });
});
