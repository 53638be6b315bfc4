/**
 * End-to-end latency (features -> embeddings) for the Python port's batch × frames matrix, every
 * contender interleaved round by round within each shape so the ratios are fair on a shared
 * machine; then a check that all contenders compute the same function.
 */
import { measureInterleaved } from '@wsp/benchkit';
import type { Contender as TimedContender, Summary } from '@wsp/benchkit';
import { buildGraph, graphCost } from '@wsp/resnet-graph';
import type { EmbeddingModel } from '@wsp/resnet-graph';
import { syntheticFeatures } from '@wsp/resnet-graph/testing';
import type { Contender, ContenderKind } from './contenders.js';

/** The Ascend port's benchmark_perf.py shapes (batch, frames). */
export const PORT_MATRIX: readonly (readonly [number, number])[] = [
  [1, 100],
  [1, 200],
  [1, 400],
  [4, 200],
  [8, 200],
  [16, 200],
];

export interface LatencyRow extends Summary {
  contender: string;
  kind: ContenderKind;
  batch: number;
  frames: number;
  samplesPerSecond: number;
  /** Direct-convolution FLOPs of the shape / median time. */
  gflopPerSecond: number;
}

export interface Agreement {
  contender: string;
  reference: string;
  batch: number;
  frames: number;
  minCosine: number;
  maxAbsDiff: number;
}

export interface LatencyOptions {
  /** Rounds per shape at most (each contender once per round). */
  rounds: number;
  /** Per contender and shape: stop after this much timed work once it has 3 samples. */
  budgetMs: number;
  /** Untimed pause before each turn, so the previous contender's spinning threads have stopped. */
  settleMs: number;
  /** Untimed calls at the start of each turn (benchkit measureInterleaved). */
  turnWarmup: number;
}

function asTimed(c: Contender, x: Float32Array, batch: number, frames: number): TimedContender {
  return c.selfTimed ? { run: () => c.time(x, batch, frames), selfTimed: true } : () => c.time(x, batch, frames);
}

export async function measureLatency(contenders: readonly Contender[], model: EmbeddingModel, options: LatencyOptions): Promise<LatencyRow[]> {
  const graph = buildGraph(model.config);
  const rows: LatencyRow[] = [];
  for (const [batch, frames] of PORT_MATRIX) {
    const x = syntheticFeatures(batch, frames, model.config.n_mels, 1000 * batch + frames).data as Float32Array;
    // Big shapes get one warm-up: the slowest contender takes seconds per call there.
    const warmup = batch * frames >= 1600 ? 1 : 2;
    const timing = await measureInterleaved(
      Object.fromEntries(contenders.map((c) => [c.name, asTimed(c, x, batch, frames)])),
      { warmup, rounds: options.rounds, budgetMs: options.budgetMs, minRounds: 3, settleMs: options.settleMs, turnWarmup: options.turnWarmup },
    );
    const flops = graphCost(graph, batch, frames).totalFlops;
    for (const c of contenders) {
      const s = timing[c.name];
      rows.push({
        contender: c.name,
        kind: c.kind,
        batch,
        frames,
        ...s,
        samplesPerSecond: (1000 * batch) / s.median,
        gflopPerSecond: flops / (s.median / 1000) / 1e9,
      });
    }
  }
  return rows;
}

/** Every contender's normalised embeddings against the reference's (PyTorch eager when present). */
export async function measureAgreement(contenders: readonly Contender[], model: EmbeddingModel, batch = 2, frames = 200): Promise<Agreement[]> {
  if (contenders.length === 0) return [];
  const reference = contenders.find((c) => c.name === 'pytorch-eager') ?? contenders.find((c) => c.name === 'onnxruntime-node') ?? contenders[0];
  const dim = model.config.embedding_dim;
  const x = syntheticFeatures(batch, frames, model.config.n_mels, 77).data as Float32Array;
  const expected = await reference.embed(x, batch, frames);
  const out: Agreement[] = [];
  for (const c of contenders) {
    if (c === reference) continue;
    const got = await c.embed(x, batch, frames);
    let minCosine = 1;
    let maxAbsDiff = 0;
    for (let b = 0; b < batch; b++) {
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let j = 0; j < dim; j++) {
        const [p, q] = [got[b * dim + j], expected[b * dim + j]];
        ab += p * q;
        aa += p * p;
        bb += q * q;
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(p - q));
      }
      minCosine = Math.min(minCosine, ab / Math.sqrt(aa * bb));
    }
    out.push({ contender: c.name, reference: reference.name, batch, frames, minCosine, maxAbsDiff });
  }
  return out;
}
