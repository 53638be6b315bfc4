import { architecture } from './architecture.js';
import type { WeSpeakerConfig } from './config.js';

export type TensorRole = 'conv-weight' | 'bias' | 'linear-weight';

/** One expected tensor of the canonical (MLX, BatchNorm-fused) weight set. */
export interface TensorSpec {
  name: string;
  /** MLX layout: `[O, kH, kW, I]` for convolutions, `[out, in]` for the linear layer. */
  shape: number[];
  role: TensorRole;
}

/**
 * The expected MLX tensor names and shapes for a config (docs: model-spec §1.2): 74 tensors and
 * 6,630,080 parameters for ResNet34-LM.
 */
export function modelSpec(config: WeSpeakerConfig): TensorSpec[] {
  const arch = architecture(config);
  const specs: TensorSpec[] = [];
  const conv = (prefix: string, out: number, k: number, inp: number) => {
    specs.push({ name: `${prefix}.weight`, shape: [out, k, k, inp], role: 'conv-weight' });
    specs.push({ name: `${prefix}.bias`, shape: [out], role: 'bias' });
  };
  conv('conv1', arch.stemChannels, 3, 1);
  for (const block of arch.stages.flat()) {
    conv(`${block.name}.conv1`, block.outChannels, 3, block.inChannels);
    conv(`${block.name}.conv2`, block.outChannels, 3, block.outChannels);
    if (block.hasShortcut) conv(`${block.name}.shortcut`, block.outChannels, 1, block.inChannels);
  }
  specs.push({ name: 'embedding.weight', shape: [arch.embeddingDim, arch.poolingOutputDim], role: 'linear-weight' });
  specs.push({ name: 'embedding.bias', shape: [arch.embeddingDim], role: 'bias' });
  return specs;
}

/** Total parameter count of a spec. */
export function parameterCount(specs: readonly TensorSpec[]): number {
  return specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}
