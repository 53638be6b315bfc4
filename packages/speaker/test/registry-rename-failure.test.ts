// A save whose final rename fails (e.g. the disk filled up, or a reader holds the file on Windows)
// must leave the old registry file as it was and clean up its temporary file.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as FsPromises from 'node:fs/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SpeakerRegistry, createRegistry } from '../src/index.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  return {
    ...actual,
    rename: vi.fn(async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
    }),
  };
});

describe('SpeakerRegistry.save when the rename fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-registry-rename-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('throws SAVE_FAILED, keeps the old file and removes the temporary file', async () => {
    const path = join(dir, 'speakers.json');
    const old = createRegistry();
    old.enroll('alice', [1, 0, 0]);
    const oldText = JSON.stringify(old.toJSON()) + '\n';
    writeFileSync(path, oldText);

    const updated = SpeakerRegistry.fromJSON(old.toJSON());
    updated.enroll('bob', [0, 1, 0]);
    await expect(updated.save(path)).rejects.toMatchObject({
      code: 'SAVE_FAILED',
      message: `${path}: could not save the speaker registry: ENOSPC: no space left on device, rename`,
    });
    expect(readFileSync(path, 'utf8')).toBe(oldText);
    expect(readdirSync(dir)).toEqual(['speakers.json']);
    expect((await SpeakerRegistry.load(path)).list()).toEqual([{ name: 'alice', count: 1 }]);
  });
});
