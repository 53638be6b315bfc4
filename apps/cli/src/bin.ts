// The `wsp` executable. Everything that can go wrong ends as one line on stderr and an exit code,
// including errors thrown outside the command (a broken pipe, a stray rejection).
import { createRequire } from 'node:module';
import { EXIT } from './exit-codes.js';
import { main } from './main.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

function fatal(error: unknown): void {
  const verbose = process.argv.includes('--verbose');
  const text = error instanceof Error ? (verbose ? (error.stack ?? error.message) : error.message) : String(error);
  process.stderr.write(`wsp: internal error: ${text}${verbose ? '' : ' (run with --verbose for the stack trace)'}\n`);
  process.exit(EXIT.environment);
}
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
// `wsp embed ... | head`: the reader went away; stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok);
  fatal(e);
});

const code = await main(
  process.argv.slice(2),
  {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    tty: process.stderr.isTTY === true,
    progressDefault: process.stderr.isTTY === true,
  },
  version,
);
process.exitCode = code;
