import type { NdArray } from 'ndarray';
import { float32Tensor } from './tensor.js';

/** PyTorch's BatchNorm2d default epsilon, which the MLX converter used (model-spec §1.1). */
export const BATCH_NORM_EPSILON = 1e-5;

export interface BatchNormParams {
  weight: Float32Array;
  bias: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
}

/**
 * Folds an inference-mode BatchNorm into the convolution before it:
 * `scale = gamma / sqrt(var + eps)`, `W' = W · scale[o]`, `b' = beta − mean · scale`.
 * Works for any layout whose first axis is the output channel (OIHW and OHWI alike). Every step is
 * rounded to float32, as the reference converter's numpy float32 arithmetic does.
 */
export function fuseBatchNorm(
  convWeight: NdArray<Float32Array>,
  bn: BatchNormParams,
  epsilon = BATCH_NORM_EPSILON,
): { weight: NdArray<Float32Array>; bias: NdArray<Float32Array> } {
  const outChannels = convWeight.shape[0];
  const perChannel = convWeight.size / outChannels;
  const weight = float32Tensor(convWeight.shape);
  const bias = float32Tensor([outChannels]);
  const src = convWeight.data;
  const f = Math.fround;
  for (let o = 0; o < outChannels; o++) {
    const scale = f(bn.weight[o] / f(Math.sqrt(f(bn.runningVar[o] + f(epsilon)))));
    for (let j = 0; j < perChannel; j++) {
      weight.data[o * perChannel + j] = f(src[convWeight.offset + o * perChannel + j] * scale);
    }
    bias.data[o] = f(bn.bias[o] - f(bn.runningMean[o] * scale));
  }
  return { weight, bias };
}
