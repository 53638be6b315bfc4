/**
 * The machine's compute limits, so every GFLOP/s figure can be read as a share of them:
 * - the fp32 FMA peak from the native CPU backend's micro-benchmark (independent FMA chains in
 *   the widest SIMD the CPU has, on 1 thread and on all), when the addon loads here;
 * - the SGEMM rate of PyTorch's BLAS (a large float32 matrix product), a practical ceiling that
 *   needs no addon, when /usr/bin/python3 has torch.
 * Each is reported with how it was measured, or why it was not.
 */
import type { TorchPeer } from '@wsp/benchkit';
import { loadNativeAddon } from '@wsp/backend-cpu/native';
import { median } from '../stats.js';

export interface FmaPeak {
  method: string;
  isa: string;
  oneThread: number;
  allThreads: number;
  threads: number;
}

export interface SgemmRate {
  method: string;
  gflopPerSecond: number;
  size: number;
  threads: number;
}

export interface Limits {
  fmaPeak: FmaPeak | { unavailable: string };
  sgemm: SgemmRate | { unavailable: string };
}

/** The native backend's peak micro-benchmark, when its addon is built and loads on this machine. */
export function nativeFmaPeak(threads: number, seconds: number): FmaPeak | { unavailable: string } {
  const loaded = loadNativeAddon();
  if (!loaded.ok) return { unavailable: `the native CPU addon does not load here: ${loaded.reason}` };
  const { addon } = loaded;
  return {
    method: `@wsp/backend-cpu native measureFmaPeak: register-only FMA chains, ${addon.defaultIsa}, ${seconds} s per measurement`,
    isa: addon.defaultIsa,
    oneThread: addon.measureFmaPeak(addon.defaultIsa, 1, seconds),
    allThreads: addon.measureFmaPeak(addon.defaultIsa, threads, seconds),
    threads,
  };
}

export async function torchSgemm(torch: TorchPeer | undefined, size: number, iterations: number): Promise<SgemmRate | { unavailable: string }> {
  if (!torch) return { unavailable: 'PyTorch is not available here' };
  const reply = (await torch.request({ mode: 'sgemm', size, iterations })) as { gflops: number[] };
  return {
    method: `torch.mm ${size}x${size} float32 (PyTorch ${torch.version} BLAS), median of ${iterations}`,
    gflopPerSecond: median(reply.gflops),
    size,
    threads: torch.threads,
  };
}
