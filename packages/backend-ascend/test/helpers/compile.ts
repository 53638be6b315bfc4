// backend.compile() on a model directly (sessions hide the compiled graph, whose shapes() the
// capture tests read).
import { buildGraph } from '@wsp/resnet-graph';
import type { GraphOptions, PreparedConv2d, PreparedLinear } from '@wsp/resnet-graph';
import type { TensorMap, WeSpeakerConfig } from '@wsp/weights';
import type { AscendBackend, AscendCompiledGraph } from '../../src/index.js';

export interface CompiledModel {
  compiled: AscendCompiledGraph;
  /** Disposes the compiled graph and the weights prepared for it. */
  dispose(): void;
}

export function compileModel(
  backend: AscendBackend,
  model: { config: WeSpeakerConfig; tensors: TensorMap },
  options: GraphOptions = {},
): CompiledModel {
  const graph = buildGraph(model.config, options);
  const conv2d = new Map<string, PreparedConv2d>();
  const linear = new Map<string, PreparedLinear>();
  const t = (name: string) => model.tensors.get(name)!;
  for (const node of graph.nodes) {
    if (node.op === 'conv2d') {
      conv2d.set(node.name, backend.prepareConv2d({ weight: t(node.weight), bias: t(node.bias), stride: node.stride, padding: node.padding }));
    } else if (node.op === 'linear') {
      linear.set(node.name, backend.prepareLinear({ weight: t(node.weight), bias: t(node.bias) }));
    }
  }
  const compiled = backend.compile(graph, { conv2d, linear });
  return {
    compiled,
    dispose() {
      compiled.dispose();
      for (const w of [...conv2d.values(), ...linear.values()]) w.dispose();
    },
  };
}
