import { describe, expect, it } from 'vitest';
import { RESNET34_LM_CONFIG, modelSpec, tinyConfig } from '@wsp/weights';
import {
  InputTooShortError,
  ShapeError,
  buildGraph,
  graphCost,
  graphToMermaid,
  graphToText,
  inferShapes,
  minimumFrames,
  nodeInputs,
  pooledFrames,
} from '../src/index.js';

describe('buildGraph', () => {
  const graph = buildGraph(RESNET34_LM_CONFIG);

  it('has one conv node per conv tensor of the spec, with the MLX names and shapes', () => {
    const convSpecs = modelSpec(RESNET34_LM_CONFIG).filter((s) => s.role === 'conv-weight');
    const convNodes = graph.nodes.filter((n) => n.op === 'conv2d');
    expect(convNodes.map((n) => n.weight).sort()).toEqual(convSpecs.map((s) => s.name).sort());
    for (const node of convNodes) {
      const spec = convSpecs.find((s) => s.name === node.weight)!;
      expect(spec.shape).toEqual([node.outChannels, node.kernel, node.kernel, node.inChannels]);
    }
    expect(convNodes).toHaveLength(36);
    expect(graph.nodes.map((n) => n.op).slice(-3)).toEqual(['statsPool', 'linear', 'l2Normalize']);
  });

  it('wires BasicBlocks as model-spec §2.2: ReLU after conv1, residual + ReLU on conv2, shortcuts only at stage starts', () => {
    const byName = new Map(graph.nodes.map((n) => [n.name, n]));
    const l2c1 = byName.get('layer2.0.conv1')!;
    const l2c2 = byName.get('layer2.0.conv2')!;
    const l2sc = byName.get('layer2.0.shortcut')!;
    expect(l2c1).toMatchObject({ op: 'conv2d', input: 'layer1.2.conv2', stride: 2, kernel: 3, padding: 1, relu: true });
    expect(l2sc).toMatchObject({ op: 'conv2d', input: 'layer1.2.conv2', stride: 2, kernel: 1, padding: 0, relu: false });
    expect(l2c2).toMatchObject({ op: 'conv2d', input: 'layer2.0.conv1', residual: 'layer2.0.shortcut', stride: 1, relu: true });
    expect(byName.get('layer1.1.conv2')).toMatchObject({ residual: 'layer1.0.conv2' });
    expect(byName.get('layer1.0.conv2')).toMatchObject({ residual: 'conv1' });
    expect(byName.get('conv1')).toMatchObject({ input: 'features', inChannels: 1, outChannels: 32, relu: true });
    expect([...byName.keys()].filter((n) => n.endsWith('shortcut'))).toEqual(['layer2.0.shortcut', 'layer3.0.shortcut', 'layer4.0.shortcut']);
    expect(nodeInputs(l2c2)).toEqual(['layer2.0.conv1', 'layer2.0.shortcut']);
  });

  it('follows options and names stages', () => {
    const g = buildGraph(tinyConfig(), { pooling: 'mlx', normalize: false });
    expect(g.output).toBe('embedding');
    expect(g.nodes.find((n) => n.op === 'statsPool')).toMatchObject({ variant: 'mlx' });
    expect(g.stages.map((s) => s.name)).toEqual(['stem', 'layer1', 'layer2', 'layer3', 'layer4', 'pooled', 'embedding']);
    expect(graph.stages.find((s) => s.name === 'layer4')!.value).toBe('layer4.2.conv2');
    expect(() => buildGraph(tinyConfig(), { pooling: 'max' as never })).toThrowError(/unknown pooling/);
  });
});

describe('shapes', () => {
  const graph = buildGraph(RESNET34_LM_CONFIG);
  const stageShape = (frames: number, stage: string) =>
    inferShapes(graph, 1, frames).values.get(graph.stages.find((s) => s.name === stage)!.value);

  it('frequency 80 -> 80 -> 40 -> 20 -> 10 and time T -> T -> ceil(T/2) -> ceil(T/4) -> ceil(T/8)', () => {
    for (const t of [9, 100, 199, 200, 201, 1000, 1001]) {
      expect(stageShape(t, 'stem')).toEqual([1, 32, 80, t]);
      expect(stageShape(t, 'layer1')).toEqual([1, 32, 80, t]);
      expect(stageShape(t, 'layer2')).toEqual([1, 64, 40, Math.ceil(t / 2)]);
      expect(stageShape(t, 'layer3')).toEqual([1, 128, 20, Math.ceil(t / 4)]);
      expect(stageShape(t, 'layer4')).toEqual([1, 256, 10, Math.ceil(t / 8)]);
      expect(pooledFrames(graph, t)).toBe(Math.ceil(t / 8));
    }
    const s = inferShapes(graph, 4, 200).values;
    expect(s.get('pool')).toEqual([4, 5120]);
    expect(s.get('normalized')).toEqual([4, 256]);
    expect(s.get('layer3.0.shortcut')).toEqual([4, 128, 20, 50]);
  });

  it('minimum frames: 9 for the unbiased poolings, 1 for mlx, 17 with five stages', () => {
    expect(minimumFrames(graph)).toBe(9);
    expect(minimumFrames(buildGraph(RESNET34_LM_CONFIG, { pooling: 'wespeaker' }))).toBe(9);
    expect(minimumFrames(buildGraph(RESNET34_LM_CONFIG, { pooling: 'mlx' }))).toBe(1);
    const five = tinyConfig({ layers: [1, 1, 1, 1, 1], channels: [4, 4, 8, 8, 8] });
    expect(minimumFrames(buildGraph(five))).toBe(17);
  });

  it('rejects too-short inputs with the minimum named, and bad counts with ShapeError', () => {
    expect(() => inferShapes(graph, 1, 8)).toThrowError(InputTooShortError);
    try {
      inferShapes(graph, 1, 8);
    } catch (e) {
      expect(InputTooShortError.isInstance(e)).toBe(true);
      expect(e).toMatchObject({ frames: 8, minimumFrames: 9, pooling: 'pyannote', code: 'INPUT_TOO_SHORT' });
      expect((e as Error).message).toMatch(/8 frames .* at least 9/);
    }
    expect(() => inferShapes(graph, 0, 100)).toThrowError(ShapeError);
    expect(() => inferShapes(graph, 1, 10.5)).toThrowError(/frames must be a positive integer/);
  });
});

