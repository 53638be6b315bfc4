/**
 * A speaker registry that knows nothing about the model: names mapped to voiceprints built from
 * embeddings.
 *
 * - Enrolment: each embedding is L2-normalised, and a speaker's voiceprint is the mean of their
 *   normalised embeddings, re-normalised. Enrolling more utterances for a known name updates the
 *   mean with the right weights (the registry keeps the count).
 * - Scores are raw cosines in [-1, 1] (as `similarity` returns), not WeSpeaker's (cos + 1) / 2;
 *   thresholds are cosines too. `scoreToCosine` converts a WeSpeaker-style threshold.
 * - Saved as JSON (`formatVersion` 1), written atomically.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { EmbeddingError, RegistryError } from './errors.js';
import { checkDimension, embeddingNorm } from './similarity.js';
import type { EmbeddingLike } from './similarity.js';

export const REGISTRY_FORMAT = 'wsp-speaker-registry';
export const REGISTRY_FORMAT_VERSION = 1;

export interface SpeakerMatch {
  name: string;
  /** Cosine between the query and the speaker's voiceprint, in [-1, 1]. */
  score: number;
}

export interface IdentifyOptions {
  /** How many best matches to return (default 1). */
  topK?: number;
  /**
   * Minimum cosine to count as a match. Without it, identify ranks and does not decide. A good
   * value depends on the model and the recordings: calibrate it on your own same/different
   * speaker pairs (see the README).
   */
  threshold?: number;
}

export interface VerifyResult {
  score: number;
  accepted: boolean;
}

export interface SpeakerSummary {
  name: string;
  /** Number of embeddings enrolled. */
  count: number;
}

/** The JSON form written by `toJSON` / `save`. */
export interface RegistryJson {
  format: typeof REGISTRY_FORMAT;
  formatVersion: number;
  /** Embedding length; null while the registry is empty and no dimension was set. */
  dimension: number | null;
  /** `mean` is the (not re-normalised) mean of the normalised embeddings. */
  speakers: { name: string; count: number; mean: number[] }[];
}

interface Entry {
  /** Sum of the normalised embeddings (float64). */
  sum: Float64Array;
  count: number;
  /** sum / |sum|, kept for scoring. */
  voiceprint: Float64Array;
}

export interface RegistryOptions {
  /** Fix the embedding length up front (otherwise the first enrolment sets it). */
  dimension?: number;
}

export class SpeakerRegistry {
  readonly #speakers = new Map<string, Entry>();
  #dimension: number | undefined;

  constructor(options: RegistryOptions = {}) {
    if (options.dimension !== undefined) {
      if (!Number.isSafeInteger(options.dimension) || options.dimension <= 0) {
        throw new RegistryError(`dimension must be a positive integer, got ${options.dimension}`, { code: 'INVALID_OPTION' });
      }
      this.#dimension = options.dimension;
    }
  }

  /** Embedding length this registry holds, or undefined before the first enrolment. */
  get dimension(): number | undefined {
    return this.#dimension;
  }

  /** Number of enrolled speakers. */
  get size(): number {
    return this.#speakers.size;
  }

  /**
   * Adds one or several embeddings of `name`'s voice. A new name is created; a known name has its
   * voiceprint updated as if all its embeddings had been enrolled together.
   */
  enroll(name: string, embeddings: EmbeddingLike | readonly EmbeddingLike[]): SpeakerSummary {
    checkName(name);
    const list = isEmbeddingList(embeddings) ? embeddings : [embeddings as EmbeddingLike];
    if (list.length === 0) throw new EmbeddingError(`no embeddings given to enrol '${name}'`, { code: 'EMPTY_EMBEDDING' });
    const dimension = this.#dimension ?? list[0].length;
    // Validate everything before changing anything.
    const normalised = list.map((e, i) => {
      const what = list.length > 1 ? `embedding ${i} for '${name}'` : `embedding for '${name}'`;
      checkDimension(e, dimension, what);
      const norm = embeddingNorm(e, what);
      return Float64Array.from(e as ArrayLike<number>, (v) => v / norm);
    });
    const entry = this.#speakers.get(name) ?? { sum: new Float64Array(dimension), count: 0, voiceprint: new Float64Array(dimension) };
    const sum = Float64Array.from(entry.sum);
    for (const v of normalised) for (let i = 0; i < dimension; i++) sum[i] += v[i];
    const voiceprint = unitVector(sum, name);
    this.#dimension = dimension;
    this.#speakers.set(name, { sum, count: entry.count + list.length, voiceprint });
    return { name, count: entry.count + list.length };
  }

