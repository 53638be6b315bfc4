import type { PoolingVariant } from './spi.js';

/** How one pooling variant computes the standard deviation (model-spec §2.3). */
export interface PoolingDefinition {
  /** Divide the squared deviations by T' − 1 (true) or by T' (false). */
  unbiased: boolean;
  /** Added to the variance inside the square root. */
  epsilon: number;
  /** Where this definition comes from. */
  source: string;
}

export const POOLING_VARIANTS: Readonly<Record<PoolingVariant, PoolingDefinition>> = Object.freeze({
  pyannote: { unbiased: true, epsilon: 0, source: 'pyannote StatsPool: unbiased, no epsilon (the default)' },
  wespeaker: { unbiased: true, epsilon: 1e-7, source: 'WeSpeaker TSTP: unbiased, sqrt(var + 1e-7)' },
  mlx: { unbiased: false, epsilon: 1e-10, source: 'speech-swift MLX: biased (ddof 0), sqrt(var + 1e-10)' },
});

export const POOLING_VARIANT_NAMES = Object.keys(POOLING_VARIANTS) as PoolingVariant[];

export function isPoolingVariant(value: unknown): value is PoolingVariant {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(POOLING_VARIANTS, value);
}

/**
 * Pooled time steps the variant needs for a finite statistic: 2 for the unbiased ones (one step
 * gives 0/0, and WeSpeaker's epsilon does not rescue NaN), 1 for the biased one.
 */
export function minimumPooledFrames(variant: PoolingVariant): number {
  return POOLING_VARIANTS[variant].unbiased ? 2 : 1;
}
