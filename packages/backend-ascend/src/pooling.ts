import type { PoolingVariant } from '@wsp/resnet-graph';

/** The pooling variants the addon implements, in the order of its Pooling enum (native/layer_ops.h). */
export const POOLING_VARIANTS: readonly PoolingVariant[] = ['pyannote', 'wespeaker', 'mlx'];
export const POOLING_INDEX: Readonly<Record<PoolingVariant, number>> = { pyannote: 0, wespeaker: 1, mlx: 2 };
