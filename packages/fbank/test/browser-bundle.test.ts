// @wsp/fbank in a browser: bundle it for the browser platform with esbuild (resolving the package's
// exports like an app would) and run the bundle in a node:vm context with no Node built-ins.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { probe } from './package-probe.js';
import type { ProbeResult } from './package-probe.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

async function bundleForBrowser(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import * as api from '@wsp/fbank';\nconst probe = ${probe.toString()};\nreport(JSON.stringify(probe(api)));\n`,
      resolveDir: packageDir,
      loader: 'js',
    },
    alias: { '@wsp/fbank': packageDir },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

describe('browser bundle', () => {
  it('bundles for platform browser and runs without require, process, Buffer or other Node globals', async () => {
    const code = await bundleForBrowser();
    expect(code).not.toMatch(/\brequire\(|node:/);
    let reported = '';
    const context = createContext({ report: (json: string) => (reported = json) });
    const globals = runInContext('[typeof require, typeof process, typeof Buffer, typeof module, typeof setImmediate, typeof global]', context);
    expect(globals).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
    runInContext(code, context, { timeout: 30_000 });
    const result = JSON.parse(reported) as ProbeResult;
    expect(result).toEqual(probe(api));
    expect(result).toMatchObject({ numFrames: 98, numBins: 80, streamedEqualsBatch: true, isFbankError: true });
  });
});