describe('graphCost (model-spec §7)', () => {
  const graph = buildGraph(RESNET34_LM_CONFIG);

  it('totals 4,527,902,720 MACs at T=200, 2,280,990,720 at T=100 and 9,054,494,720 at T=400', () => {
    expect(graphCost(graph, 1, 200).totalMacs).toBe(4_527_902_720);
    expect(graphCost(graph, 1, 100).totalMacs).toBe(2_280_990_720);
    expect(graphCost(graph, 1, 400).totalMacs).toBe(9_054_494_720);
    expect(graphCost(graph, 1, 200).totalFlops).toBe(2 * 4_527_902_720);
    expect(graphCost(graph, 3, 200).totalMacs).toBe(3 * 4_527_902_720);
  });

  it('matches the per-stage table at T=200 and the per-conv detail', () => {
    const cost = graphCost(graph, 1, 200);
    const stage = (prefix: string) => cost.nodes.filter((c) => c.node.name.startsWith(prefix)).reduce((s, c) => s + c.macs, 0);
    expect(stage('conv1')).toBe(4_608_000);
    expect(stage('layer1.')).toBe(884_736_000);
    expect(stage('layer2.')).toBe(1_114_112_000);
    expect(stage('layer3.')).toBe(1_703_936_000);
    expect(stage('layer4.')).toBe(819_200_000);
    expect(stage('embedding')).toBe(1_310_720);
    const macs = (name: string) => cost.nodes.find((c) => c.node.name === name)!.macs;
    expect(macs('layer3.0.conv1')).toBe(73_728_000);
    expect(macs('layer3.0.conv2')).toBe(147_456_000);
    expect(macs('layer3.0.shortcut')).toBe(8_192_000);
    expect(macs('pool')).toBe(0);
    // "For T divisible by 8: MACs = 22,632,960·T + 1,310,720."
    expect(graphCost(graph, 1, 800).totalMacs).toBe(22_632_960 * 800 + 1_310_720);
  });
});

describe('dumps', () => {
  const graph = buildGraph(RESNET34_LM_CONFIG);

  it('text dump lists every node with its output shape and MACs, and the totals', () => {
    const text = graphToText(graph, { batch: 1, frames: 200 });
    const lines = text.split('\n');
    expect(lines.find((l) => /\blayer2\.0\.shortcut\b/.test(l))).toMatch(/conv1x1 s2 32->64\s+\[1,64,40,100\]\s+8,192,000$/);
    expect(lines.find((l) => /\bpool\b/.test(l))).toMatch(/statsPool pyannote\s+\[1,5120\]/);
    expect(text).toContain('total: 4,527,902,720 MACs = 9.056 GFLOP');
    expect(text).toMatch(/peak live \d+\.\d+ MiB, arena/);
    expect(lines.length).toBe(graph.nodes.length + 5);
  });

  it('Mermaid dump has one box per node, data edges and dotted residual edges', () => {
    const m = graphToMermaid(graph, { frames: 100 });
    expect(m.startsWith('flowchart TD')).toBe(true);
    expect(m).toContain('in["features<br/>[1,1,80,100]"]');
    const residualEdges = m.split('\n').filter((l) => l.includes('-.->'));
    expect(residualEdges).toHaveLength(16); // one per BasicBlock
    const edges = m.split('\n').filter((l) => / --> /.test(l));
    expect(edges).toHaveLength(graph.nodes.length);
    expect(m).toMatch(/n\d+\["layer4\.2\.conv2<br\/>conv3x3 s1 256->256 \+ layer4\.1\.conv2 ReLU<br\/>\[1,256,10,13\]<br\/>\d+\.\d MMAC"\]/);
  });
});
