import { spawnSync } from 'node:child_process';

/** Debian's interpreter, which has python3-torch/torchaudio/onnx when the reference tools are installed. */
export const REFERENCE_PYTHON = '/usr/bin/python3';

/**
 * Whether the reference interpreter can import every module listed. Returns the reason when not,
 * so a test can print it instead of skipping silently.
 */
export function pythonHas(...modules: string[]): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync(REFERENCE_PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `${REFERENCE_PYTHON} not runnable: ${r.error.message}` };
  if (r.status !== 0) {
    return { ok: false, reason: `${REFERENCE_PYTHON} lacks ${modules.join(', ')} (apt-get install python3-torch python3-torchaudio python3-onnx)` };
  }
  return { ok: true };
}

/** Runs a Python script with the reference interpreter; throws with its stderr on failure. */
export function runPython(script: string, args: string[] = [], timeoutMs = 300_000): string {
  const r = spawnSync(REFERENCE_PYTHON, [script, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${script} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}
