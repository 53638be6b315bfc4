/**
 * A complete wsp-backend/1 backend in plain TypeScript: NCHW Float32Arrays and the textbook
 * direct convolution (one output value at a time). Slow on purpose — it exists to show every
 * part of the SPI in one file, and it passes the whole conformance suite.
 *
 * What a backend needs, and where this file does it:
 *   1. capabilities                          -> `capabilities`
 *   2. device objects with explicit lifetime -> `NaiveTensor`, `NaiveConv`, `NaiveLinear` (TrackedResource)
 *   3. upload/download (any strides in)      -> `upload`, `download`
 *   4. weight preparation (repacking)        -> `prepareConv2d`, `prepareLinear`
 *   5. the four layer ops                    -> `conv2d`, `statsPool`, `linear`, `l2Normalize`
 *   6. memory accounting and dispose         -> inherited from `TrackedBackend`
 * Argument checks come from @wsp/resnet-graph (validate*), so errors match every other backend.
 */
import ndarray from 'ndarray';
import {
  BACKEND_SPEC_VERSION,
  L2_NORM_EPSILON,
  POOLING_VARIANTS,
  TrackedBackend,
  TrackedResource,
  validateConv2d,
  validateConvWeights,
  validateL2Normalize,
  validateLinear,
  validateLinearWeights,
  validateStatsPool,
  validateUpload,
} from '@wsp/resnet-graph';
import type {
  Backend,
  BackendCapabilities,
  ConvEpilogue,
  Conv2dWeights,
  DeviceTensor,
  HostTensor,
  LinearWeights,
  PoolingVariant,
  PreparedConv2d,
  PreparedLinear,
  ResourceTracker,
} from '@wsp/resnet-graph';

/** A device tensor: here just a row-major Float32Array in the logical layout. */
class NaiveTensor extends TrackedResource implements DeviceTensor {
  readonly dtype = 'float32';
  constructor(
    tracker: ResourceTracker,
    readonly shape: readonly number[],
    readonly data: Float32Array,
  ) {
    super(tracker, 'tensor', data.byteLength);
  }
}

/** Convolution weights, kept in the MLX order `[O, kH, kW, I]` (a real backend repacks here). */
class NaiveConv extends TrackedResource implements PreparedConv2d {
  constructor(
    tracker: ResourceTracker,
    readonly weight: Float32Array,
    readonly bias: Float32Array,
    readonly outChannels: number,
    readonly inChannels: number,
    readonly kernel: 1 | 3,
    readonly stride: 1 | 2,
    readonly padding: 0 | 1,
  ) {
    super(tracker, 'preparedWeights', weight.byteLength + bias.byteLength);
  }
}

class NaiveLinear extends TrackedResource implements PreparedLinear {
  constructor(
    tracker: ResourceTracker,
    readonly weight: Float32Array,
    readonly bias: Float32Array,
    readonly outFeatures: number,
    readonly inFeatures: number,
  ) {
    super(tracker, 'preparedWeights', weight.byteLength + bias.byteLength);
  }
}

