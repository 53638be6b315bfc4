/**
 * What this machine is, recorded next to measurements (`bench`, `accuracy`) and shown by `doctor`:
 * the CPU with the SIMD features the CPU backends dispatch on, memory, Node, and the load at the
 * time (a busy machine explains slow figures).
 */
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  /** SIMD features from /proc/cpuinfo (Linux; empty elsewhere), e.g. avx2, avx512f, asimd. */
  cpuFeatures: string[];
  memoryGiB: number;
  node: string;
  platform: string;
  loadAverage: number[];
}

const SIMD_FEATURES = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'asimd', 'asimdhp', 'sve', 'sve2', 'bf16', 'i8mm'];

function simdFeatures(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return [];
  }
  const line = /^(flags|Features)\s*:\s*(.*)$/m.exec(text);
  const have = new Set(line ? line[2].split(/\s+/) : []);
  return SIMD_FEATURES.filter((f) => have.has(f));
}

export function machineFacts(): MachineFacts {
  const [first] = cpus();
  return {
    cpuModel: first?.model ?? 'unknown',
    cores: cpus().length,
    cpuFeatures: simdFeatures(),
    memoryGiB: Math.round(totalmem() / 2 ** 27) / 8,
    node: process.version,
    platform: `${platform()}-${arch()}`,
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}
