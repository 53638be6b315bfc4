/**
 * Progress on stderr, only when asked for (stderr is a terminal, or --progress): on a terminal one
 * bar redrawn in place (at most every 100 ms), elsewhere one plain line per update, so logs stay
 * readable. stdout is never touched, so piped JSON stays clean.
 */
import type { Io } from './args.js';

export interface Progress {
  update(completed: number, total: number | undefined, label?: string): void;
  /** Ends the bar (a newline on a terminal). */
  done(): void;
}

const WIDTH = 24;
const silent: Progress = { update() {}, done() {} };

function formatBytesOrCount(n: number, bytes: boolean): string {
  if (!bytes) return String(n);
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function createProgress(io: Io, title: string, options: { bytes?: boolean } = {}): Progress {
  if (!io.progress) return silent;
  let last = 0;
  let drawn = false;
  const line = (completed: number, total: number | undefined, label?: string) => {
    const count = `${formatBytesOrCount(completed, !!options.bytes)}${total ? `/${formatBytesOrCount(total, !!options.bytes)}` : ''}`;
    const fraction = total ? Math.min(1, completed / total) : undefined;
    const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '-')}] `;
    return `${title} ${bar}${count}${label ? ` ${label}` : ''}`;
  };
  return {
    update(completed, total, label) {
      if (!io.tty) {
        io.err(`${line(completed, total, label)}\n`);
        return;
      }
      const now = Date.now();
      if (now - last < 100 && !(total !== undefined && completed >= total)) return;
      last = now;
      drawn = true;
      io.err(`\r\x1b[2K${line(completed, total, label)}`);
    },
    done() {
      if (io.tty && drawn) io.err('\n');
      drawn = false;
    },
  };
}
