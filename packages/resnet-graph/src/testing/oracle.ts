/**
 * The float64 oracle: every op and the whole network, written to be read and checked against
 * model-spec §2, not to be fast. Tensors are plain row-major NCHW `Float64Array`s. It does not use
 * the graph code (so a bug there cannot hide here); the block structure comes from
 * `architecture(config)` like everything else.
 */
import type { NdArray } from 'ndarray';
import { architecture } from '@wsp/weights';
import type { TensorMap, WeSpeakerConfig } from '@wsp/weights';
import { POOLING_VARIANTS } from '../pooling.js';
import type { PoolingVariant } from '../spi.js';
import { L2_NORM_EPSILON } from '../spi.js';

/** A row-major float64 tensor. */
export interface RefTensor {
  shape: number[];
  data: Float64Array;
}

type AnyNdArray = NdArray<Float32Array | Float64Array>;

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A float64 row-major copy of any ndarray view. */
export function refFromHost(t: AnyNdArray): RefTensor {
  const shape = [...t.shape];
  const data = new Float64Array(sizeOf(shape));
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < data.length; i++) {
    let src = t.offset;
    for (let d = 0; d < shape.length; d++) src += index[d] * t.stride[d];
    data[i] = t.data[src];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return { shape, data };
}

export interface RefConvOptions {
  stride: 1 | 2;
  padding: 0 | 1;
  relu: boolean;
  residual?: RefTensor;
}

/**
 * `out[b,o,f,t] = bias[o] + Σ_i Σ_kh Σ_kw W[o,kh,kw,i] · x[b,i, s·f+kh−p, s·t+kw−p]` (zero outside),
 * then + residual, then ReLU. `weight` is MLX `[O, kH, kW, I]`: kh runs over frequency, kw over time.
 */
export function refConv2d(x: RefTensor, weight: AnyNdArray, bias: AnyNdArray, o: RefConvOptions): RefTensor {
  const [B, I, F, T] = x.shape;
  const w = refFromHost(weight);
  const [O, K, , WI] = w.shape;
  if (WI !== I) throw new Error(`oracle conv2d: input has ${I} channels, weight expects ${WI}`);
  const b = refFromHost(bias).data;
  const s = o.stride;
  const p = o.padding;
  const Fo = Math.floor((F + 2 * p - K) / s) + 1;
  const To = Math.floor((T + 2 * p - K) / s) + 1;
  const out = new Float64Array(B * O * Fo * To);

  for (let n = 0; n < B; n++) {
    for (let oc = 0; oc < O; oc++) {
      const plane = (n * O + oc) * Fo * To;
      out.fill(b[oc], plane, plane + Fo * To);
      for (let ic = 0; ic < I; ic++) {
        const inPlane = (n * I + ic) * F * T;
        for (let kh = 0; kh < K; kh++) {
          for (let kw = 0; kw < K; kw++) {
            const wv = w.data[((oc * K + kh) * K + kw) * I + ic];
            // Add the shifted, strided input plane times this tap, over the outputs whose input
            // position s·t + kw − p falls inside [0, T) (the rest read zero padding).
            const tFirst = Math.max(0, Math.ceil((p - kw) / s));
            const tLast = Math.min(To - 1, Math.floor((T - 1 + p - kw) / s));
            for (let f = 0; f < Fo; f++) {
              const fi = s * f + kh - p;
              if (fi < 0 || fi >= F) continue;
              for (let t = tFirst; t <= tLast; t++) {
                out[plane + f * To + t] += wv * x.data[inPlane + fi * T + (s * t + kw - p)];
              }
            }
          }
        }
      }
    }
  }
  if (o.residual) for (let i = 0; i < out.length; i++) out[i] += o.residual.data[i];
  if (o.relu) for (let i = 0; i < out.length; i++) out[i] = Math.max(0, out[i]);
  return { shape: [B, O, Fo, To], data: out };
}

/**
 * `[B, C, F, T]` -> `[B, 2·C·F]`: row j = c·F + f; means over T, then the standard deviation of
 * the variant (unbiased or not, epsilon inside the root), two-pass.
 */
