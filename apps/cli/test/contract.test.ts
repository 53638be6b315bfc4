// The command-line contract: every command and the flags the issue names exist and are documented
// in --help; usage errors exit 1 with one line naming the problem.
import { describe, expect, it } from 'vitest';
import { wsp } from './helpers/wsp.js';

/** Commands and the flags scripts rely on (issue 7); more may be added, none removed. */
const CONTRACT: Record<string, string[]> = {
  embed: ['--model', '--backend', '--fbank', '--raw', '--pooling', '--json'],
  compare: ['--model', '--threshold', '--json'],
  fbank: ['--out', '--no-cmn'],
  convert: ['--input', '--output', '--layout'],
  inspect: [],
  bench: ['--model', '--backend', '--batch', '--frames', '--warmup', '--iterations', '--output'],
  accuracy: ['--model', '--backend', '--reference', '--num-samples', '--output'],
  enroll: ['--registry', '--name', '--model'],
  identify: ['--registry', '--model', '--top-k', '--threshold', '--json'],
  download: [],
  doctor: [],
};

describe.concurrent('wsp --help and the contract', () => {
  it('lists every command and the exit codes', async () => {
    const r = await wsp(['--help']);
    expect(r.code).toBe(0);
    for (const name of Object.keys(CONTRACT)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(r.stdout).toMatch(/0 success, 1 usage error, 2 bad input/);
  });

  for (const [name, flags] of Object.entries(CONTRACT)) {
    it(`wsp ${name} --help documents ${flags.join(' ') || 'its usage'}`, async () => {
      for (const help of [[name, '--help'], [name, '-h'], ['help', name]]) {
        const r = await wsp(help);
        expect(r.code, help.join(' ')).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout).toMatch(new RegExp(`^Usage: wsp ${name}`, 'm'));
        for (const flag of [...flags, '--help', '--verbose', '--progress']) expect(r.stdout).toMatch(new RegExp(`${flag}\\b`));
      }
    });
  }

  it('prints its version', async () => {
    const r = await wsp(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  const usage: [string[], RegExp][] = [
    [[], /Usage: wsp <command>/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['embed'], /expected at least 1 argument, got 0/],
    [['embed', 'a.wav', '--bogus'], /Unknown option '--bogus'/],
    [['compare', 'a.wav'], /expected 2 arguments, got 1/],
    [['compare', 'a.wav', 'b.wav', '--threshold', 'high', '--demo'], /--threshold must be a number in \[-1, 1\], got 'high'/],
    [['compare', 'a.wav', 'b.wav', '--model', 'x', '--demo'], /--demo and --model exclude each other/],
    [['embed', 'a.wav', '--demo', '--pooling', 'max'], /--pooling must be one of pyannote, wespeaker, mlx, got 'max'/],
    [['embed', 'a.wav', '--demo', '--short-input', 'trim'], /--short-input must be one of error, pad/],
    [['fbank', 'a.wav'], /--out is required/],
    [['convert', '--input', 'x'], /--output is required/],
    [['convert', '--input', 'x', '--output', 'y.bin', '--layout', 'nchw'], /--layout must be one of oihw, ohwi/],
    [['bench', '--demo', '--batch', '1,x'], /--batch must be a comma-separated list of positive integers/],
    [['bench', '--demo', '--configs', '1by200'], /--configs must look like 1x200/],
    [['bench', '--demo', '--iterations', '0'], /--iterations must be an integer >= 1/],
    [['accuracy', '--demo'], /--reference is required/],
    [['enroll', 'a.wav', '--registry', 'r.json'], /--name is required/],
    [['identify', 'a.wav'], /--registry is required/],
    [['doctor', 'extra'], /expected 0 arguments, got 1/],
  ];
  for (const [args, message] of usage) {
    it(`usage error, exit 1: wsp ${args.join(' ')}`, async () => {
      const r = await wsp(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      if (args.length > 0) {
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    });
  }

  it('without --model, the model wsp download fills is used, else exit 1 says how to get one', async () => {
    const r = await wsp(['embed', 'fixtures/audio/speech-a1.wav']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no model: pass --model DIR .*run 'wsp download' .*aufklarer\/WeSpeaker-ResNet34-LM-MLX.*--demo/);
  });
});
