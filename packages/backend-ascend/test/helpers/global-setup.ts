import { spawnSync } from 'node:child_process';
import { FAKE_CANN_DIR } from './fake-cann.js';

/** Builds the fake CANN toolkits with make (incremental; a few seconds when fresh). */
export default function setup(): void {
  const r = spawnSync('make', ['-C', FAKE_CANN_DIR, '-j2', '--no-print-directory'], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run make to build the fake CANN: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`building the fake CANN failed:\n${r.stdout}\n${r.stderr}`);
}
