/**
 * The `wsp` command: dispatch, global flags, and the error policy: one line naming the file and the
 * problem on stderr (stack traces only with --verbose), exit 0 success / 1 usage / 2 bad input /
 * 3 environment.
 */
import { WspError } from '@wsp/weights';
import { commandHelp, parseCommandLine } from './args.js';
import type { CommandSpec, Io } from './args.js';
import { accuracy } from './commands/accuracy.js';
import { bench } from './commands/bench.js';
import { compare } from './commands/compare.js';
import { convert } from './commands/convert.js';
import { doctor } from './commands/doctor.js';
import { download } from './commands/download.js';
import { embed } from './commands/embed.js';
import { enroll } from './commands/enroll.js';
import { fbank } from './commands/fbank.js';
import { identify } from './commands/identify.js';
import { inspect } from './commands/inspect.js';
import { EXIT, InputError, UsageError, exitCodeFor } from './exit-codes.js';
import type { ExitCode } from './exit-codes.js';

export const COMMANDS: readonly CommandSpec[] = [embed, compare, fbank, convert, inspect, bench, accuracy, enroll, identify, download, doctor];

export function mainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `wsp ${version}: WeSpeaker ResNet34-LM speaker embeddings`,
    '',
    'Usage: wsp <command> [options]     (wsp <command> --help for its options)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Exit codes: 0 success, 1 usage error, 2 bad input (a file or value), 3 environment (no backend, download failed, internal error).',
    'Global options: --help, --verbose (stack traces), --progress (progress on stderr even when it is not a terminal), --version.',
    '',
  ].join('\n');
}

/** One line: the message (it names the file), or with --verbose the stack and causes. */
function describeError(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return String(error);
  const internal = !(error instanceof UsageError || error instanceof InputError || WspError.isInstance(error));
  // Library messages name API options; on the command line the flag is what to type.
  const message = error.message.replace(/\s*\n\s*/g, ' ').replace("pass shortInput: 'pad'", 'pass --short-input pad');
  const line = internal ? `internal error: ${message} (run with --verbose for the stack trace)` : message;
  if (!verbose) return line;
  let text = error.stack ?? line;
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) text += `\ncaused by: ${cause.stack ?? cause.message}`;
  return text;
}

export async function main(argv: readonly string[], io: Omit<Io, 'verbose' | 'progress'> & { progressDefault: boolean }, version: string): Promise<ExitCode> {
  const verbose = argv.includes('--verbose');
  const progress = argv.includes('--progress') || io.progressDefault;
  const ctx: Io = { out: io.out, err: io.err, tty: io.tty, verbose, progress };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    (name === undefined ? ctx.err : ctx.out)(topic ? commandHelp(topic) : mainHelp(version));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    ctx.out(`${version}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) {
      throw new UsageError(`unknown command '${name}'; commands: ${COMMANDS.map((c) => c.name).join(', ')} (see wsp --help)`);
    }
    const args = parseCommandLine(command, rest);
    if (args.flag('help')) {
      ctx.out(commandHelp(command));
      return EXIT.ok;
    }
    await command.run(args, ctx);
    return EXIT.ok;
  } catch (error) {
    ctx.err(`wsp${command ? ` ${command.name}` : ''}: ${describeError(error, verbose)}\n`);
    return exitCodeFor(error);
  }
}
