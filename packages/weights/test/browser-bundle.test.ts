import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readFixture } from './helpers.js';

/**
 * The main entry must bundle for browsers and its bytes API must run without Node: bundle it with
 * esbuild for platform 'browser', then run it in a bare V8 context (no require, process, Buffer, fs).
 */
describe('browser bundle', () => {
  it('bundles with no Node built-in and loads weights from bytes in a context without Node', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'WspWeights',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.filter((p) => p.startsWith('node:') || p.includes('node_modules/@types'))).toEqual([]);
    const code = result.outputFiles[0].text;

    const context: Record<string, unknown> = { TextEncoder, TextDecoder, console, bytes: readFixture('pyannote-tiny.bin') };
    runInNewContext(`${code}\n;globalThis.WspWeights = WspWeights;`, context);
    expect(runInNewContext('typeof process + typeof require + typeof Buffer', context)).toBe('undefinedundefinedundefined');
    const summary = runInNewContext(
      `(() => { const r = WspWeights.loadWeSpeakerWeightsFromBytes(bytes); return [r.tensors.size, r.source.prefix, r.tensors.get('embedding.weight').shape.join('x')]; })()`,
      context,
    ) as unknown[];
    expect([...summary]).toEqual([30, 'resnet.', '16x320']);
    // A path needs node:fs, which this context cannot import: a typed error, not a crash.
    const failure = (await runInNewContext(`WspWeights.loadWeSpeakerWeights('/x').then(() => 'loaded', (e) => e.code)`, context)) as string;
    expect(failure).toBe('NODE_FS_UNAVAILABLE');
  });
});
