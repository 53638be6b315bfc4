/** Human-readable dumps of a graph with shapes and compute per node, for docs and debugging. */
import { graphCost } from './cost.js';
import type { GraphNode, ResNetGraph } from './graph.js';
import { planBuffers } from './planner.js';

export interface DumpOptions {
  /** Default 1. */
  batch?: number;
  /** Default 200 (2 s of audio). */
  frames?: number;
}

function describeOp(node: GraphNode): string {
  switch (node.op) {
    case 'conv2d': {
      const parts = [`conv${node.kernel}x${node.kernel} s${node.stride} ${node.inChannels}->${node.outChannels}`];
      if (node.residual !== undefined) parts.push(`+ ${node.residual}`);
      if (node.relu) parts.push('ReLU');
      return parts.join(' ');
    }
    case 'statsPool':
      return `statsPool ${node.variant}`;
    case 'linear':
      return `linear ${node.inFeatures}->${node.outFeatures}`;
    case 'l2Normalize':
      return 'l2Normalize';
  }
}

const shapeText = (shape: readonly number[]) => `[${shape.join(',')}]`;
const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const mega = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

/** A fixed-width table: node, op, inputs, output shape, MACs; then totals and the buffer plan. */
export function graphToText(graph: ResNetGraph, options: DumpOptions = {}): string {
  const batch = options.batch ?? 1;
  const frames = options.frames ?? 200;
  const cost = graphCost(graph, batch, frames);
  const plan = planBuffers(graph, batch, frames);
  const rows = [['#', 'node', 'op', 'output', 'MACs']];
  rows.push(['', graph.input, 'input', shapeText([batch, 1, graph.config.n_mels, frames]), '']);
  cost.nodes.forEach((c, i) => {
    rows.push([String(i), c.node.name, describeOp(c.node), shapeText(c.outputShape), c.macs ? grouped(c.macs) : '-']);
  });
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  const line = (r: string[]) =>
    r.map((cell, col) => (col === 4 ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join('  ').trimEnd();
  return [
    `ResNet graph: layers [${graph.config.layers.join(',')}], channels [${graph.config.channels.join(',')}], ` +
      `pooling ${graph.pooling}, normalize ${graph.normalize}; batch ${batch}, frames ${frames}`,
    ...rows.map(line),
    `total: ${grouped(cost.totalMacs)} MACs = ${(cost.totalFlops / 1e9).toFixed(3)} GFLOP`,
    `memory (float32): peak live ${mega(plan.peakLiveBytes)}, arena ${mega(plan.arenaBytes)} in ${plan.buffers.length} buffers, ` +
      `unshared ${mega(plan.unsharedBytes)}`,
  ].join('\n');
}

/** A Mermaid flowchart; residual edges are dotted. */
export function graphToMermaid(graph: ResNetGraph, options: DumpOptions = {}): string {
  const batch = options.batch ?? 1;
  const frames = options.frames ?? 200;
  const cost = graphCost(graph, batch, frames);
  const id = (value: string) => (value === graph.input ? 'in' : `n${graph.nodes.findIndex((n) => n.name === value)}`);
  const lines = ['flowchart TD', `  in["${graph.input}<br/>${shapeText([batch, 1, graph.config.n_mels, frames])}"]`];
  cost.nodes.forEach((c, i) => {
    const macs = c.macs ? `<br/>${(c.macs / 1e6).toFixed(1)} MMAC` : '';
    lines.push(`  n${i}["${c.node.name}<br/>${describeOp(c.node)}<br/>${shapeText(c.outputShape)}${macs}"]`);
  });
  graph.nodes.forEach((node, i) => {
    lines.push(`  ${id(node.input)} --> n${i}`);
    if (node.op === 'conv2d' && node.residual !== undefined) lines.push(`  ${id(node.residual)} -.-> n${i}`);
  });
  return lines.join('\n');
}
