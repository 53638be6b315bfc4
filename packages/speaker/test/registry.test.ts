import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cosine, l2Normalize } from '@wsp/testkit';
import { seededRandom } from '@wsp/weights';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddingError, RegistryError, SpeakerRegistry, cosineToScore, createRegistry, scoreToCosine, similarity } from '../src/index.js';

const DIM = 256;
const rnd = seededRandom(2024);
const randomVector = (scale = 1) => Float32Array.from({ length: DIM }, () => rnd.normal() * scale);
/** Utterances of one synthetic "speaker": a fixed direction plus noise, at random loudness. */
function utterances(base: Float32Array, n: number, noise = 0.3): Float32Array[] {
  return Array.from({ length: n }, () => {
    const gain = 0.5 + rnd.uniform() * 3;
    return Float32Array.from(base, (v) => (v + rnd.normal() * noise) * gain);
  });
}
/** Float64 oracle: normalise(mean(normalise(e_i))). */
function oracleVoiceprint(list: Float32Array[]): Float64Array {
  const mean = new Float64Array(DIM);
  for (const e of list) l2Normalize(e).forEach((v, i) => (mean[i] += v / list.length));
  return l2Normalize(mean);
}

const alice = randomVector();
const bob = randomVector();
const carol = randomVector();
const aliceUtts = utterances(alice, 5);
const bobUtts = utterances(bob, 3);
const carolUtts = utterances(carol, 1);

function errorOf(fn: () => unknown): { name: string; code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as RegistryError;
  }
  throw new Error('expected an error');
}

describe('similarity and scores', () => {
  it('is the float64 cosine, in [-1, 1]', () => {
    const [a, b] = [randomVector(), randomVector()];
    expect(similarity(a, b)).toBeCloseTo(cosine(a, b), 14);
    expect(similarity(a, a)).toBeCloseTo(1, 14);
    expect(similarity(a, Float32Array.from(a, (v) => -2 * v))).toBeCloseTo(-1, 14);
    expect(Math.abs(similarity(a, a))).toBeLessThanOrEqual(1);
    expect(similarity([1, 0], [0, 3])).toBe(0);
  });

  it('maps to and from WeSpeaker scores', () => {
    expect(cosineToScore(-1)).toBe(0);
    expect(cosineToScore(0.5)).toBe(0.75);
    expect(scoreToCosine(0.75)).toBe(0.5);
    expect(errorOf(() => cosineToScore(1.5)).code).toBe('INVALID_SCORE');
    expect(errorOf(() => scoreToCosine(NaN)).code).toBe('INVALID_SCORE');
  });

  it.each([
    ['different dimensions', () => similarity(new Float32Array(3).fill(1), new Float32Array(4).fill(1)), 'DIMENSION_MISMATCH', /second embedding has 4 dimensions, expected 3/],
    ['a zero vector', () => similarity([0, 0], [1, 1]), 'ZERO_EMBEDDING', /first embedding is all zeros/],
    ['NaN', () => similarity([1, NaN], [1, 1]), 'NON_FINITE_EMBEDDING', /NaN or infinite/],
    ['empty', () => similarity([], []), 'EMPTY_EMBEDDING', /is empty/],
  ])('rejects %s', (_name, fn, code, message) => {
    const err = errorOf(fn);
    expect(err).toBeInstanceOf(EmbeddingError);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });
});

