/** What the report says about the machine: CPU model, SIMD flags, cores, memory, OS, Node, load. */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** The instruction-set flags that decide which kernels can run (a subset of /proc/cpuinfo's). */
const SIMD_FLAG = /^(sse4_[12]|avx|avx2|fma|f16c|avx512\w*|amx\w*|avx_vnni|asimd\w*|sve\w*|neon|fphp|asimdhp)$/;

export interface MachineInfo {
  cpuModel: string;
  /** SIMD-related flags (x86 `flags` or arm64 `Features`), in /proc/cpuinfo order. */
  simdFlags: string[];
  /** Every flag of /proc/cpuinfo. */
  flags: string[];
  cpuMHz: number | null;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  platform: string;
}

/** Parses the first processor block of /proc/cpuinfo text. */
export function parseCpuinfo(text: string): { model?: string; flags: string[]; mhz?: number } {
  const field = (name: string) => text.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
  const flags = (field('flags') ?? field('Features') ?? '').split(/\s+/).filter(Boolean);
  const mhz = field('cpu MHz');
  return { model: field('model name') ?? field('Hardware'), flags, ...(mhz ? { mhz: Number(mhz) } : {}) };
}

export function machineInfo(cpuinfoPath = '/proc/cpuinfo'): MachineInfo {
  const info = existsSync(cpuinfoPath) ? parseCpuinfo(readFileSync(cpuinfoPath, 'utf8')) : { flags: [] as string[] };
  const list = cpus();
  return {
    cpuModel: info.model ?? list[0]?.model ?? 'unknown',
    simdFlags: info.flags.filter((f) => SIMD_FLAG.test(f)),
    flags: info.flags,
    cpuMHz: 'mhz' in info && info.mhz !== undefined ? info.mhz : null,
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${process.platform} ${release()}`,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export const loadAverage = (): number[] => loadavg().map((v) => Math.round(v * 100) / 100);
