/**
 * `cpu-portable`: the pure-TypeScript backend. Runs on the JS thread (no Node APIs, so it also
 * runs in browsers); every op computes eagerly, so `download()` only copies.
 */
import ndarray from 'ndarray';
import {
  BACKEND_SPEC_VERSION,
  TrackedBackend,
  validateConv2d,
  validateConvWeights,
  validateL2Normalize,
  validateLinear,
  validateLinearWeights,
  validateStatsPool,
  validateUpload,
} from '@wsp/resnet-graph';
import type {
  Backend,
  BackendCapabilities,
  CompiledGraph,
  ConvEpilogue,
  Conv2dWeights,
  DeviceTensor,
  HostTensor,
  LinearWeights,
  PoolingVariant,
  PreparedConv2d,
  PreparedLinear,
  PreparedWeights,
  ResNetGraph,
} from '@wsp/resnet-graph';
import { PortableCompiledGraph } from './compiled.js';
import { ConvScratch, conv2dNHWC, packConv } from './conv.js';
import { copyMatrix, l2NormalizeRows, linearRows, nchwToNhwc, nhwcToNchw, statsPoolNHWC } from './ops.js';
import { PortableConvWeights, PortableLinearWeights, PortableTensor } from './resources.js';

export interface PortableCpuBackendOptions {
  /** Name reported by the backend and its objects (default `cpu-portable`). */
  name?: string;
  /**
   * Use Winograd F(2×2,3×3) for the stride-1 3×3 convolutions (default true). `false` runs every
   * convolution as im2col + matrix multiply: slower, for comparison and testing.
   */
  winograd?: boolean;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export class PortableCpuBackend extends TrackedBackend implements Backend {
  readonly capabilities: BackendCapabilities = Object.freeze({
    specVersion: BACKEND_SPEC_VERSION,
    precision: 'fp32',
    asyncExecution: false,
    wholeGraph: true,
    poolingVariants: Object.freeze(['pyannote', 'wespeaker', 'mlx'] as const),
  });
  readonly #scratch = new ConvScratch();
  readonly #winograd: boolean;

  constructor(options: PortableCpuBackendOptions = {}) {
    super(options.name ?? 'cpu-portable');
    this.#winograd = options.winograd ?? true;
  }

  upload(host: HostTensor): DeviceTensor {
    this.tracker.assertUsable();
    const t = validateUpload(host);
    const data = new Float32Array(t.size);
    if (t.shape.length === 4) nchwToNhwc(t, data);
    else copyMatrix(t, data);
    return new PortableTensor(this.tracker, t.shape, data);
  }

  async download(tensor: DeviceTensor): Promise<HostTensor> {
    const t = this.tracker.own(tensor, PortableTensor, 'download() tensor');
    if (t.shape.length === 2) return ndarray(t.data.slice(), [...t.shape]);
    const [B, C, F, T] = t.shape;
    const out = new Float32Array(t.data.length);
    nhwcToNchw(t.data, B, C, F, T, out);
    return ndarray(out, [B, C, F, T]);
  }

  prepareConv2d(weights: Conv2dWeights): PreparedConv2d {
    this.tracker.assertUsable();
    validateConvWeights(weights);
    return new PortableConvWeights(this.tracker, packConv(weights.weight, weights.bias, weights.stride, weights.padding, this.#winograd));
  }

  prepareLinear(weights: LinearWeights): PreparedLinear {
    this.tracker.assertUsable();
    const { outFeatures, inFeatures } = validateLinearWeights(weights);
    const w = new Float32Array(outFeatures * inFeatures);
    copyMatrix(weights.weight, w);
    const b = new Float32Array(outFeatures);
    for (let n = 0; n < outFeatures; n++) b[n] = weights.bias.data[weights.bias.offset + n * weights.bias.stride[0]];
    return new PortableLinearWeights(this.tracker, w, b, outFeatures, inFeatures);
  }

  conv2d(x: DeviceTensor, weights: PreparedConv2d, epilogue: ConvEpilogue): DeviceTensor {
    const input = this.tracker.own(x, PortableTensor, 'conv2d input');
    const w = this.tracker.own(weights, PortableConvWeights, 'conv2d weights');
    const shape = validateConv2d(input.shape, w, epilogue);
    const residual = epilogue.residual === undefined ? null : this.tracker.own(epilogue.residual, PortableTensor, 'conv2d residual').data;
    const out = new Float32Array(size(shape));
    const [B, , F, T] = input.shape;
    conv2dNHWC(input.data, B, F, T, w.packed, out, residual, epilogue.relu, this.#scratch);
    return new PortableTensor(this.tracker, shape, out);
  }

  statsPool(x: DeviceTensor, variant: PoolingVariant): DeviceTensor {
    const input = this.tracker.own(x, PortableTensor, 'statsPool input');
    const shape = validateStatsPool(input.shape, variant, this);
    const [B, C, F, T] = input.shape;
    const out = new Float32Array(size(shape));
    statsPoolNHWC(input.data, B, F, T, C, variant, out);
    return new PortableTensor(this.tracker, shape, out);
  }

  linear(x: DeviceTensor, weights: PreparedLinear): DeviceTensor {
    const input = this.tracker.own(x, PortableTensor, 'linear input');
    const w = this.tracker.own(weights, PortableLinearWeights, 'linear weights');
    const shape = validateLinear(input.shape, w);
    const out = new Float32Array(size(shape));
    linearRows(input.data, shape[0], w.inFeatures, w.weight, w.bias, w.outFeatures, out);
    return new PortableTensor(this.tracker, shape, out);
  }

  l2Normalize(x: DeviceTensor): DeviceTensor {
    const input = this.tracker.own(x, PortableTensor, 'l2Normalize input');
    const shape = validateL2Normalize(input.shape);
    const out = new Float32Array(size(shape));
    l2NormalizeRows(input.data, shape[0], shape[1], out);
    return new PortableTensor(this.tracker, shape, out);
  }

  compile(graph: ResNetGraph, weights: PreparedWeights): CompiledGraph {
    this.tracker.assertUsable();
    const own = <T extends PortableConvWeights | PortableLinearWeights>(value: unknown, type: new (...a: never[]) => T, node: string) =>
      this.tracker.own(value, type, `weights of node '${node}'`);
    const conv = new Map<string, PortableConvWeights>();
    const linear = new Map<string, PortableLinearWeights>();
    for (const node of graph.nodes) {
      if (node.op === 'conv2d') conv.set(node.name, own(weights.conv2d.get(node.name), PortableConvWeights, node.name));
      if (node.op === 'linear') linear.set(node.name, own(weights.linear.get(node.name), PortableLinearWeights, node.name));
    }
    return new PortableCompiledGraph(this.tracker, this.#scratch, graph, conv, linear);
  }
}
