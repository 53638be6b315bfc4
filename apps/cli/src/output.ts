/** Small output helpers shared by the commands: JSON lines, numbers, Markdown tables, files. */
import { writeFile } from 'node:fs/promises';
import type { Io } from './args.js';
import { InputError } from './exit-codes.js';

/** One JSON object per line on stdout. */
export function jsonLine(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value)}\n`);
}

/** Embedding values as JSON numbers: float32 values in their shortest round-trip form. */
export function embeddingNumbers(e: Float32Array): number[] {
  return Array.from(e, (v) => Number(v.toPrecision(9)));
}

export function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

/** A Markdown table (the format the Python port's README uses). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') + '\n';
}

/** Writes a file the user named; a failure is bad input (exit 2) naming the file. */
export async function writeUserFile(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (e) {
    throw new InputError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Decoder and resampling warnings, one line each on stderr. */
export function warn(io: Io, warnings: readonly string[], file: string): void {
  for (const w of warnings) io.err(`wsp: warning: ${file}: ${w}\n`);
}
