// Bad inputs: each gives its exit code and one line naming the file and the problem, never a
// crash or a stack trace (those need --verbose).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monoWav } from '@wsp/testkit';
import { seededRandom, encodeNpy } from '@wsp/weights';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, tinyModelDir, work, wsp } from './helpers/wsp.js';

let model: string;
const dir = join(work, 'bad');

/** A float32 mono WAV (format 3) of the given samples at 16 kHz. */
const floatWav = (samples: number[]) => monoWav(Float32Array.from(samples));

beforeAll(async () => {
  model = await tinyModelDir();
  mkdirSync(dir, { recursive: true });
  const speech = readFileSync(fixture('audio', 'speech-a1.wav'));
  const files: Record<string, Uint8Array | string> = {
    'empty.wav': new Uint8Array(0),
    'cut-header.wav': speech.subarray(0, 30),
    'cut-data.wav': speech.subarray(0, 2000),
    'no-fmt.wav': Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WAVE', 'latin1'), Buffer.from('junk\x04\x00\x00\x00abcd', 'latin1')]),
    'text.wav': 'hello, I am not audio\n',
    'nan.wav': floatWav([...Array(2000).fill(0.1), Number.NaN, ...Array(2000).fill(0.1)]),
    'zero-length.wav': floatWav([]),
    'short.wav': floatWav(Array.from({ length: 800 }, (_, i) => 0.1 * Math.sin(i / 3))),
    'sound.aiff': Buffer.concat([Buffer.from('FORM\x00\x00\x00\x2eAIFFCOMM', 'latin1'), Buffer.alloc(40)]),
    'features-f64.npy': Buffer.from(encodeNpy(new Float64Array(20 * 80), [20, 80])),
    'features-1d.npy': Buffer.from(encodeNpy(new Float32Array(80), [80])),
    'features-64.npy': Buffer.from(encodeNpy(new Float32Array(20 * 64), [20, 64])),
    'not-npy.npy': 'nope',
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  const weights = readFileSync(join(model, 'model.safetensors'));
  mkdirSync(join(dir, 'no-weights'));
  writeFileSync(join(dir, 'no-weights', 'README.txt'), 'empty');
  mkdirSync(join(dir, 'bad-config'));
  writeFileSync(join(dir, 'bad-config', 'config.json'), '{"layers": [3, 4');
  writeFileSync(join(dir, 'bad-config', 'model.safetensors'), weights);
  writeFileSync(join(dir, 'truncated.safetensors'), weights.subarray(0, weights.length - 64));
  const flipped = Buffer.from(weights);
  flipped.writeUInt32LE(0xffffffff, 0); // header length far beyond the file
  writeFileSync(join(dir, 'bad-header.safetensors'), flipped);
});

const file = (name: string) => join(dir, name);

const cases: { what: string; args: () => string[]; code: number; message: RegExp }[] = [
  { what: 'empty file', args: () => ['embed', file('empty.wav')], code: 2, message: /empty\.wav: file is empty/ },
  { what: 'WAV header cut short', args: () => ['embed', file('cut-header.wav')], code: 2, message: /cut-header\.wav: .*ends after/ },
  { what: 'WAV data cut short (too short to embed)', args: () => ['embed', file('cut-data.wav')], code: 2, message: /cut-data\.wav: audio of 0\.061 s .* needs at least 9 .*pass --short-input pad/ },
  { what: 'malformed WAV (no fmt chunk)', args: () => ['embed', file('no-fmt.wav')], code: 2, message: /no-fmt\.wav: no 'fmt ' chunk/ },
  { what: 'not audio', args: () => ['embed', file('text.wav')], code: 2, message: /text\.wav: unsupported audio format: .*supported: WAV/ },
  { what: 'unsupported format (AIFF)', args: () => ['embed', file('sound.aiff')], code: 2, message: /sound\.aiff: unsupported audio format: looks like AIFF/ },
  { what: 'NaN samples', args: () => ['embed', file('nan.wav')], code: 2, message: /nan\.wav: sample at frame 2000 is NaN or infinite/ },
  { what: 'zero-length audio', args: () => ['embed', file('zero-length.wav')], code: 2, message: /zero-length\.wav: audio has no samples/ },
  { what: 'too short', args: () => ['embed', file('short.wav')], code: 2, message: /short\.wav: audio of 0\.050 s \(800 samples at 16 kHz\) has 3 frames/ },
  { what: 'missing file', args: () => ['embed', file('missing.wav')], code: 2, message: /missing\.wav: cannot read audio file: no such file/ },
  { what: 'missing file among good ones', args: () => ['embed', fixture('audio', 'speech-a1.wav'), file('missing.wav')], code: 2, message: /missing\.wav/ },
  { what: 'float64 features', args: () => ['embed', '--fbank', file('features-f64.npy')], code: 2, message: /features-f64\.npy: features must be float32/ },
  { what: '1-d features', args: () => ['embed', '--fbank', file('features-1d.npy')], code: 2, message: /features-1d\.npy: features must be \[T, 80\]/ },
  { what: '64-bin features', args: () => ['embed', '--fbank', file('features-64.npy')], code: 2, message: /80/ },
  { what: 'not a .npy', args: () => ['embed', '--fbank', file('not-npy.npy')], code: 2, message: /not-npy\.npy: not a \.npy file/ },
  { what: 'model folder without weights', args: () => ['embed', fixture('audio', 'speech-a1.wav'), '--model', file('no-weights')], code: 2, message: /no-weights: not a model directory: it holds no weights file/ },
  { what: 'broken config.json', args: () => ['embed', fixture('audio', 'speech-a1.wav'), '--model', file('bad-config')], code: 2, message: /config\.json: config\.json is not valid JSON/ },
  { what: 'truncated weights', args: () => ['embed', fixture('audio', 'speech-a1.wav'), '--model', file('truncated.safetensors')], code: 2, message: /truncated\.safetensors: / },
  { what: 'corrupt weights header', args: () => ['inspect', file('bad-header.safetensors')], code: 2, message: /bad-header\.safetensors: / },
  { what: 'missing model folder', args: () => ['embed', fixture('audio', 'speech-a1.wav'), '--model', file('nowhere')], code: 2, message: /nowhere: no such file or directory/ },
  { what: 'unwritable output', args: () => ['fbank', fixture('audio', 'speech-a1.wav'), '--out', file('no/such/dir/f.npy')], code: 2, message: /f\.npy: cannot write \(ENOENT\)/ },
  { what: 'backend that cannot start', args: () => ['embed', fixture('audio', 'speech-a1.wav'), '--backend', 'no-such-backend'], code: 3, message: /backend 'no-such-backend' is unavailable: .*Available instead: .*'cpu-portable'/ },
];

describe.concurrent('bad input: exit code and one line naming the problem', () => {
  for (const c of cases) {
    it(`${c.what}: exit ${c.code}`, async () => {
      const args = c.args();
      const needsModel = ['embed'].includes(args[0]) && !args.includes('--model');
      const r = await wsp(needsModel ? [...args, '--model', model] : args);
      expect(r.code).toBe(c.code);
      expect(r.signal).toBeNull();
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^wsp \w+: /);
      expect(lines[0]).toMatch(c.message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('--verbose adds the stack trace', async () => {
    const r = await wsp(['embed', file('no-fmt.wav'), '--model', model, '--verbose']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/AudioDecodeError: .*no-fmt\.wav: no 'fmt ' chunk/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('--short-input pad embeds the short file (with a warning)', async () => {
    const r = await wsp(['embed', file('short.wav'), '--model', model, '--short-input', 'pad', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).frames).toBe(9);
    expect(r.stderr).toMatch(/short\.wav: shorter than 0\.105 s: repeated up to it/);
  });

  it('random bytes never crash it: exit 2 and one line each (seeded fuzz)', async () => {
    const rng = seededRandom(11);
    const speech = readFileSync(fixture('audio', 'speech-a1.wav')).subarray(0, 4000);
    const names: string[] = [];
    for (let i = 0; i < 12; i++) {
      const bytes = Buffer.from(speech);
      for (let k = 0; k < 8; k++) bytes[Math.floor(rng.uniform() * 64)] = Math.floor(rng.uniform() * 256);
      const name = file(`fuzz-${i}.wav`);
      writeFileSync(name, i % 3 === 0 ? bytes.subarray(0, Math.floor(rng.uniform() * 200)) : bytes);
      names.push(name);
    }
    for (const name of names) {
      const r = await wsp(['embed', name, '--model', model, '--short-input', 'pad']);
      expect(r.signal).toBeNull();
      expect([0, 2]).toContain(r.code);
      if (r.code === 2) expect(r.stderr.trim().split('\n').filter((l) => !l.includes('warning:'))).toHaveLength(1);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});