/** A dense row-major copy of any ndarray view. */
function dense(t: HostTensor): Float32Array {
  const out = new Float32Array(t.size);
  const index = new Array<number>(t.shape.length).fill(0);
  for (let n = 0; n < out.length; n++) {
    out[n] = t.get(...index);
    for (let d = t.shape.length - 1; d >= 0; d--) {
      if (++index[d] < t.shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

export class NaiveCpuBackend extends TrackedBackend implements Backend {
  readonly capabilities: BackendCapabilities = {
    specVersion: BACKEND_SPEC_VERSION,
    precision: 'fp32',
    asyncExecution: false,
    wholeGraph: false, // no compile(): the session runs it op by op
    poolingVariants: ['pyannote', 'wespeaker', 'mlx'],
  };

  constructor(name = 'example-naive') {
    super(name);
  }

  upload(host: HostTensor): DeviceTensor {
    this.tracker.assertUsable();
    const t = validateUpload(host);
    return new NaiveTensor(this.tracker, t.shape, dense(t));
  }

  async download(tensor: DeviceTensor): Promise<HostTensor> {
    const t = this.tracker.own(tensor, NaiveTensor, 'download() tensor');
    return ndarray(t.data.slice(), [...t.shape]);
  }

  prepareConv2d(weights: Conv2dWeights): PreparedConv2d {
    this.tracker.assertUsable();
    const p = validateConvWeights(weights);
    return new NaiveConv(this.tracker, dense(weights.weight), dense(weights.bias), p.outChannels, p.inChannels, p.kernel, p.stride, p.padding);
  }

  prepareLinear(weights: LinearWeights): PreparedLinear {
    this.tracker.assertUsable();
    const p = validateLinearWeights(weights);
    return new NaiveLinear(this.tracker, dense(weights.weight), dense(weights.bias), p.outFeatures, p.inFeatures);
  }

  conv2d(x: DeviceTensor, weights: PreparedConv2d, epilogue: ConvEpilogue): DeviceTensor {
    const input = this.tracker.own(x, NaiveTensor, 'conv2d input');
    const w = this.tracker.own(weights, NaiveConv, 'conv2d weights');
    const [B, O, Fo, To] = validateConv2d(input.shape, w, epilogue);
    const residual = epilogue.residual ? this.tracker.own(epilogue.residual, NaiveTensor, 'conv2d residual').data : undefined;
    const [, I, F, T] = input.shape;
    const { kernel: k, stride: s, padding: p } = w;
    const out = new Float32Array(B * O * Fo * To);
    let n = 0;
    for (let b = 0; b < B; b++)
      for (let o = 0; o < O; o++)
        for (let f = 0; f < Fo; f++)
          for (let t = 0; t < To; t++, n++) {
            // out[b,o,f,t] = bias[o] + Σ_i Σ_kh Σ_kw W[o,kh,kw,i] · x[b,i,s·f+kh−p,s·t+kw−p]
            let sum = w.bias[o];
            for (let kh = 0; kh < k; kh++) {
              const fi = s * f + kh - p;
              if (fi < 0 || fi >= F) continue;
              for (let kw = 0; kw < k; kw++) {
                const ti = s * t + kw - p;
                if (ti < 0 || ti >= T) continue;
                for (let i = 0; i < I; i++) {
                  sum += w.weight[((o * k + kh) * k + kw) * I + i] * input.data[((b * I + i) * F + fi) * T + ti];
                }
              }
            }
            if (residual) sum += residual[n];
            out[n] = epilogue.relu ? Math.max(0, sum) : sum;
          }
    return new NaiveTensor(this.tracker, [B, O, Fo, To], out);
  }

  statsPool(x: DeviceTensor, variant: PoolingVariant): DeviceTensor {
    const input = this.tracker.own(x, NaiveTensor, 'statsPool input');
    const [B, D] = validateStatsPool(input.shape, variant, this);
    const { unbiased, epsilon } = POOLING_VARIANTS[variant];
    const T = input.shape[3];
    const rows = D / 2; // C·F rows of T values: NCHW memory is already in c·F + f order
    const out = new Float32Array(B * D);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < rows; j++) {
        const row = input.data.subarray((b * rows + j) * T, (b * rows + j + 1) * T);
        const mean = row.reduce((a, v) => a + v, 0) / T;
        const squares = row.reduce((a, v) => a + (v - mean) * (v - mean), 0);
        out[b * D + j] = mean;
        out[b * D + rows + j] = Math.sqrt(squares / (unbiased ? T - 1 : T) + epsilon);
      }
    }
    return new NaiveTensor(this.tracker, [B, D], out);
  }

  linear(x: DeviceTensor, weights: PreparedLinear): DeviceTensor {
    const input = this.tracker.own(x, NaiveTensor, 'linear input');
    const w = this.tracker.own(weights, NaiveLinear, 'linear weights');
    const [B, N] = validateLinear(input.shape, w);
    const K = w.inFeatures;
    const out = new Float32Array(B * N);
    for (let b = 0; b < B; b++)
      for (let j = 0; j < N; j++) {
        let sum = w.bias[j];
        for (let kk = 0; kk < K; kk++) sum += w.weight[j * K + kk] * input.data[b * K + kk];
        out[b * N + j] = sum;
      }
    return new NaiveTensor(this.tracker, [B, N], out);
  }

  l2Normalize(x: DeviceTensor): DeviceTensor {
    const input = this.tracker.own(x, NaiveTensor, 'l2Normalize input');
    const [B, N] = validateL2Normalize(input.shape);
    const out = new Float32Array(B * N);
    for (let b = 0; b < B; b++) {
      const row = input.data.subarray(b * N, (b + 1) * N);
      const norm = Math.max(Math.hypot(...row), L2_NORM_EPSILON);
      for (let j = 0; j < N; j++) out[b * N + j] = row[j] / norm;
    }
    return new NaiveTensor(this.tracker, [B, N], out);
  }
}