describe('SpeakerRegistry enrolment and identification', () => {
  const registry = createRegistry();
  registry.enroll('alice', aliceUtts);
  registry.enroll('bob', bobUtts);
  registry.enroll('carol', carolUtts[0]);

  it('stores the re-normalised mean of normalised embeddings', () => {
    expect(registry.dimension).toBe(DIM);
    expect(registry.list()).toEqual([
      { name: 'alice', count: 5 },
      { name: 'bob', count: 3 },
      { name: 'carol', count: 1 },
    ]);
    for (const [name, list] of [['alice', aliceUtts], ['bob', bobUtts], ['carol', carolUtts]] as const) {
      const oracle = oracleVoiceprint(list);
      const ours = registry.voiceprint(name);
      for (let i = 0; i < DIM; i++) expect(ours[i]).toBeCloseTo(oracle[i], 7);
    }
  });

  it('updates a known speaker as if all utterances were enrolled together', () => {
    const stepwise = createRegistry();
    stepwise.enroll('alice', aliceUtts.slice(0, 2));
    expect(stepwise.enroll('alice', aliceUtts.slice(2)).count).toBe(5);
    const query = utterances(alice, 1)[0];
    expect(stepwise.score('alice', query)).toBeCloseTo(registry.score('alice', query), 12);
    // Not the same as averaging the two partial voiceprints with equal weight:
    const naive = l2Normalize(oracleVoiceprint(aliceUtts.slice(0, 2)).map((v, i) => v + oracleVoiceprint(aliceUtts.slice(2))[i]));
    expect(Math.abs(cosine(naive, registry.voiceprint('alice')) - 1)).toBeGreaterThan(1e-6);
  });

  it('identifies the right speaker with its cosine as the score', () => {
    const query = utterances(bob, 1)[0];
    const [best] = registry.identify(query);
    expect(best.name).toBe('bob');
    expect(best.score).toBeCloseTo(cosine(query, oracleVoiceprint(bobUtts)), 6);
  });

  it('returns the top k sorted by score, filtered by the threshold', () => {
    const query = utterances(alice, 1)[0];
    const all = registry.identify(query, { topK: 10 });
    expect(all.map((m) => m.name)).toEqual(['alice', ...all.slice(1).map((m) => m.name)]);
    expect(all).toHaveLength(3);
    for (let i = 1; i < all.length; i++) expect(all[i - 1].score).toBeGreaterThanOrEqual(all[i].score);
    const strict = registry.identify(query, { topK: 10, threshold: (all[0].score + all[1].score) / 2 });
    expect(strict.map((m) => m.name)).toEqual(['alice']);
  });

  it('returns an empty list (never an empty name) when nobody passes the threshold', () => {
    const stranger = randomVector();
    expect(registry.identify(stranger, { threshold: 0.5 })).toEqual([]);
    expect(createRegistry().identify(stranger)).toEqual([]);
  });

  it('verifies a claimed identity against a cosine threshold', () => {
    const query = utterances(carol, 1)[0];
    const score = registry.score('carol', query);
    expect(registry.verify('carol', query, score - 1e-9)).toEqual({ score, accepted: true });
    expect(registry.verify('carol', query, Math.min(1, score + 1e-9)).accepted).toBe(false);
    expect(registry.verify('alice', query, 0.5).accepted).toBe(false);
  });

  it('has, remove and list', () => {
    const r = createRegistry();
    r.enroll('x', carolUtts);
    expect(r.has('x')).toBe(true);
    expect(r.remove('x')).toBe(true);
    expect(r.remove('x')).toBe(false);
    expect(r.has('x')).toBe(false);
    expect(r.list()).toEqual([]);
    expect(r.size).toBe(0);
  });

  it.each([
    ['a wrong dimension', (r: SpeakerRegistry) => r.enroll('dave', new Float32Array(128).fill(1)), EmbeddingError, 'DIMENSION_MISMATCH', /embedding for 'dave' has 128 dimensions, expected 256/],
    ['a wrong query dimension', (r: SpeakerRegistry) => r.identify(new Float32Array(10).fill(1)), EmbeddingError, 'DIMENSION_MISMATCH', /has 10 dimensions/],
    ['a zero embedding among several', (r: SpeakerRegistry) => r.enroll('dave', [randomVector(), new Float32Array(DIM)]), EmbeddingError, 'ZERO_EMBEDDING', /embedding 1 for 'dave' is all zeros/],
    ['NaN', (r: SpeakerRegistry) => r.enroll('dave', Float32Array.from(randomVector(), (v, i) => (i === 7 ? NaN : v))), EmbeddingError, 'NON_FINITE_EMBEDDING', /NaN/],
    ['an empty list', (r: SpeakerRegistry) => r.enroll('dave', []), EmbeddingError, 'EMPTY_EMBEDDING', /no embeddings given to enrol 'dave'/],
    ['cancelling embeddings', (r: SpeakerRegistry) => r.enroll('dave', [alice, Float32Array.from(alice, (v) => -v)]), EmbeddingError, 'ZERO_EMBEDDING', /cancel out/],
    ['an empty name', (r: SpeakerRegistry) => r.enroll('', alice), RegistryError, 'INVALID_NAME', /non-empty string/],
    ['an unknown speaker', (r: SpeakerRegistry) => r.verify('zoe', alice, 0.5), RegistryError, 'UNKNOWN_SPEAKER', /no speaker named 'zoe' \(enrolled: alice\)/],
    ['a threshold out of range', (r: SpeakerRegistry) => r.verify('alice', alice, 60), RegistryError, 'INVALID_THRESHOLD', /threshold is a cosine and must be in \[-1, 1\], got 60/],
    ['topK 0', (r: SpeakerRegistry) => r.identify(alice, { topK: 0 }), RegistryError, 'INVALID_OPTION', /topK/],
  ])('rejects %s with a typed error and changes nothing', (_name, fn, type, code, message) => {
    const r = createRegistry();
    r.enroll('alice', aliceUtts);
    const before = JSON.stringify(r.toJSON());
    const err = errorOf(() => fn(r));
    expect(err).toBeInstanceOf(type);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(JSON.stringify(r.toJSON())).toBe(before);
  });

  it('honours a dimension fixed up front', () => {
    const r = createRegistry({ dimension: 4 });
    expect(errorOf(() => r.enroll('a', [1, 2, 3])).code).toBe('DIMENSION_MISMATCH');
    r.enroll('a', [1, 2, 3, 4]);
    expect(r.score('a', [2, 4, 6, 8])).toBeCloseTo(1, 15);
    expect(errorOf(() => createRegistry({ dimension: 0 })).code).toBe('INVALID_OPTION');
  });
});

