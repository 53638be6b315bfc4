/**
 * Per-layer time of the onnxruntime-node peer, from its own profiler: the exported model (whose
 * node names are our graph's) run at 1 × 200 with profiling on; each kernel event is mapped back
 * to the graph node it came from (ORT fuses Conv + Add + Relu into one `<node>_nchwc` kernel), so
 * its GFLOP/s per layer sit next to our backends'.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGraph, exportOnnx, graphCost } from '@wsp/resnet-graph';
import type { EmbeddingModel, ResNetGraph } from '@wsp/resnet-graph';
import { syntheticFeatures } from '@wsp/resnet-graph/testing';
import { median } from '../stats.js';
import type * as OrtModule from 'onnxruntime-node';

export interface NodeTime {
  /** Graph node name (`conv1`, `layer2.0.shortcut`, `embedding`, ...) or `other`. */
  node: string;
  /** `stem`, `layer1` … `layerN`, or the node itself for the rest (`pool`, `embedding`, `normalized`, `other`). */
  stage: string;
  ms: number;
  gflop: number;
}

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
}

/** The graph node an ORT kernel event belongs to: the longest node name prefixing the event's. */
export function eventNode(eventName: string, nodeNames: readonly string[]): string {
  const base = eventName.replace(/_kernel_time$/, '').replace(/_nchwc$/, '').replace(/\/[A-Za-z]+$/, '');
  let best = '';
  for (const n of nodeNames) if ((base === n || base.startsWith(`${n}.`)) && n.length > best.length) best = n;
  return best || 'other';
}

/** `stem` for conv1, `layerN` for the blocks, else the node itself (`pool`, `embedding`, `normalized`, `other`). */
export function stageOf(node: string): string {
  if (node === 'conv1') return 'stem';
  return /^(layer\d+)\./.exec(node)?.[1] ?? node;
}

/**
 * Median time per run of every graph node from the profile events of several runs (each kernel
 * logs one event per run, in order, so the i-th event of a kernel belongs to run i; the median
 * leaves out the first, slower run).
 */
export function nodeTimes(events: readonly ProfileEvent[], graph: ResNetGraph, batch: number, frames: number): NodeTime[] {
  const names = graph.nodes.map((n) => n.name);
  const flops = new Map(graphCost(graph, batch, frames).nodes.map((c) => [c.node.name, c.flops]));
  const perRun = new Map<string, number[]>(); // node -> µs per run
  const seen = new Map<string, number>(); // kernel event name -> runs seen so far
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const run = seen.get(e.name) ?? 0;
    seen.set(e.name, run + 1);
    const node = eventNode(e.name, names);
    const times = perRun.get(node) ?? [];
    times[run] = (times[run] ?? 0) + e.dur;
    perRun.set(node, times);
  }
  return [...perRun].map(([node, us]) => ({ node, stage: stageOf(node), ms: median(us.filter((v) => v !== undefined)) / 1000, gflop: (flops.get(node) ?? 0) / 1e9 }));
}

export async function profileOrt(model: EmbeddingModel, threads: number, runs: number, batch = 1, frames = 200): Promise<NodeTime[] | { unavailable: string }> {
  let ort: typeof OrtModule;
  try {
    ort = (await import('onnxruntime-node')).default as unknown as typeof OrtModule;
  } catch (e) {
    return { unavailable: `onnxruntime-node cannot be loaded: ${(e as Error).message}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'wsp-ort-profile-'));
  try {
    const session = await ort.InferenceSession.create(exportOnnx(model), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      enableProfiling: true,
      profileFilePrefix: join(dir, 'ort'),
    });
    const x = new ort.Tensor('float32', syntheticFeatures(batch, frames, model.config.n_mels, 5).data as Float32Array, [batch, frames, model.config.n_mels]);
    for (let i = 0; i < runs; i++) await session.run({ feats: x });
    session.endProfiling();
    await session.release();
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) return { unavailable: 'onnxruntime-node wrote no profile' };
    const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[];
    return nodeTimes(events, buildGraph(model.config), batch, frames);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
