import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@wsp/weights';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelDownloadError, defaultModelCacheDir, downloadModel } from '../src/index.js';
import type { DownloadModelOptions, DownloadProgress } from '../src/index.js';
import { rejectionOf } from './helpers/rejection.js';
import { refusedEndpoint, sha256, startFakeHub } from '@wsp/testkit';
import type { FakeHub } from '@wsp/testkit';

const REPO = 'aufklarer/WeSpeaker-ResNet34-LM-MLX';
const rnd = seededRandom(7);
const model = Uint8Array.from({ length: 300_000 }, () => Math.floor(rnd.uniform() * 256));
const config = new TextEncoder().encode(JSON.stringify({ embedding_dim: 256, sample_rate: 16000 }));
const files = { 'config.json': { bytes: config, lfs: false }, 'model.safetensors': { bytes: model, lfs: true } };

const root = mkdtempSync(join(tmpdir(), 'wsp-download-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let hub: FakeHub;
let cacheDir: string;
let counter = 0;
beforeEach(async () => {
  hub = await startFakeHub(REPO, files);
  cacheDir = join(root, `cache-${counter++}`);
});
afterEach(() => hub.close());

const fast = (extra: DownloadModelOptions = {}): DownloadModelOptions => ({ endpoint: hub.endpoint, cacheDir, retryDelayMs: 5, ...extra });
const cdnRequests = () => hub.requests.filter((r) => r.url.startsWith('/cdn/'));

function downloadError(options: DownloadModelOptions): Promise<ModelDownloadError> {
  return rejectionOf(downloadModel(options), ModelDownloadError);
}

describe('downloadModel from a hub imitation', () => {
  it('downloads config.json and model.safetensors, checks the LFS sha256 and reports progress', async () => {
    const progress: DownloadProgress[] = [];
    const result = await downloadModel(fast({ onProgress: (p) => progress.push(p) }));
    expect(result.dir).toBe(cacheDir);
    expect(result.files.map((f) => [f.name, f.size, f.cached])).toEqual([
      ['config.json', config.length, false],
      ['model.safetensors', model.length, false],
    ]);
    expect(result.files[1].sha256).toBe(sha256(model));
    expect(result.files[0].sha256).toBeUndefined(); // the hub gives a git sha1 for small files
    expect(readFileSync(join(cacheDir, 'model.safetensors')).equals(Buffer.from(model))).toBe(true);
    expect(readFileSync(join(cacheDir, 'config.json'), 'utf8')).toBe(new TextDecoder().decode(config));
    expect(readdirSync(cacheDir).sort()).toEqual(['config.json', 'model.safetensors']);
    const modelProgress = progress.filter((p) => p.file === 'model.safetensors');
    expect(modelProgress.length).toBeGreaterThan(2);
    expect(modelProgress.every((p) => p.total === model.length)).toBe(true);
    expect(modelProgress.map((p) => p.bytes)).toEqual([...modelProgress.map((p) => p.bytes)].sort((a, b) => a - b));
    expect(modelProgress.at(-1)?.bytes).toBe(model.length);
    expect(hub.requests.map((r) => r.url)).toEqual([
      `/${REPO}/resolve/main/config.json`,
      `/${REPO}/resolve/main/model.safetensors`,
      '/cdn/model.safetensors',
    ]);
  });

  it('uses cached files without any request', async () => {
    await downloadModel(fast());
    const before = hub.requests.length;
    const again = await downloadModel(fast());
    expect(again.files.every((f) => f.cached)).toBe(true);
    expect(hub.requests.length).toBe(before);
  });

  it('re-downloads with force, and replaces a cached file whose hash is not the expected one', async () => {
    await downloadModel(fast());
    writeFileSync(join(cacheDir, 'config.json'), 'tampered');
    const forced = await downloadModel(fast({ force: true, files: ['config.json'] }));
    expect(forced.files[0].cached).toBe(false);
    writeFileSync(join(cacheDir, 'config.json'), 'tampered again');
    const checked = await downloadModel(fast({ files: ['config.json'], expectedSha256: { 'config.json': sha256(config) } }));
    expect(checked.files[0]).toMatchObject({ cached: false, sha256: sha256(config) });
    expect(readFileSync(join(cacheDir, 'config.json'), 'utf8')).toBe(new TextDecoder().decode(config));
  });

  it('resumes with a Range request after the connection drops mid-file', async () => {
    hub.faults.dropAfterBytes = 100_000;
    hub.faults.dropTimes = 2;
    const result = await downloadModel(fast({ files: ['model.safetensors'] }));
    expect(result.files[0].sha256).toBe(sha256(model));
    expect(readFileSync(join(cacheDir, 'model.safetensors')).equals(Buffer.from(model))).toBe(true);
    const ranges = cdnRequests().map((r) => r.range);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]).toBeUndefined();
    const resumedAt = ranges.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r ?? '')?.[1]));
    expect(resumedAt[0]).toBeGreaterThan(0);
    expect(resumedAt[1]).toBeGreaterThan(resumedAt[0]);
  });

  it('resumes a .part file left by an earlier, failed run', async () => {
    hub.faults.dropAfterBytes = 120_000;
    hub.faults.dropTimes = 1;
    const first = await downloadError(fast({ files: ['model.safetensors'], retries: 0 }));
    expect(first.code).toBe('HTTP_ERROR');
    expect(first.message).toMatch(/connection lost after \d+ bytes/);
    const part = join(cacheDir, 'model.safetensors.part');
    const partial = statSync(part).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(model.length);
    expect(existsSync(join(cacheDir, 'model.safetensors'))).toBe(false);
    const second = await downloadModel(fast({ files: ['model.safetensors'] }));
    expect(second.files[0].sha256).toBe(sha256(model));
    expect(cdnRequests().at(-1)?.range).toBe(`bytes=${partial}-`);
    expect(existsSync(part)).toBe(false);
  });

  it('starts over when the server ignores the Range', async () => {
    // A part left by an earlier run (deterministic, unlike a connection dropped mid-body, whose
    // bytes may or may not reach the disk before the socket closes on a loaded machine).
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, 'model.safetensors.part'), model.subarray(0, 50_000));
    hub.faults.ignoreRange = true;
    const result = await downloadModel(fast({ files: ['model.safetensors'] }));
    expect(result.files[0].sha256).toBe(sha256(model));
    expect(cdnRequests().map((r) => r.range)).toEqual(['bytes=50000-']);
    expect(statSync(join(cacheDir, 'model.safetensors')).size).toBe(model.length);
  });

  it('retries 503 answers', async () => {
    hub.faults.unavailableTimes = 2;
    const result = await downloadModel(fast({ files: ['model.safetensors'] }));
    expect(result.files[0].size).toBe(model.length);
    expect(cdnRequests()).toHaveLength(3);
  });

  it('rejects a file whose sha256 is not the announced one, deletes it and says what to do', async () => {
    hub.faults.corruptWith = Uint8Array.from(model, (v, i) => (i === 1234 ? v ^ 1 : v));
    const err = await downloadError(fast());
    expect(err.code).toBe('HASH_MISMATCH');
    expect(err.message).toContain(`has sha256 ${sha256(hub.faults.corruptWith)}, not the hub's ${sha256(model)}`);
    expect(err.message).toContain(`To install the model by hand, download ${hub.endpoint}/${REPO}/resolve/main/config.json and ${hub.endpoint}/${REPO}/resolve/main/model.safetensors and put the files in ${cacheDir}`);
    expect(readdirSync(cacheDir)).toEqual(['config.json']);
  });

  it('checks a caller-given sha256 too', async () => {
    const err = await downloadError(fast({ files: ['config.json'], expectedSha256: { 'config.json': '0'.repeat(64) } }));
    expect(err.code).toBe('HASH_MISMATCH');
    expect(err.message).toMatch(/not the expected 0{64}/);
  });

  it('rejects a file shorter than announced', async () => {
    hub.faults.announceSize = model.length + 10;
    const err = await downloadError(fast({ files: ['model.safetensors'], retries: 1 }));
    expect(err.code).toBe('SIZE_MISMATCH');
    expect(err.message).toMatch(new RegExp(`gave ${model.length} bytes but the server announced ${model.length + 10}`));
  });

  it('reports a missing file as NOT_FOUND with its address', async () => {
    const err = await downloadError(fast({ files: ['pytorch_model.bin'] }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(`${hub.endpoint}/${REPO}/resolve/main/pytorch_model.bin does not exist (HTTP 404 EntryNotFound)`);
    expect(hub.requests).toHaveLength(1); // no retries for a 404
  });

  it('says it is offline when nothing answers, and how to install the files by hand', async () => {
    const endpoint = await refusedEndpoint();
    const err = await downloadError({ endpoint, cacheDir, retries: 1, retryDelayMs: 5 });
    expect(err.code).toBe('OFFLINE');
    expect(err.message).toContain(`cannot reach ${endpoint} to download config.json (ECONNREFUSED`);
    expect(err.message).toContain(`download ${endpoint}/${REPO}/resolve/main/config.json and ${endpoint}/${REPO}/resolve/main/model.safetensors and put the files in ${cacheDir}`);
    expect(err.file).toBe(join(cacheDir, 'config.json'));
  });

  it('sends the token to the hub but not to the file host it redirects to', async () => {
    const cdn = await startFakeHub(REPO, files);
    const hubWithCdn = await startFakeHub(REPO, files, { cdnEndpoint: cdn.endpoint });
    try {
      await downloadModel({ endpoint: hubWithCdn.endpoint, cacheDir, token: 'secret' });
      expect(hubWithCdn.requests.map((r) => r.authorization)).toEqual(['Bearer secret', 'Bearer secret']);
      expect(cdn.requests.map((r) => [r.url, r.authorization])).toEqual([['/cdn/model.safetensors', undefined]]);
    } finally {
      await Promise.all([cdn.close(), hubWithCdn.close()]);
    }
  });

  it('stops with ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    hub.faults.dropAfterBytes = 10_000;
    hub.faults.dropTimes = 100;
    const err = await downloadError(fast({ files: ['model.safetensors'], retryDelayMs: 10_000, signal: controller.signal, onProgress: (p) => p.bytes > 0 && controller.abort() }));
    expect(err.code).toBe('ABORTED');
  });

  it.each([
    [{ repo: 'not a repo' }, /repo must look like "owner\/name"/],
    [{ files: ['../../etc/passwd'] }, /invalid file name/],
    [{ files: [] }, /no files/],
    [{ expectedSha256: { 'config.json': 'abc' } }, /not a 64-digit hex sha256/],
  ] as const)('rejects bad options %#', async (options, message) => {
    const err = await downloadError({ ...fast(), ...options } as DownloadModelOptions);
    expect(err.code).toBe('INVALID_OPTION');
    expect(err.message).toMatch(message);
  });
});

describe('defaultModelCacheDir', () => {
  afterEach(() => vi.unstubAllEnvs());
  it('uses $WSP_CACHE_DIR, then $XDG_CACHE_HOME/wsp, then ~/.cache/wsp', () => {
    vi.stubEnv('WSP_CACHE_DIR', '/srv/wsp');
    expect(defaultModelCacheDir()).toBe('/srv/wsp/models/aufklarer/WeSpeaker-ResNet34-LM-MLX');
    expect(defaultModelCacheDir('a/b', 'v1.0')).toBe('/srv/wsp/models/a/b@v1.0');
    vi.stubEnv('WSP_CACHE_DIR', '');
    vi.stubEnv('XDG_CACHE_HOME', '/xdg');
    expect(defaultModelCacheDir('a/b')).toBe('/xdg/wsp/models/a/b');
    vi.stubEnv('XDG_CACHE_HOME', '');
    expect(defaultModelCacheDir('a/b')).toBe(join(homedir(), '.cache', 'wsp', 'models', 'a', 'b'));
  });
});
