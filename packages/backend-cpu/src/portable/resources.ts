/** The portable backend's device objects: tensors and prepared weights living in Float32Arrays. */
import { TrackedResource } from '@wsp/resnet-graph';
import type { DeviceTensor, PreparedConv2d, PreparedLinear, ResourceTracker } from '@wsp/resnet-graph';
import type { PackedConv } from './conv.js';

const EMPTY = new Float32Array(0);

/** Activations are stored NHWC (`[B, F, T, C]`), vectors `[B, N]`; `shape` is the logical one. */
export class PortableTensor extends TrackedResource implements DeviceTensor {
  readonly dtype = 'float32' as const;
  readonly shape: readonly number[];
  #data: Float32Array;

  constructor(tracker: ResourceTracker, shape: readonly number[], data: Float32Array) {
    super(tracker, 'tensor', data.byteLength);
    this.shape = Object.freeze([...shape]);
    this.#data = data;
  }

  get data(): Float32Array {
    return this.#data;
  }

  protected override releaseMemory(): void {
    this.#data = EMPTY;
  }
}

export class PortableConvWeights extends TrackedResource implements PreparedConv2d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: 1 | 3;
  readonly stride: 1 | 2;
  readonly padding: 0 | 1;
  #packed: PackedConv | undefined;

  constructor(tracker: ResourceTracker, packed: PackedConv) {
    super(tracker, 'preparedWeights', packed.panels.byteLength + (packed.winograd?.panels.byteLength ?? 0) + packed.bias.byteLength);
    ({ inChannels: this.inChannels, outChannels: this.outChannels, kernel: this.kernel, stride: this.stride, padding: this.padding } = packed);
    this.#packed = packed;
  }

  get packed(): PackedConv {
    return this.#packed!;
  }

  protected override releaseMemory(): void {
    this.#packed = undefined;
  }
}

export class PortableLinearWeights extends TrackedResource implements PreparedLinear {
  readonly inFeatures: number;
  readonly outFeatures: number;
  #weight: Float32Array;
  #bias: Float32Array;

  constructor(tracker: ResourceTracker, weight: Float32Array, bias: Float32Array, outFeatures: number, inFeatures: number) {
    super(tracker, 'preparedWeights', weight.byteLength + bias.byteLength);
    this.#weight = weight;
    this.#bias = bias;
    this.outFeatures = outFeatures;
    this.inFeatures = inFeatures;
  }

  get weight(): Float32Array {
    return this.#weight;
  }

  get bias(): Float32Array {
    return this.#bias;
  }

  protected override releaseMemory(): void {
    this.#weight = EMPTY;
    this.#bias = EMPTY;
  }
}

/** Memory a compiled graph holds for one planned input size (its buffer arena). */
export class Arena extends TrackedResource {
  readonly buffers: Float32Array[];
  constructor(tracker: ResourceTracker, bytes: readonly number[]) {
    super(tracker, 'other', bytes.reduce((a, b) => a + b, 0));
    this.buffers = bytes.map((n) => new Float32Array(n / 4));
  }
  protected override releaseMemory(): void {
    this.buffers.length = 0;
  }
}
