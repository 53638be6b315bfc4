/**
 * Command-line parsing on `node:util` parseArgs (strict: unknown options are usage errors), with
 * typed accessors that turn malformed values into usage errors, and the `--help` text built from
 * the same option table the parser uses.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './exit-codes.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder in the help, e.g. `DIR`. */
  value?: string;
  description: string;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Progress bars are drawn (stderr is a TTY, or --progress). */
  progress: boolean;
  /** stderr is a terminal (redraw in place) or not (one line per update). */
  tty: boolean;
  verbose: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  description?: string;
  positionals: { min: number; max: number };
  options: Record<string, OptionSpec>;
  examples: string[];
  run(args: Args, io: Io): Promise<void>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
  verbose: { type: 'boolean', description: 'Print stack traces and extra detail on errors' },
  progress: { type: 'boolean', description: 'Draw progress on stderr even when it is not a terminal' },
};

type Value = string | boolean | string[] | undefined;

export class Args {
  constructor(
    readonly command: string,
    readonly values: Record<string, Value>,
    readonly positionals: string[],
  ) {}

  #usage(message: string): UsageError {
    return new UsageError(`${message} (see wsp ${this.command} --help)`);
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined || v === '') throw this.#usage(`--${name} is required`);
    return v;
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T;
  choice<T extends string>(name: string, choices: readonly T[]): T | undefined;
  choice<T extends string>(name: string, choices: readonly T[], fallback?: T): T | undefined {
    const v = this.string(name);
    if (v === undefined) return fallback;
    if (!choices.includes(v as T)) throw this.#usage(`--${name} must be one of ${choices.join(', ')}, got '${v}'`);
    return v as T;
  }

  number(name: string, range: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    const { min = -Infinity, max = Infinity, integer = false } = range;
    if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n)) || n < min || n > max) {
      const kind = integer ? 'an integer' : 'a number';
      const bounds = min > -Infinity && max < Infinity ? ` in [${min}, ${max}]` : min > -Infinity ? ` >= ${min}` : max < Infinity ? ` <= ${max}` : '';
      throw this.#usage(`--${name} must be ${kind}${bounds}, got '${v}'`);
    }
    return n;
  }

  integer(name: string, fallback: number, min = 1): number {
    return this.number(name, { min, integer: true }) ?? fallback;
  }

  /** A comma-separated list of positive integers, e.g. `--batch 1,4,8`. */
  integerList(name: string, fallback: readonly number[]): number[] {
    const v = this.string(name);
    if (v === undefined) return [...fallback];
    const items = v.split(',').map((s) => s.trim());
    if (items.some((s) => !/^[1-9]\d*$/.test(s))) throw this.#usage(`--${name} must be a comma-separated list of positive integers, got '${v}'`);
    return items.map(Number);
  }
}

export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): Args {
  const options = { ...COMMON_OPTIONS, ...spec.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\.$/, '')} (see wsp ${spec.name} --help)`);
  }
  const args = new Args(spec.name, parsed.values as Record<string, Value>, parsed.positionals);
  if (args.flag('help')) return args;
  const n = args.positionals.length;
  const { min, max } = spec.positionals;
  if (n < min || n > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    const noun = (min === max ? min : max === Infinity ? min : max) === 1 ? 'argument' : 'arguments';
    throw new UsageError(`expected ${want} ${noun}, got ${n}: usage: ${spec.usage}`);
  }
  return args;
}

const pad = (s: string, width: number) => (s.length >= width ? `${s}  ` : s.padEnd(width));

/** The `--help` text of a command. */
export function commandHelp(spec: CommandSpec): string {
  const options = { ...spec.options, ...COMMON_OPTIONS };
  const labels = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.description] as const;
  });
  const width = Math.min(34, Math.max(...labels.map(([f]) => f.length)) + 2);
  return [
    `wsp ${spec.name}: ${spec.summary}`,
    '',
    `Usage: ${spec.usage}`,
    ...(spec.description ? ['', spec.description] : []),
    '',
    'Options:',
    ...labels.map(([f, d]) => `  ${pad(f, width)}${d}`),
    ...(spec.examples.length ? ['', 'Examples:', ...spec.examples.map((e) => `  ${e}`)] : []),
    '',
  ].join('\n');
}
