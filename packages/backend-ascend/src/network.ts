// The whole network compiled into one native program: one call per inference, run on a libuv
// worker thread, with buffers planned per (batch, frames) shape and optional ACL graph replay.
import ndarray from 'ndarray';
import { architecture } from '@wsp/weights';
import type { NdArray, TensorMap, WeSpeakerConfig } from '@wsp/weights';
import type { AscendBackend, AscendConv2d, AscendLinear, PoolingVariant } from './backend.js';
import { POOLING_VARIANTS } from './backend.js';
import { AscendArgumentError, AscendDisposedError, native, nativeAsync } from './errors.js';
import { disposeSymbol } from './dispose.js';
import { packFloat32 } from './host.js';
import type { HostArray } from './host.js';
import type { NativeProgram, NativeProgramStep, NativeShapeInfo } from './native.js';

export interface CompileNetworkOptions {
  /** Statistics pooling variant (default 'pyannote'). */
  pooling?: PoolingVariant;
  /** L2-normalise the embedding (default true). */
  normalize?: boolean;
  /**
   * Capture the launch sequence of each (batch, frames) shape into an ACL graph on its second run
   * and replay it afterwards (aclmdlRI*). Default false. Falls back to eager launches, with a
   * warning, where capture fails.
   */
  graphCapture?: boolean;
  /** Shapes whose buffers (and graphs) are kept; least recently used beyond this are freed. Default 4. */
  maxCachedShapes?: number;
}

/** Frames after the stride-2 stages: ceil(T / 2) per stage after the first. */
export function pooledFrames(config: WeSpeakerConfig, frames: number): number {
  let t = frames;
  for (let s = 1; s < config.channels.length; s++) t = Math.ceil(t / 2);
  return t;
}

/** Fewest input frames for a finite statistic: 2 pooled frames for the unbiased variants, 1 for mlx. */
export function minimumFrames(config: WeSpeakerConfig, pooling: PoolingVariant): number {
  const need = pooling === 'mlx' ? 1 : 2;
  let frames = 1;
  while (pooledFrames(config, frames) < need) frames++;
  return frames;
}

export class AscendNetwork {
  private released = false;

  /** @internal */
  constructor(
    private readonly backend: AscendBackend,
    private readonly program: NativeProgram,
    private readonly weights: (AscendConv2d | AscendLinear)[],
    readonly config: WeSpeakerConfig,
    readonly pooling: PoolingVariant,
  ) {}

  /** features [B, T, n_mels] (any strides) -> embeddings [B, embedding_dim]. */
  async run(features: HostArray): Promise<NdArray<Float32Array>> {
    if (this.released) throw new AscendDisposedError('the compiled network was disposed', { code: 'ASCEND_DISPOSED' });
    this.backend.checkOpen();
    const [batch, frames, mels] = features.shape;
    if (features.shape.length !== 3 || mels !== this.config.n_mels || batch < 1) {
      throw new AscendArgumentError(
        `features must be [B, T, ${this.config.n_mels}], got [${features.shape.join(', ')}]`,
        { code: 'ASCEND_INVALID_ARGUMENT' },
      );
    }
    const minimum = minimumFrames(this.config, this.pooling);
    if (frames < minimum) {
      throw new AscendArgumentError(
        `${frames} frames are too few for ${this.pooling} pooling: at least ${minimum} are needed`,
        { code: 'INPUT_TOO_SHORT' },
      );
    }
    const data = packFloat32(features);
    const out = await nativeAsync(() => this.program.run(data, batch, frames));
    this.backend.flushWarnings();
    return ndarray(out.data, out.dims);
  }

  /** Shapes with planned buffers: runs so far, whether an ACL graph replays them, device bytes. */
  shapes(): NativeShapeInfo[] {
    return this.program.shapes();
  }

  get disposed(): boolean {
    return this.released;
  }

  dispose(): void {
    if (this.released) return;
    this.released = true;
    this.program.dispose();
    for (const w of this.weights) w.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

/**
 * Uploads the weights of `model` (MLX names and layouts) once and builds the native program of the
 * network: stem, residual stages, statistics pooling, embedding, optional L2 normalisation.
 */
export function compileNetwork(
  backend: AscendBackend,
  model: { config: WeSpeakerConfig; tensors: TensorMap },
  options: CompileNetworkOptions = {},
): AscendNetwork {
  const pooling = options.pooling ?? 'pyannote';
  if (!POOLING_VARIANTS.includes(pooling)) {
    throw new AscendArgumentError(`unknown pooling variant '${pooling}'`, { code: 'ASCEND_INVALID_ARGUMENT' });
  }
  const arch = architecture(model.config);
  const tensor = (name: string) => {
    const t = model.tensors.get(name);
    if (!t) throw new AscendArgumentError(`the weights have no tensor '${name}'`, { code: 'ASCEND_INVALID_ARGUMENT' });
    return t;
  };
  const weights: (AscendConv2d | AscendLinear)[] = [];
  const steps: NativeProgramStep[] = [];
  let values = 1; // value 0 is the input [B, 1, F, T]
  const conv = (name: string, input: number, stride: 1 | 2, relu: boolean, residual?: number): number => {
    const w = tensor(`${name}.weight`);
    const prepared = backend.prepareConv2d({ weight: w, bias: tensor(`${name}.bias`), stride, padding: w.shape[1] === 3 ? 1 : 0 });
    weights.push(prepared);
    const output = values++;
    steps.push({ kind: 'conv', input, output, relu, residual: residual ?? -1, weights: prepared.handle });
    return output;
  };

  try {
    let x = conv('conv1', 0, 1, true);
    for (const block of arch.stages.flat()) {
      const h = conv(`${block.name}.conv1`, x, block.stride, true);
      const shortcut = block.hasShortcut ? conv(`${block.name}.shortcut`, x, block.stride, false) : x;
      x = conv(`${block.name}.conv2`, h, 1, true, shortcut);
    }
    const pooled = values++;
    steps.push({ kind: 'statsPool', input: x, output: pooled, pooling: POOLING_VARIANTS.indexOf(pooling) });
    const embedding = backend.prepareLinear({ weight: tensor('embedding.weight'), bias: tensor('embedding.bias') });
    weights.push(embedding);
    let out = values++;
    steps.push({ kind: 'linear', input: pooled, output: out, weights: embedding.handle });
    if (options.normalize ?? true) {
      const normalized = values++;
      steps.push({ kind: 'l2Normalize', input: out, output: normalized });
      out = normalized;
    }
    const program = native(() =>
      backend.session.createProgram(steps, values, model.config.n_mels, {
        graphCapture: options.graphCapture ?? false,
        maxCachedShapes: options.maxCachedShapes ?? 4,
      }),
    );
    return new AscendNetwork(backend, program, weights, model.config, pooling);
  } catch (e) {
    for (const w of weights) w.dispose();
    throw e;
  }
}