describe('SpeakerRegistry JSON and files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-registry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const registry = createRegistry();
  registry.enroll('alice', aliceUtts);
  registry.enroll('bob', bobUtts);
  const query = utterances(alice, 1)[0];

  it('round-trips through JSON text with the same scores and counts', () => {
    const copy = SpeakerRegistry.fromJSON(JSON.parse(JSON.stringify(registry)));
    expect(copy.list()).toEqual(registry.list());
    expect(copy.identify(query, { topK: 2 })).toEqual(registry.identify(query, { topK: 2 }));
    // Enrolling more after the round trip weighs the stored mean by its count.
    copy.enroll('bob', aliceUtts[0]);
    const direct = createRegistry();
    direct.enroll('bob', [...bobUtts, aliceUtts[0]]);
    expect(copy.score('bob', query)).toBeCloseTo(direct.score('bob', query), 12);
  });

  it('writes the documented shape', () => {
    const json = registry.toJSON();
    expect(json.format).toBe('wsp-speaker-registry');
    expect(json.formatVersion).toBe(1);
    expect(json.dimension).toBe(256);
    expect(json.speakers.map((s) => [s.name, s.count, s.mean.length])).toEqual([
      ['alice', 5, 256],
      ['bob', 3, 256],
    ]);
    expect(createRegistry().toJSON()).toEqual({ format: 'wsp-speaker-registry', formatVersion: 1, dimension: null, speakers: [] });
  });

  const valid = () => JSON.parse(JSON.stringify(registry.toJSON()));
  it.each([
    ['an array', () => [], 'CORRUPT_FILE', /expected a JSON object/],
    ['another format', () => ({ ...valid(), format: 'x' }), 'CORRUPT_FILE', /format is "x"/],
    ['a newer version', () => ({ ...valid(), formatVersion: 2 }), 'UNSUPPORTED_VERSION', /version 2 was written by a newer @wsp\/speaker; this version reads version 1/],
    ['a version string', () => ({ ...valid(), formatVersion: '1' }), 'CORRUPT_FILE', /unknown registry formatVersion "1"/],
    ['a bad dimension', () => ({ ...valid(), dimension: -3 }), 'CORRUPT_FILE', /dimension must be a positive integer/],
    ['speakers not an array', () => ({ ...valid(), speakers: {} }), 'CORRUPT_FILE', /speakers must be an array/],
    ['a short mean', () => { const j = valid(); j.speakers[1].mean.pop(); return j; }, 'CORRUPT_FILE', /speakers\[1\]\.mean must be 256 finite numbers/],
    ['a null in the mean', () => { const j = valid(); j.speakers[0].mean[3] = null; return j; }, 'CORRUPT_FILE', /speakers\[0\]\.mean/],
    ['a zero count', () => { const j = valid(); j.speakers[0].count = 0; return j; }, 'CORRUPT_FILE', /count must be a positive integer/],
    ['a duplicate name', () => { const j = valid(); j.speakers[1].name = 'alice'; return j; }, 'CORRUPT_FILE', /'alice' appears twice/],
    ['a missing name', () => { const j = valid(); delete j.speakers[0].name; return j; }, 'CORRUPT_FILE', /name must be a non-empty string/],
    ['a zero mean', () => { const j = valid(); j.speakers[0].mean = j.speakers[0].mean.map(() => 0); return j; }, 'CORRUPT_FILE', /all zeros/],
  ])('fromJSON rejects %s', (_name, make, code, message) => {
    const err = errorOf(() => SpeakerRegistry.fromJSON(make(), { file: 'reg.json' }));
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(/^reg\.json: /);
    expect(err.message).toMatch(message);
  });

  it('saves and loads a file, leaving no temporary file behind', async () => {
    const path = join(dir, 'speakers.json');
    await registry.save(path);
    const loaded = await SpeakerRegistry.load(path);
    expect(loaded.identify(query, { topK: 2 })).toEqual(registry.identify(query, { topK: 2 }));
    expect(readdirSync(dir)).toEqual(['speakers.json']);
    // Saving again replaces the file.
    loaded.remove('bob');
    await loaded.save(path);
    expect((await SpeakerRegistry.load(path)).list()).toEqual([{ name: 'alice', count: 5 }]);
  });

  it('names the file when loading fails', async () => {
    const missing = join(dir, 'missing.json');
    await expect(SpeakerRegistry.load(missing)).rejects.toMatchObject({ code: 'LOAD_FAILED', message: `${missing}: could not read the speaker registry: no such file` });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"format": "wsp-speaker-registry", "formatVersion": 1, "speak');
    await expect(SpeakerRegistry.load(broken)).rejects.toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringMatching(/broken\.json: speaker registry is not valid JSON/) });
    rmSync(broken);
  });

  it('reports a save into a missing folder as SAVE_FAILED', async () => {
    const path = join(dir, 'no-such-folder', 'speakers.json');
    await expect(registry.save(path)).rejects.toMatchObject({ name: 'RegistryError', code: 'SAVE_FAILED', file: path });
  });

  it('keeps the old file intact when the process is killed in the middle of a save', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    if (!existsSync(dist)) throw new Error(`${dist} is missing: build the package first (pnpm turbo run build --filter=@wsp/speaker)`);
    const folder = mkdtempSync(join(dir, 'crash-'));
    const path = join(folder, 'speakers.json');
    const oldText = JSON.stringify(registry.toJSON()) + '\n';
    writeFileSync(path, oldText);
    // The child saves a bigger registry; its FileHandle.writeFile writes half of the data, fsyncs,
    // and then the process SIGKILLs itself: a crash after the temporary file got real bytes.
    const child = `
      import { open } from 'node:fs/promises';
      const { createRegistry } = await import(${JSON.stringify(pathToFileURL(dist).href)});
      const probe = await open(process.execPath, 'r');
      const FileHandle = Object.getPrototypeOf(probe);
      await probe.close();
      FileHandle.writeFile = async function (data) {
        const bytes = Buffer.from(data);
        await this.write(bytes.subarray(0, bytes.length >> 1));
        await this.sync();
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => {});
      };
      const r = createRegistry();
      for (let s = 0; s < 50; s++) r.enroll('speaker-' + s, Float32Array.from({ length: 256 }, (_, i) => Math.sin(i * (s + 1))));
      await r.save(${JSON.stringify(path)});
      console.log('save finished (the crash did not happen)');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8', timeout: 30_000 });
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout).not.toMatch(/save finished/);
    // The half-written temporary file is there (so the crash really was mid-write) ...
    const leftovers = readdirSync(folder).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toHaveLength(1);
    expect(leftovers[0]).toMatch(/^\.speakers\.json\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect(() => JSON.parse(readFileSync(join(folder, leftovers[0]), 'utf8'))).toThrow();
    // ... and the registry file is exactly the old one, and loads.
    expect(readFileSync(path, 'utf8')).toBe(oldText);
    return SpeakerRegistry.load(path).then((loaded) => expect(loaded.list()).toEqual(registry.list()));
  });
});
