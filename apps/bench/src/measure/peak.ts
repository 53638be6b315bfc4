/**
 * The machine's compute limits, so every GFLOP/s figure can be read as a share of them:
 * - the fp32 FMA peak from the native CPU backend's micro-benchmark (independent FMA chains in
 *   the widest SIMD the CPU has, on 1 thread and on all), when the addon loads here;
 * - the SGEMM rate of PyTorch's BLAS (a large float32 matrix product), a practical ceiling that
 *   needs no addon, when /usr/bin/python3 has torch.
 * Each is reported with how it was measured, or why it was not.
 */
import { median } from '../stats.js';
import type { TorchPeer } from '@wsp/benchkit';

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

interface NativeModule {
  loadNativeAddon(): { ok: true; addon: { measureFmaPeak(isa: string, threads: number, seconds: number): number } } | { ok: false; reason: string };
  createNativeCpu(options: { threads: number }): { isa: string; dispose(): void };
}

/** The native backend's peak micro-benchmark, when its addon is built and loads on this machine. */
export async function nativeFmaPeak(threads: number, seconds: number): Promise<FmaPeak | { unavailable: string }> {
  const specifier = '@wsp/backend-cpu/native';
  let native: NativeModule;
  try {
    native = (await import(specifier)) as NativeModule;
  } catch (e) {
    return { unavailable: `the native CPU backend is not installed here (${(e as Error).message.split('\n')[0]})` };
  }
  if (typeof native.loadNativeAddon !== 'function') return { unavailable: `${specifier} has no loadNativeAddon()` };
  const loaded = native.loadNativeAddon();
  if (!loaded.ok) return { unavailable: `the native addon does not load: ${loaded.reason}` };
  if (typeof loaded.addon.measureFmaPeak !== 'function') return { unavailable: 'the native addon has no measureFmaPeak()' };
  const backend = native.createNativeCpu({ threads });
  try {
    return {
      method: `@wsp/backend-cpu native measureFmaPeak (${backend.isa} FMA chains)`,
      isa: backend.isa,
      oneThread: loaded.addon.measureFmaPeak(backend.isa, 1, seconds),
      allThreads: loaded.addon.measureFmaPeak(backend.isa, threads, seconds),
      threads,
    };
  } finally {
    backend.dispose();
  }
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