  /** Best matches for `embedding`, best first (ties by name); an empty list when none passes. */
  identify(embedding: EmbeddingLike, options: IdentifyOptions = {}): SpeakerMatch[] {
    const { topK = 1, threshold } = options;
    if (!Number.isSafeInteger(topK) || topK < 1) throw new RegistryError(`topK must be a positive integer, got ${topK}`, { code: 'INVALID_OPTION' });
    if (threshold !== undefined) checkThreshold(threshold);
    if (this.#speakers.size === 0) return [];
    const query = this.#unitQuery(embedding);
    const matches: SpeakerMatch[] = [];
    for (const [name, entry] of this.#speakers) {
      const score = dot(query, entry.voiceprint);
      if (threshold === undefined || score >= threshold) matches.push({ name, score });
    }
    matches.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return matches.slice(0, topK);
  }

  /** Cosine between `embedding` and `name`'s voiceprint. */
  score(name: string, embedding: EmbeddingLike): number {
    const entry = this.#entry(name);
    return dot(this.#unitQuery(embedding), entry.voiceprint);
  }

  /** Whether `embedding` is `name`'s voice: `score >= threshold` (a cosine). */
  verify(name: string, embedding: EmbeddingLike, threshold: number): VerifyResult {
    checkThreshold(threshold);
    const score = this.score(name, embedding);
    return { score, accepted: score >= threshold };
  }

  /** The unit-length voiceprint of `name` (a copy). */
  voiceprint(name: string): Float32Array {
    return Float32Array.from(this.#entry(name).voiceprint);
  }

  has(name: string): boolean {
    return this.#speakers.has(name);
  }

  /** Removes `name`; returns whether it was enrolled. */
  remove(name: string): boolean {
    return this.#speakers.delete(name);
  }

  /** Enrolled speakers in enrolment order. */
  list(): SpeakerSummary[] {
    return [...this.#speakers].map(([name, e]) => ({ name, count: e.count }));
  }

  toJSON(): RegistryJson {
    return {
      format: REGISTRY_FORMAT,
      formatVersion: REGISTRY_FORMAT_VERSION,
      dimension: this.#dimension ?? null,
      speakers: [...this.#speakers].map(([name, e]) => ({ name, count: e.count, mean: Array.from(e.sum, (v) => v / e.count) })),
    };
  }

  /** Rebuilds a registry from `toJSON` output, validating everything; `file` names the source in errors. */
  static fromJSON(json: unknown, options: { file?: string } = {}): SpeakerRegistry {
    const { file } = options;
    const corrupt = (message: string): never => {
      throw new RegistryError(message, { code: 'CORRUPT_FILE', file });
    };
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return corrupt('not a speaker registry (expected a JSON object)');
    const doc = json as Partial<Record<keyof RegistryJson, unknown>>;
    if (doc.format !== REGISTRY_FORMAT) return corrupt(`not a speaker registry (format is ${JSON.stringify(doc.format)}, expected "${REGISTRY_FORMAT}")`);
    if (doc.formatVersion !== REGISTRY_FORMAT_VERSION) {
      if (typeof doc.formatVersion === 'number' && Number.isInteger(doc.formatVersion) && doc.formatVersion > REGISTRY_FORMAT_VERSION) {
        throw new RegistryError(
          `registry format version ${doc.formatVersion} was written by a newer @wsp/speaker; this version reads version ${REGISTRY_FORMAT_VERSION}`,
          { code: 'UNSUPPORTED_VERSION', file },
        );
      }
      return corrupt(`unknown registry formatVersion ${JSON.stringify(doc.formatVersion)}`);
    }
    const dimension = doc.dimension;
    if (dimension !== null && !(typeof dimension === 'number' && Number.isSafeInteger(dimension) && dimension > 0)) {
      return corrupt(`dimension must be a positive integer or null, got ${JSON.stringify(dimension)}`);
    }
    if (!Array.isArray(doc.speakers)) return corrupt('speakers must be an array');
    if (doc.speakers.length > 0 && dimension === null) return corrupt('dimension is null but speakers are enrolled');
    const registry = new SpeakerRegistry(dimension === null ? {} : { dimension });
    doc.speakers.forEach((s: unknown, i: number) => {
      const where = `speakers[${i}]`;
      if (typeof s !== 'object' || s === null) return corrupt(`${where} is not an object`);
      const { name, count, mean } = s as Record<string, unknown>;
      if (typeof name !== 'string' || name.length === 0) return corrupt(`${where}.name must be a non-empty string`);
      if (registry.#speakers.has(name)) return corrupt(`speaker '${name}' appears twice`);
      if (!(typeof count === 'number' && Number.isSafeInteger(count) && count > 0)) return corrupt(`${where}.count must be a positive integer`);
      if (!Array.isArray(mean) || mean.length !== dimension || !mean.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        return corrupt(`${where}.mean must be ${dimension} finite numbers`);
      }
      const sum = Float64Array.from(mean as number[], (v) => v * count);
      if (sum.every((v) => v === 0)) return corrupt(`${where}.mean is all zeros`);
      registry.#speakers.set(name, { sum, count, voiceprint: unitVector(sum, name) });
    });
    return registry;
  }

  /** Writes the registry as JSON to `path` atomically: a crash leaves the old file or the new one. */
  async save(path: string): Promise<void> {
    try {
      await writeFileAtomic(path, JSON.stringify(this.toJSON()) + '\n');
    } catch (cause) {
      throw new RegistryError(`could not save the speaker registry: ${(cause as Error).message}`, { code: 'SAVE_FAILED', file: path, cause });
    }
  }

  static async load(path: string): Promise<SpeakerRegistry> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (cause) {
      const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message;
      throw new RegistryError(`could not read the speaker registry: ${reason}`, { code: 'LOAD_FAILED', file: path, cause });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new RegistryError(`speaker registry is not valid JSON (${(cause as Error).message})`, { code: 'CORRUPT_FILE', file: path, cause });
    }
    return SpeakerRegistry.fromJSON(json, { file: path });
  }

  #entry(name: string): Entry {
    const entry = this.#speakers.get(name);
    if (!entry) {
      const known = [...this.#speakers.keys()];
      const listed = known.length === 0 ? 'none enrolled' : `enrolled: ${known.slice(0, 10).join(', ')}${known.length > 10 ? `, and ${known.length - 10} more` : ''}`;
      throw new RegistryError(`no speaker named '${name}' (${listed})`, { code: 'UNKNOWN_SPEAKER' });
    }
    return entry;
  }

  #unitQuery(embedding: EmbeddingLike): Float64Array {
    if (this.#dimension !== undefined) checkDimension(embedding, this.#dimension);
    const norm = embeddingNorm(embedding);
    return Float64Array.from(embedding as ArrayLike<number>, (v) => v / norm);
  }
}

/** A new, empty registry. */
export function createRegistry(options: RegistryOptions = {}): SpeakerRegistry {
  return new SpeakerRegistry(options);
}

function isEmbeddingList(value: EmbeddingLike | readonly EmbeddingLike[]): value is readonly EmbeddingLike[] {
  return Array.isArray(value) && (value.length === 0 || typeof value[0] !== 'number');
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new RegistryError(`speaker name must be a non-empty string, got ${JSON.stringify(name)}`, { code: 'INVALID_NAME' });
  }
}

function checkThreshold(threshold: number): void {
  if (!(typeof threshold === 'number' && threshold >= -1 && threshold <= 1)) {
    throw new RegistryError(`threshold is a cosine and must be in [-1, 1], got ${threshold}`, { code: 'INVALID_THRESHOLD' });
  }
}

function unitVector(sum: Float64Array, name: string): Float64Array {
  let s = 0;
  for (const v of sum) s += v * v;
  // Opposite embeddings can cancel out exactly; such a voiceprint has no direction.
  if (s === 0) throw new EmbeddingError(`the embeddings of '${name}' cancel out (their mean is zero)`, { code: 'ZERO_EMBEDDING' });
  const norm = Math.sqrt(s);
  return Float64Array.from(sum, (v) => v / norm);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return Math.min(1, Math.max(-1, s));
}