export function refStatsPool(x: RefTensor, variant: PoolingVariant): RefTensor {
  const [B, C, F, T] = x.shape;
  const { unbiased, epsilon } = POOLING_VARIANTS[variant];
  const rows = C * F;
  const out = new Float64Array(B * 2 * rows);
  for (let n = 0; n < B; n++) {
    for (let j = 0; j < rows; j++) {
      const start = (n * rows + j) * T; // [B, C, F, T] flattened: (n, c·F + f) rows of length T
      let sum = 0;
      for (let t = 0; t < T; t++) sum += x.data[start + t];
      const mean = sum / T;
      let squares = 0;
      for (let t = 0; t < T; t++) squares += (x.data[start + t] - mean) ** 2;
      const variance = squares / (unbiased ? T - 1 : T);
      out[n * 2 * rows + j] = mean;
      out[n * 2 * rows + rows + j] = Math.sqrt(variance + epsilon);
    }
  }
  return { shape: [B, 2 * rows], data: out };
}

/** `y[b, n] = Σ_k W[n, k] · x[b, k] + bias[n]`. */
export function refLinear(x: RefTensor, weight: AnyNdArray, bias: AnyNdArray): RefTensor {
  const [B, K] = x.shape;
  const w = refFromHost(weight);
  const [N] = w.shape;
  const b = refFromHost(bias).data;
  const out = new Float64Array(B * N);
  for (let n = 0; n < B; n++) {
    for (let j = 0; j < N; j++) {
      let acc = b[j];
      for (let k = 0; k < K; k++) acc += w.data[j * K + k] * x.data[n * K + k];
      out[n * N + j] = acc;
    }
  }
  return { shape: [B, N], data: out };
}

/** Each row divided by max(‖row‖₂, 1e-12). */
export function refL2Normalize(x: RefTensor): RefTensor {
  const [B, N] = x.shape;
  const out = new Float64Array(B * N);
  for (let n = 0; n < B; n++) {
    let sq = 0;
    for (let j = 0; j < N; j++) sq += x.data[n * N + j] ** 2;
    const norm = Math.max(Math.sqrt(sq), L2_NORM_EPSILON);
    for (let j = 0; j < N; j++) out[n * N + j] = x.data[n * N + j] / norm;
  }
  return { shape: [B, N], data: out };
}

export interface RefEmbedOptions {
  pooling?: PoolingVariant;
  normalize?: boolean;
}

export interface RefEmbedResult {
  /** `[B, embedding_dim]`, normalised when asked. */
  embedding: RefTensor;
  /** `stem`, `layer1` … `layerN`, `pooled`, `embedding` (before normalisation), `normalized`. */
  stages: Map<string, RefTensor>;
}

/**
 * The whole network (model-spec §2.2): features `[B, T, n_mels]` -> `[1, F, T]` per item, stem
 * conv + ReLU, BasicBlocks, statistics pooling, linear, optional L2 normalisation.
 */
export function refEmbed(
  model: { config: WeSpeakerConfig; tensors: TensorMap },
  features: AnyNdArray,
  options: RefEmbedOptions = {},
): RefEmbedResult {
  const arch = architecture(model.config);
  const param = (name: string) => {
    const t = model.tensors.get(name);
    if (!t) throw new Error(`oracle: model tensor '${name}' is missing`);
    return t;
  };
  const conv = (x: RefTensor, name: string, stride: 1 | 2, kernel: 1 | 3, relu: boolean, residual?: RefTensor) =>
    refConv2d(x, param(`${name}.weight`), param(`${name}.bias`), { stride, padding: kernel === 3 ? 1 : 0, relu, residual });

  const stages = new Map<string, RefTensor>();
  const [B, T, M] = features.shape;
  // [B, T, M] -> [B, 1, M, T]: frequency is the first spatial axis, time the second.
  const input = refFromHost(features.transpose(0, 2, 1));
  let x: RefTensor = { shape: [B, 1, M, T], data: input.data };

  x = conv(x, 'conv1', 1, 3, true);
  stages.set('stem', x);
  arch.stages.forEach((blocks, s) => {
    for (const block of blocks) {
      const h = conv(x, `${block.name}.conv1`, block.stride, 3, true);
      const r = block.hasShortcut ? conv(x, `${block.name}.shortcut`, block.stride, 1, false) : x;
      x = conv(h, `${block.name}.conv2`, 1, 3, true, r);
    }
    stages.set(`layer${s + 1}`, x);
  });
  const pooled = refStatsPool(x, options.pooling ?? 'pyannote');
  stages.set('pooled', pooled);
  let embedding = refLinear(pooled, param('embedding.weight'), param('embedding.bias'));
  stages.set('embedding', embedding);
  if (options.normalize ?? true) {
    embedding = refL2Normalize(embedding);
    stages.set('normalized', embedding);
  }
  return { embedding, stages };
}
