// The guide shows this package's backend in full; keep the listing identical to the file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');

describe('docs/guides/writing-a-backend.md', () => {
  const guide = read('../../../docs/guides/writing-a-backend.md');

  it('lists src/naive-backend.ts exactly as it is', () => {
    const marker = '<!-- file: examples/custom-backend/src/naive-backend.ts -->\n```ts\n';
    const start = guide.indexOf(marker);
    expect(start).toBeGreaterThan(0);
    const body = guide.slice(start + marker.length, guide.indexOf('```\n', start + marker.length));
    expect(body).toBe(read('../src/naive-backend.ts'));
  });

  it('shows the conformance test and the registration code as they are', () => {
    expect(guide).toContain(read('./conformance.test.ts'));
    expect(guide).toContain(read('../src/index.ts'));
  });
});
