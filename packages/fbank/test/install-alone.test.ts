// "Install only @wsp/fbank": pack the package, install the tarball alone in an empty folder outside
// the workspace with npm, and use it from both `import` and `require`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { probe } from './package-probe.js';
import type { ProbeResult } from './package-probe.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const expected = probe(api);

/** The probe as a stand-alone script body that loads the package with `load`. */
function consumerScript(load: string): string {
  // esbuild (vitest) compiled the probe to plain JS; only the `api` parameter is free in it.
  return `${load}\nconst probe = ${probe.toString()};\nprocess.stdout.write(JSON.stringify(probe(api)));\n`;
}

describe('install only @wsp/fbank from its packed tarball', () => {
  let consumer = '';

  beforeAll(() => {
    consumer = mkdtempSync(join(tmpdir(), 'wsp-fbank-consumer-'));
    const out = execFileSync('pnpm', ['pack', '--pack-destination', consumer], { cwd: packageDir, encoding: 'utf8' });
    const tarball = readdirSync(consumer).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack wrote no tarball:\n${out}`);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'fbank-consumer', private: true, version: '1.0.0' }));
    // The package has no dependencies: npm needs nothing from the registry.
    execFileSync('npm', ['install', `./${tarball}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: consumer,
      encoding: 'utf8',
      env: { ...process.env, npm_config_workspaces: 'false' },
    });
  }, 180_000);

  afterAll(() => {
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  it('installs @wsp/fbank only: no dependency, no other @wsp package, nothing native', () => {
    const modules = readdirSync(join(consumer, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(modules.sort()).toEqual(['@wsp']);
    expect(readdirSync(join(consumer, 'node_modules', '@wsp'))).toEqual(['fbank']);
    const files = readdirSync(join(consumer, 'node_modules', '@wsp', 'fbank')).sort();
    expect(files).toEqual(['README.md', 'dist', 'package.json']);
  });

  const run = (file: string, source: string): ProbeResult => {
    writeFileSync(join(consumer, file), source);
    return JSON.parse(execFileSync(process.execPath, [file], { cwd: consumer, encoding: 'utf8' })) as ProbeResult;
  };

  it('works from import (ESM) and gives the same numbers as the source', () => {
    const result = run('probe.mjs', consumerScript(`import * as api from '@wsp/fbank';`));
    expect(result).toEqual(expected);
    expect(result).toMatchObject({ numFrames: 98, numBins: 80, streamedEqualsBatch: true, errorCode: 'INPUT_TOO_SHORT', isFbankError: true });
  });

  it('works from require (CJS) and gives the same numbers as the source', () => {
    const result = run('probe.cjs', consumerScript(`const api = require('@wsp/fbank');`));
    expect(result).toEqual(expected);
  });

  it('resolves to the installed copy, not the workspace', () => {
    const resolved = execFileSync(process.execPath, ['-p', "require.resolve('@wsp/fbank')"], { cwd: consumer, encoding: 'utf8' }).trim();
    expect(resolved).toBe(join(consumer, 'node_modules', '@wsp', 'fbank', 'dist', 'index.cjs'));
  });
});
