// wsp enroll / wsp identify: the registry file round trip, checked against the embeddings wsp embed
// prints (voiceprint = normalised mean of the normalised embeddings).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, tinyModelDir, work, wsp } from './helpers/wsp.js';

let model: string;
beforeAll(async () => {
  model = await tinyModelDir();
});

const A1 = 'fixtures/audio/speech-a1.wav';
const A2 = 'fixtures/audio/speech-a2.wav';
const B1 = 'fixtures/audio/speech-b1.wav';
const B8K = 'fixtures/speaker/embed/speech-b1-8000.wav';

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('wsp enroll + wsp identify', () => {
  it('enrols, saves, and identifies with the cosine to each voiceprint', async () => {
    const registry = join(work, 'speakers.json');
    const alice = await wsp(['enroll', '--registry', registry, '--name', 'alice', A1, A2, '--model', model]);
    expect(alice.code).toBe(0);
    expect(alice.stdout).toMatch(/enrolled 2 recordings for 'alice' \(2 in total\) in .*speakers\.json, 1 speaker/);
    const bob = jsonLines((await wsp(['enroll', '--registry', registry, '--name', 'bob', B1, '--model', model, '--json'])).stdout)[0];
    expect(bob).toEqual({ registry, name: 'bob', added: 1, count: 1, speakers: 2 });

    const file = JSON.parse(readFileSync(registry, 'utf8'));
    expect(file).toMatchObject({ format: 'wsp-speaker-registry', formatVersion: 1, dimension: 16 });
    expect(file.speakers.map((s: { name: string; count: number }) => [s.name, s.count])).toEqual([
      ['alice', 2],
      ['bob', 1],
    ]);

    const embedded = jsonLines((await wsp(['embed', A1, A2, B1, B8K, '--model', model, '--json'])).stdout);
    const embeddings: Record<string, number[]> = Object.fromEntries(embedded.map((l) => [l.input as string, l.embedding as number[]]));
    const aliceVoice = unit(embeddings[A1].map((v, i) => v + embeddings[A2][i]));
    const bobVoice = unit(embeddings[B1]);

    const r = await wsp(['identify', '--registry', registry, A1, B8K, '--top-k', '2', '--model', model, '--json']);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout) as { input: string; matches: { name: string; score: number }[] }[];
    expect(lines.map((l) => l.input)).toEqual([A1, B8K]);
    for (const line of lines) {
      const q = embeddings[line.input];
      expect(line.matches).toHaveLength(2);
      const expected = [
        { name: 'alice', score: dot(unit(q), aliceVoice) },
        { name: 'bob', score: dot(unit(q), bobVoice) },
      ].sort((x, y) => y.score - x.score);
      line.matches.forEach((m, i) => {
        expect(m.name).toBe(expected[i].name);
        expect(m.score).toBeCloseTo(expected[i].score, 5);
      });
    }
    // Enrolling more for a known name updates the count; identify text output ranks them.
    expect((await wsp(['enroll', '--registry', registry, '--name', 'bob', B8K, '--model', model])).stdout).toMatch(/'bob' \(2 in total\)/);
    const text = await wsp(['identify', '--registry', registry, A1, '--model', model]);
    expect(text.stdout).toMatch(/^fixtures\/audio\/speech-a1\.wav: (alice|bob) -?\d\.\d{4}\n$/);
  });

  it('a threshold above every score gives no match (exit 0, empty list)', async () => {
    const registry = join(work, 'one.json');
    await wsp(['enroll', '--registry', registry, '--name', 'bob', B1, '--model', model]);
    const r = await wsp(['identify', '--registry', registry, A1, '--threshold', '1', '--model', model, '--json']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ input: A1, matches: [] }]);
    const text = await wsp(['identify', '--registry', registry, A1, '--threshold', '1', '--model', model]);
    expect(text.stdout).toBe(`${A1}: no match at or above 1\n`);
  });

  it('bad registries: missing (identify), corrupt (left untouched), from another model', async () => {
    const missing = await wsp(['identify', '--registry', join(work, 'none.json'), A1, '--model', model]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/none\.json: no such registry file \(enrol speakers first/);

    const corrupt = join(work, 'corrupt.json');
    writeFileSync(corrupt, '{"format": "wsp-speaker-registry", "formatVersion": 1, "speakers": [');
    const before = readFileSync(corrupt);
    const r = await wsp(['enroll', '--registry', corrupt, '--name', 'x', A1, '--model', model]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/corrupt\.json: /);
    expect(readFileSync(corrupt)).toEqual(before);

    const other = join(work, 'other-model.json');
    writeFileSync(other, JSON.stringify({ format: 'wsp-speaker-registry', formatVersion: 1, dimension: 3, speakers: [{ name: 'z', count: 1, mean: [1, 0, 0] }] }));
    const mismatch = await wsp(['identify', '--registry', other, A1, '--model', model]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/other-model\.json: the registry holds 3-d voiceprints but this model gives 16-d embeddings/);
    const enrolMismatch = await wsp(['enroll', '--registry', other, '--name', 'q', A1, '--model', model]);
    expect(enrolMismatch.code).toBe(2);
    expect(JSON.parse(readFileSync(other, 'utf8')).speakers).toHaveLength(1);
  });
});
