// Loads the native addon on first use. Importing this package never loads it, and a missing or
// broken addon is reported (by isAvailable) instead of thrown at import time.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';

/** One device tensor of the addon (float32, contiguous, row-major). */
export interface NativeTensor {
  readonly dims: number[];
  readonly disposed: boolean;
  dispose(): void;
}

export interface NativeWeights {
  dispose(): void;
}

export interface NativeProgramStep {
  kind: 'conv' | 'statsPool' | 'linear' | 'l2Normalize';
  input: number;
  output: number;
  residual?: number;
  relu?: boolean;
  /** 0 pyannote, 1 wespeaker, 2 mlx */
  pooling?: number;
  weights?: NativeWeights;
}

export interface NativeShapeInfo {
  batch: number;
  frames: number;
  captured: boolean;
  captureFailed: boolean;
  runs: number;
  deviceBytes: number;
}

export interface NativeProgram {
  run(features: Float32Array, batch: number, frames: number): Promise<{ data: Float32Array; dims: number[] }>;
  shapes(): NativeShapeInfo[];
  dispose(): void;
}

export interface NativeSession {
  upload(data: Float32Array, dims: number[]): NativeTensor;
  download(t: NativeTensor): Promise<Float32Array>;
  prepareConv(
    weightOIHW: Float32Array,
    bias: Float32Array,
    outChannels: number,
    inChannels: number,
    kernel: number,
    stride: number,
    padding: number,
  ): NativeWeights;
  prepareLinear(weightTransposed: Float32Array, bias: Float32Array, inFeatures: number, outFeatures: number): NativeWeights;
  conv2d(x: NativeTensor, conv: NativeWeights, relu: boolean, residual: NativeTensor | null): NativeTensor;
  statsPool(x: NativeTensor, pooling: number): NativeTensor;
  linear(x: NativeTensor, linear: NativeWeights): NativeTensor;
  l2Normalize(x: NativeTensor): NativeTensor;
  createProgram(
    steps: NativeProgramStep[],
    valueCount: number,
    melBins: number,
    options: { graphCapture: boolean; maxCachedShapes: number },
  ): NativeProgram;
  synchronize(): Promise<void>;
  memory(): { tensors: number; weights: number; liveBlocks: number; bytesInUse: number; bytesCached: number };
  info(): {
    device: number;
    precision: 'fp32' | 'hf32' | 'fp16';
    convolutionCubeMathType: number;
    matmulCubeMathType: number;
    deterministic: boolean;
    graphCaptureSupported: boolean;
  };
  takeWarnings(): string[];
  dispose(): boolean;
}

export interface NativeLoaderReport {
  status: 'ok' | 'library-not-found' | 'library-load-failed' | 'symbol-missing';
  message: string;
  library: string;
  symbol: string;
  searched: string[];
  loaded: string[];
  libraryDirectory: string;
  graphCapture: boolean;
  deterministicMode: boolean;
}

export interface NativeAddon {
  Session: new (options: { device: number; precision: string; deterministic: boolean }) => NativeSession;
  loaderReport(): NativeLoaderReport;
  countDevices(): number;
  deviceInfo(device: number): { socName: string | null; memoryFree?: number; memoryTotal?: number; aclVersion?: string };
  setEnvRole(isMainThread: boolean): void;
  testing: {
    /** JSON report of the fake CANN, or null with a real CANN. */
    fakeReport(): string | null;
    fakeInject(spec: string): void;
    setMutation(name: 'skip-sync-before-read', on: boolean): void;
  };
}

export type NativeLoad = { ok: true; addon: NativeAddon } | { ok: false; error: Error };

/** The package root: one level above both src/ (tests) and dist/ (published). */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let loaded: NativeLoad | undefined;

export function loadNative(): NativeLoad {
  if (loaded) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeAddon;
    const addon = nodeGypBuild(packageRoot);
    addon.setEnvRole(isMainThread);
    loaded = { ok: true, addon };
  } catch (e) {
    loaded = { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
  }
  return loaded;
}
