// Types of the bench kit (index.mjs, peers.mjs) for TypeScript callers such as apps/bench.

export declare const repoRoot: string;
export declare const resultsDir: string;
export declare const partsDir: string;
export declare const smoke: boolean;
export declare const benchModel: 'full' | 'tiny';
export declare const REFERENCE_PYTHON: string;

export interface Summary {
  iterations: number;
  mean: number;
  std: number;
  min: number;
  p10: number;
  p50: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
}

export declare function summarize(samples: readonly number[]): Summary;

export declare function measure(
  fn: () => unknown,
  options?: { warmup?: number; iterations?: number; minTimeMs?: number },
): Promise<Summary>;

export type Contender = (() => unknown) | { run: () => unknown; selfTimed?: boolean };

export declare function measureInterleaved<K extends string>(
  contenders: Record<K, Contender>,
  options?: {
    warmup?: number;
    rounds?: number;
    budgetMs?: number;
    minRounds?: number;
    settleMs?: number;
    turnWarmup?: number;
    turnWarmupMaxMs?: number;
  },
): Promise<Record<K, Summary>>;

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  loadAverage: number[];
}

export declare function machineFacts(): MachineFacts;

export declare function writeBenchPart(name: string, results: readonly object[], extra?: Record<string, unknown>): string;

export declare function markdownTable(rows: readonly Record<string, unknown>[]): string;

export interface OrtPeer {
  name: 'onnxruntime-node';
  version: string;
  threads: number;
  run(features: Float32Array, batch: number, frames: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export declare function startOrtPeer(
  onnx: Uint8Array | string,
  options?: { threads?: number; inputName?: string; outputName?: string; nMels?: number },
): Promise<OrtPeer | { unavailable: string }>;

export interface TorchPeer {
  name: 'pytorch';
  version: string;
  torchaudio: string;
  threads: number;
  request(request: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export declare function startTorchPeer(
  modelDir: string,
  options?: { threads?: number; pooling?: string; python?: string },
): Promise<TorchPeer | { unavailable: string }>;
