// The ResNet goldens written by tools/reference/resnet_goldens.py (PyTorch float32): reading them,
// regenerating the exact model and inputs they were made from, and comparing against them.
import { createHash } from 'node:crypto';
import { encodeSafetensors, generateSyntheticModel } from '@wsp/weights';
import type { SyntheticModel, WeSpeakerConfig } from '@wsp/weights';
import { cosine } from './compare.js';
import { readGoldenJson } from './fixtures.js';

export interface ResnetGoldenStage {
  shape: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
  meanAbs: number;
  /** floor(i · size / samplesPerStage) into the row-major NCHW (or [B, N]) activation. */
  sampleIndices: number[];
  samples: number[];
}

export interface ResnetGoldenCase {
  id: string;
  pooling: 'pyannote' | 'wespeaker' | 'mlx';
  batch: number;
  frames: number;
  /** Seed of `syntheticFeatures(batch, frames, n_mels, seed)` from @wsp/resnet-graph/testing. */
  featureSeed: number;
  featuresSha256: string;
  /** stem, layer1 … layerN, pooled. */
  stages: Record<string, ResnetGoldenStage>;
  embedding: number[][];
  normalized: number[][];
}

export interface ResnetGoldens {
  generator: string;
  torch: string;
  model: { name: string; seed: number; config: WeSpeakerConfig; safetensorsSha256: string };
  samplesPerStage: number;
  cases: ResnetGoldenCase[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export function readResnetGoldens(model: 'tiny' | 'full'): ResnetGoldens {
  return readGoldenJson<ResnetGoldens>('resnet-graph', `goldens-${model}.json`);
}

/**
 * Regenerates the synthetic model the goldens were computed from, and checks that its
 * model.safetensors bytes hash to the recorded SHA-256 (so a changed generator cannot pass silently).
 */
export function goldenModel(goldens: ResnetGoldens): SyntheticModel {
  const model = generateSyntheticModel(goldens.model.config, { seed: goldens.model.seed });
  const hash = sha256(encodeSafetensors(model.tensors, { layout: 'ohwi' }));
  if (hash !== goldens.model.safetensorsSha256) {
    throw new Error(
      `the regenerated '${goldens.model.name}' model hashes to ${hash}, the goldens were made from ${goldens.model.safetensorsSha256}; ` +
        'generateSyntheticModel changed: rerun tools/reference/resnet_goldens.py',
    );
  }
  return model;
}

/** Checks regenerated features against the hash recorded with the case. */
export function checkGoldenFeatures(c: ResnetGoldenCase, data: Float32Array): void {
  const hash = sha256(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (hash !== c.featuresSha256) {
    throw new Error(`${c.id}: regenerated features hash to ${hash}, the goldens used ${c.featuresSha256}; rerun tools/reference/resnet_goldens.py`);
  }
}

/**
 * A stage activation (row-major, any float array) against its golden summary: every sampled value
 * within `relative` × the stage's largest magnitude, and mean and std within `relative` of their
 * scales. Returns the worst sampled difference as a fraction of that magnitude.
 */
export function compareGoldenStage(label: string, golden: ResnetGoldenStage, actual: ArrayLike<number>, relative: number): number {
  const size = golden.shape.reduce((a, b) => a * b, 1);
  if (actual.length !== size) throw new Error(`${label}: ${actual.length} values, the golden stage has ${size} [${golden.shape}]`);
  const scale = Math.max(Math.abs(golden.min), Math.abs(golden.max), 1e-30);
  let worst = 0;
  golden.sampleIndices.forEach((index, i) => {
    const d = Math.abs(actual[index] - golden.samples[i]) / scale;
    if (!(d <= relative)) {
      throw new Error(`${label}: value [${index}] is ${actual[index]}, PyTorch ${golden.samples[i]} (|diff| ${d.toExponential(2)} of scale ${scale})`);
    }
    worst = Math.max(worst, d);
  });
  let sum = 0;
  for (let i = 0; i < size; i++) sum += actual[i];
  const mean = sum / size;
  let sq = 0;
  for (let i = 0; i < size; i++) sq += (actual[i] - mean) ** 2;
  const std = Math.sqrt(sq / size);
  if (!(Math.abs(mean - golden.mean) <= relative * Math.max(golden.meanAbs, 1e-30))) {
    throw new Error(`${label}: mean ${mean}, PyTorch ${golden.mean}`);
  }
  if (!(Math.abs(std - golden.std) <= relative * Math.max(golden.std, 1e-30))) {
    throw new Error(`${label}: std ${std}, PyTorch ${golden.std}`);
  }
  return worst;
}

export interface EmbeddingAgreement {
  minCosine: number;
  maxAbsDiff: number;
}

/** Per-item cosine and max |diff| of `[B, E]` embeddings (row-major) against golden rows. */
export function embeddingAgreement(actual: ArrayLike<number>, golden: number[][]): EmbeddingAgreement {
  const dim = golden[0].length;
  if (actual.length !== golden.length * dim) throw new Error(`${actual.length} values, the golden has ${golden.length} × ${dim}`);
  let minCosine = 1;
  let maxAbsDiff = 0;
  golden.forEach((row, b) => {
    const mine = Array.from({ length: dim }, (_, j) => actual[b * dim + j]);
    minCosine = Math.min(minCosine, cosine(mine, row));
    for (let j = 0; j < dim; j++) {
      const d = Math.abs(mine[j] - row[j]);
      maxAbsDiff = Number.isNaN(d) ? NaN : Math.max(maxAbsDiff, d);
    }
  });
  return { minCosine, maxAbsDiff };
}
