import { describe, expect, it } from 'vitest';
import { RESNET34_LM_CONFIG, tinyConfig } from '@wsp/weights';
import { buildGraph, nodeInputs, planBuffers } from '../src/index.js';
import type { BufferPlan } from '../src/index.js';

/** Two values may share a buffer only when their lifetimes do not overlap. */
function expectNoConflicts(plan: BufferPlan): void {
  for (const a of plan.values) {
    for (const b of plan.values) {
      if (a === b || a.buffer !== b.buffer) continue;
      const overlap = a.producer <= b.lastUse && b.producer <= a.lastUse;
      expect(overlap, `${a.name} [${a.producer}, ${a.lastUse}] and ${b.name} [${b.producer}, ${b.lastUse}] share buffer ${a.buffer}`).toBe(false);
    }
    expect(plan.buffers[a.buffer]).toBeGreaterThanOrEqual(a.bytes);
  }
}

describe('planBuffers', () => {
  const graph = buildGraph(RESNET34_LM_CONFIG);

  it('computes lifetimes from the graph: producer, last reader, output kept to the end', () => {
    const plan = planBuffers(graph, 1, 200);
    const v = new Map(plan.values.map((x) => [x.name, x]));
    const index = (name: string) => graph.nodes.findIndex((n) => n.name === name);
    expect(v.get('features')).toMatchObject({ producer: -1, lastUse: index('conv1'), shape: [1, 1, 80, 200], bytes: 80 * 200 * 4 });
    // A block input is read by conv1, the shortcut, and (as identity residual) conv2.
    expect(v.get('layer1.2.conv2')!.lastUse).toBe(index('layer2.0.shortcut'));
    expect(v.get('layer1.0.conv2')!.lastUse).toBe(index('layer1.1.conv2'));
    expect(v.get('normalized')!.lastUse).toBe(graph.nodes.length);
    // Every value but the output is released exactly once, right after its last reader.
    const released = plan.releaseAfter.flat();
    expect(new Set(released).size).toBe(released.length);
    expect(released.sort()).toEqual(plan.values.filter((x) => x.name !== graph.output).map((x) => x.name).sort());
    for (const [i, names] of plan.releaseAfter.entries()) {
      for (const name of names) expect(nodeInputs(graph.nodes[i])).toContain(name);
    }
  });

  it('reuses buffers without conflicts and reports peak, arena and unshared bytes', () => {
    for (const [g, batch, frames] of [
      [graph, 1, 200],
      [graph, 4, 37],
      [buildGraph(tinyConfig(), { normalize: false }), 2, 9],
    ] as const) {
      const plan = planBuffers(g, batch, frames);
      expectNoConflicts(plan);
      expect(plan.arenaBytes).toBeGreaterThanOrEqual(plan.peakLiveBytes);
      expect(plan.unsharedBytes).toBeGreaterThan(plan.arenaBytes);
      expect(plan.buffers.length).toBeLessThan(plan.values.length / 4);
    }
  });

  it('peak live bytes at T=200 are three stem-sized activations (block input, conv1 output, conv2 output)', () => {
    const plan = planBuffers(graph, 1, 200);
    const stem = 32 * 80 * 200 * 4;
    expect(plan.peakLiveBytes).toBe(3 * stem);
    expect(plan.arenaBytes).toBeLessThanOrEqual(4 * stem);
    // stem + 6 layer1 convs at full size, then 9 at 1/2, 13 at 1/4 and 7 at 1/8 of it.
    expect(plan.unsharedBytes).toBeGreaterThan(15.6 * stem);
    expect(plan.unsharedBytes).toBeLessThan(15.7 * stem);
  });
});
