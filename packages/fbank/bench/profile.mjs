// Where the time of `fbank(10 s, 'wespeaker')` + `applyCmn` goes, per function of dist/.
//
//   node bench/profile.mjs [runs] [--no-inline]
//
// Runs the batch call `runs` times (default 2000) in a child node under --cpu-prof and prints the
// self time of each function. By default the code runs as it normally does, so V8 inlines the
// kernel's small stages into their callers (the FFT stages into the transform, the log into its
// writer): the profile shows the large pieces. --no-inline runs the child with
// --no-turbo-inlining, so every function keeps its own frame; that code is slower than the real
// one (calls per bin), so read it as which functions exist, not as their share. The stage costs in
// docs/decisions/fb-02-fbank-performance.md come from cutting the kernel short after each stage
// instead. Build first (pnpm build).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const { applyCmn, fbank } = await import('../dist/index.js');
  const runs = Number(process.argv[3]);
  const samples = new Float32Array(160000);
  let seed = 1;
  for (let i = 0; i < samples.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    samples[i] = 0.3 * Math.sin(i * 0.05) + 0.01 * (seed / 4294967296 - 0.5);
  }
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    applyCmn(fbank(samples, 'wespeaker'), { inPlace: true });
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`${runs} runs: median ${times[runs >> 1].toFixed(3)} ms, fastest ${times[0].toFixed(3)} ms`);
} else {
  const runs = process.argv.find((a) => /^\d+$/.test(a)) ?? '2000';
  const inline = !process.argv.includes('--no-inline');
  const dir = mkdtempSync(join(tmpdir(), 'wsp-fbank-profile-'));
  try {
    const flags = ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...(inline ? [] : ['--no-turbo-inlining'])];
    const child = spawnSync(process.execPath, [...flags, self, '--child', runs], { stdio: 'inherit' });
    if (child.status !== 0) process.exit(child.status ?? 1);
    const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'));
    const sampleTime = new Map();
    profile.samples.forEach((id, i) => sampleTime.set(id, (sampleTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
    const byFunction = new Map();
    let total = 0;
    for (const node of profile.nodes) {
      const t = sampleTime.get(node.id) ?? 0;
      total += t;
      const { functionName, url, lineNumber } = node.callFrame;
      const name = `${functionName || '(anonymous)'} ${url ? `${url.split('/').pop()}:${lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + t);
    }
    console.log(`self time per function (${inline ? 'inlining on' : '--no-turbo-inlining'}), total ${(total / 1000).toFixed(0)} ms:`);
    for (const [name, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
      console.log(`${((100 * t) / total).toFixed(1).padStart(6)} %  ${name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
