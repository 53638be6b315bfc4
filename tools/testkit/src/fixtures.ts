import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '@wsp/weights';
import type { NpyArray } from '@wsp/weights';

/** Absolute path of the monorepo root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Path under the shared `fixtures/` folder (audio, goldens written by tools/reference). */
export function fixturePath(...parts: string[]): string {
  return join(repoRoot, 'fixtures', ...parts);
}

export function readGoldenNpy(...parts: string[]): NpyArray {
  const file = fixturePath(...parts);
  // A plain Uint8Array copy: Buffer#slice is a view, so decodeNpy's slice().buffer would see the header too.
  return decodeNpy(new Uint8Array(readFileSync(file)), file);
}

export function readGoldenJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), 'utf8')) as T;
}
