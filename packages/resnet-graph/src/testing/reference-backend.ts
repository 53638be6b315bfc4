/**
 * The oracle behind the SPI: a slow, float64 backend for testing the executor, the session and
 * the registry without a real backend, and for comparing a backend's activations op by op.
 */
import ndarray from 'ndarray';
import { TrackedBackend, TrackedResource } from '../backend-kit/resources.js';
import type { ResourceTracker } from '../backend-kit/resources.js';
import {
  validateConv2d,
  validateConvWeights,
  validateL2Normalize,
  validateLinear,
  validateLinearWeights,
  validateStatsPool,
  validateUpload,
} from '../backend-kit/validate.js';
import type {
  Backend,
  BackendCapabilities,
  ConvEpilogue,
  Conv2dWeights,
  DeviceTensor,
  HostTensor,
  LinearWeights,
  PoolingVariant,
  PreparedConv2d,
  PreparedLinear,
} from '../spi.js';
import { BACKEND_SPEC_VERSION } from '../spi.js';
import { refConv2d, refFromHost, refL2Normalize, refLinear, refStatsPool } from './oracle.js';
import type { RefTensor } from './oracle.js';

class RefDeviceTensor extends TrackedResource implements DeviceTensor {
  readonly dtype = 'float32' as const;
  constructor(
    tracker: ResourceTracker,
    readonly value: RefTensor,
  ) {
    super(tracker, 'tensor', value.data.byteLength);
  }
  get shape(): readonly number[] {
    return this.value.shape;
  }
}

class RefConv extends TrackedResource implements PreparedConv2d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: 1 | 3;
  readonly stride: 1 | 2;
  readonly padding: 0 | 1;
  constructor(
    tracker: ResourceTracker,
    readonly weight: RefTensor,
    readonly bias: RefTensor,
    p: { inChannels: number; outChannels: number; kernel: 1 | 3; stride: 1 | 2; padding: 0 | 1 },
  ) {
    super(tracker, 'preparedWeights', weight.data.byteLength + bias.data.byteLength);
    ({ inChannels: this.inChannels, outChannels: this.outChannels, kernel: this.kernel, stride: this.stride, padding: this.padding } = p);
  }
}

class RefLinear extends TrackedResource implements PreparedLinear {
  constructor(
    tracker: ResourceTracker,
    readonly weight: RefTensor,
    readonly bias: RefTensor,
    readonly outFeatures: number,
    readonly inFeatures: number,
  ) {
    super(tracker, 'preparedWeights', weight.data.byteLength + bias.data.byteLength);
  }
}

const asNd = (t: RefTensor) => ndarray(t.data, t.shape);

export class ReferenceBackend extends TrackedBackend implements Backend {
  readonly capabilities: BackendCapabilities = {
    specVersion: BACKEND_SPEC_VERSION,
    precision: 'fp32',
    asyncExecution: false,
    wholeGraph: false,
    poolingVariants: ['pyannote', 'wespeaker', 'mlx'],
  };

  constructor(name = 'reference') {
    super(name);
  }

  /** The float64 value behind one of this backend's tensors (synchronous; for tests and debugging). */
  read(tensor: DeviceTensor): RefTensor {
    return this.tracker.own(tensor, RefDeviceTensor, 'read() tensor').value;
  }

  /** A device tensor holding `value` (which it takes over). */
  adopt(value: RefTensor): DeviceTensor {
    this.tracker.assertUsable();
    return new RefDeviceTensor(this.tracker, value);
  }

  upload(host: HostTensor): DeviceTensor {
    this.tracker.assertUsable();
    return new RefDeviceTensor(this.tracker, refFromHost(validateUpload(host)));
  }

  async download(tensor: DeviceTensor): Promise<HostTensor> {
    const t = this.tracker.own(tensor, RefDeviceTensor, 'download() tensor');
    return ndarray(Float32Array.from(t.value.data), [...t.value.shape]);
  }

  prepareConv2d(weights: Conv2dWeights): PreparedConv2d {
    this.tracker.assertUsable();
    const p = validateConvWeights(weights);
    return new RefConv(this.tracker, refFromHost(weights.weight), refFromHost(weights.bias), p);
  }

  prepareLinear(weights: LinearWeights): PreparedLinear {
    this.tracker.assertUsable();
    const p = validateLinearWeights(weights);
    return new RefLinear(this.tracker, refFromHost(weights.weight), refFromHost(weights.bias), p.outFeatures, p.inFeatures);
  }

  conv2d(x: DeviceTensor, weights: PreparedConv2d, epilogue: ConvEpilogue): DeviceTensor {
    const input = this.tracker.own(x, RefDeviceTensor, 'conv2d input');
    const w = this.tracker.own(weights, RefConv, 'conv2d weights');
    validateConv2d(input.shape, w, epilogue);
    const residual = epilogue.residual && this.tracker.own(epilogue.residual, RefDeviceTensor, 'conv2d residual').value;
    const out = refConv2d(input.value, asNd(w.weight), asNd(w.bias), { stride: w.stride, padding: w.padding, relu: epilogue.relu, residual });
    return new RefDeviceTensor(this.tracker, out);
  }

  statsPool(x: DeviceTensor, variant: PoolingVariant): DeviceTensor {
    const input = this.tracker.own(x, RefDeviceTensor, 'statsPool input');
    validateStatsPool(input.shape, variant, this);
    return new RefDeviceTensor(this.tracker, refStatsPool(input.value, variant));
  }

  linear(x: DeviceTensor, weights: PreparedLinear): DeviceTensor {
    const input = this.tracker.own(x, RefDeviceTensor, 'linear input');
    const w = this.tracker.own(weights, RefLinear, 'linear weights');
    validateLinear(input.shape, w);
    return new RefDeviceTensor(this.tracker, refLinear(input.value, asNd(w.weight), asNd(w.bias)));
  }

  l2Normalize(x: DeviceTensor): DeviceTensor {
    const input = this.tracker.own(x, RefDeviceTensor, 'l2Normalize input');
    validateL2Normalize(input.shape);
    return new RefDeviceTensor(this.tracker, refL2Normalize(input.value));
  }
}
