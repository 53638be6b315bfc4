/** Facts about this machine, recorded next to measurements and shown by `wsp doctor`. */
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAverage: number[];
}

export function machineFacts(): MachineFacts {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${platform()}-${arch()}`,
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

/** SIMD features the CPU backends care about, from /proc/cpuinfo (Linux); empty elsewhere. */
export function cpuFeatures(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return [];
  }
  const line = /^(flags|Features)\s*:\s*(.*)$/m.exec(text);
  if (!line) return [];
  const have = new Set(line[2].split(/\s+/));
  const wanted = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'asimd', 'asimdhp', 'sve', 'sve2', 'bf16', 'i8mm'];
  return wanted.filter((f) => have.has(f));
}
