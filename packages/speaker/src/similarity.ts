/**
 * Comparing embeddings. `similarity` is the raw cosine in [-1, 1] (what sherpa-onnx and the
 * registry report); WeSpeaker's Python API reports `(cos + 1) / 2` in [0, 1], which
 * `cosineToScore` computes and `scoreToCosine` undoes (to reuse a threshold from a WeSpeaker setup).
 */
import { EmbeddingError } from './errors.js';

/** An embedding: any array of numbers (Float32Array from the model, or a plain array from JSON). */
export type EmbeddingLike = ArrayLike<number>;

/** Checks that `v` is a usable vector and returns its L2 norm (float64). */
export function embeddingNorm(v: EmbeddingLike, what = 'embedding'): number {
  if (v.length === 0) throw new EmbeddingError(`${what} is empty`, { code: 'EMPTY_EMBEDDING' });
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  if (!Number.isFinite(sum)) throw new EmbeddingError(`${what} contains NaN or infinite values`, { code: 'NON_FINITE_EMBEDDING' });
  if (sum === 0) throw new EmbeddingError(`${what} is all zeros (it has no direction to compare)`, { code: 'ZERO_EMBEDDING' });
  return Math.sqrt(sum);
}

export function checkDimension(v: EmbeddingLike, dimension: number, what = 'embedding'): void {
  if (v.length !== dimension) {
    throw new EmbeddingError(`${what} has ${v.length} dimensions, expected ${dimension}`, { code: 'DIMENSION_MISMATCH' });
  }
}

/** Cosine similarity in [-1, 1], accumulated in float64. Same dimension required, no zero vectors. */
export function similarity(a: EmbeddingLike, b: EmbeddingLike): number {
  checkDimension(b, a.length, 'second embedding');
  const na = embeddingNorm(a, 'first embedding');
  const nb = embeddingNorm(b, 'second embedding');
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return Math.min(1, Math.max(-1, dot / (na * nb)));
}

function checkRange(value: number, lo: number, hi: number, what: string): void {
  if (!(value >= lo && value <= hi)) throw new EmbeddingError(`${what} must be in [${lo}, ${hi}], got ${value}`, { code: 'INVALID_SCORE' });
}

/** WeSpeaker's score: maps a cosine in [-1, 1] to (cos + 1) / 2 in [0, 1]. */
export function cosineToScore(cos: number): number {
  checkRange(cos, -1, 1, 'cosine');
  return (cos + 1) / 2;
}

/** The inverse of `cosineToScore`: a WeSpeaker score (or threshold) in [0, 1] as a cosine. */
export function scoreToCosine(score: number): number {
  checkRange(score, 0, 1, 'score');
  return score * 2 - 1;
}
