// Types of the objects the compiled addon (native/src/addon.cc) exports. Internal to the package.

export type NativeIsa = 'avx512' | 'avx2' | 'neon' | 'generic';
export type NativePooling = 'pyannote' | 'wespeaker' | 'mlx';

export interface NativeTensor {
  readonly shape: number[];
  readonly disposed: boolean;
  dispose(): void;
}

export interface NativePreparedConv2d {
  /** 'winograd-f4x4' | 'winograd-f2x2' | 'direct' */
  readonly algorithm: string;
  readonly disposed: boolean;
  dispose(): void;
}

export interface NativePreparedLinear {
  readonly disposed: boolean;
  dispose(): void;
}

/** One op of a whole-network plan; op i produces value i + 1, value 0 is the input [B, 1, F, T]. */
export type NativePlanOp =
  | { op: 'conv'; input: number; weights: NativePreparedConv2d; relu: boolean; residual?: number }
  | { op: 'pool'; input: number; variant: NativePooling }
  | { op: 'linear'; input: number; weights: NativePreparedLinear }
  | { op: 'l2'; input: number };

export interface NativePlan {
  /** features: [batch][frames][melBins] row-major; resolves to [batch][outputSize]. */
  run(features: Float32Array, batch: number, frames: number): Promise<Float32Array>;
  runSync(features: Float32Array, batch: number, frames: number): Float32Array;
  /** runSync that also returns the wall time of every op (benchmarks). */
  runProfiled(features: Float32Array, batch: number, frames: number): { output: Float32Array; opSeconds: Float64Array };
  readonly minimumFrames: number;
  readonly outputSize: number;
  readonly plannedBytes: number;
  readonly disposed: boolean;
  dispose(): void;
}

export interface NativeBackendOptions {
  /** Kernel set; default: the best this CPU runs. */
  isa?: NativeIsa | 'auto';
  /** Threads per parallel op (1 .. cores); default: every core. */
  threads?: number;
  /**
   * 'fp32' (default) or 'bf16': the Winograd products of the 3x3 convolutions in bf16 with fp32
   * accumulation (AVX512_BF16 CPUs only; everything else stays fp32). Trades accuracy for speed.
   */
  precision?: 'fp32' | 'bf16';
  /** Winograd tile for 3x3 stride-1 convolutions: 4 (F(4x4,3x3), default), 2 (F(2x2,3x3)) or 0 (direct). */
  winograd?: 0 | 2 | 4;
}

export interface NativeBackendHandle {
  readonly isa: NativeIsa;
  readonly threads: number;
  readonly precision: 'fp32' | 'bf16';
  /** weight: MLX layout [O, kH, kW, I], contiguous. */
  prepareConv2d(weight: Float32Array, shape: [number, number, number, number], bias: Float32Array, stride: 1 | 2, padding: 0 | 1): NativePreparedConv2d;
  /** weight: [N, K] row-major. */
  prepareLinear(weight: Float32Array, n: number, k: number, bias: Float32Array): NativePreparedLinear;
  /** data: contiguous row-major logical [B, C, F, T] or [B, N]. */
  upload(data: Float32Array, shape: number[]): NativeTensor;
  download(t: NativeTensor): Float32Array;
  conv2d(x: NativeTensor, w: NativePreparedConv2d, relu: boolean, residual?: NativeTensor | null): NativeTensor;
  statsPool(x: NativeTensor, variant: NativePooling): NativeTensor;
  linear(x: NativeTensor, w: NativePreparedLinear): NativeTensor;
  l2Normalize(x: NativeTensor): NativeTensor;
  compile(ops: NativePlanOp[], melBins: number): NativePlan;
  memory(): { tensors: number; preparedWeights: number; bytes: number };
}

export interface NativeAddon {
  NativeBackend: new (options?: NativeBackendOptions) => NativeBackendHandle;
  availableIsas(): NativeIsa[];
  /** GFLOP/s of a register-only FMA loop on `threads` threads (benchmark's peak reference). */
  measureFmaPeak(isa: NativeIsa, threads: number, seconds: number): number;
  readonly hardwareThreads: number;
  readonly defaultIsa: NativeIsa;
  readonly abi: string;
}
