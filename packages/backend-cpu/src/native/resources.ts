/** The native backend's device objects: JS handles over addon objects, tracked for the SPI. */
import { TrackedResource } from '@wsp/resnet-graph';
import type { DeviceTensor, PreparedConv2d, PreparedLinear, ResourceTracker } from '@wsp/resnet-graph';
import type { NativePlan, NativePreparedConv2d, NativePreparedLinear, NativeTensor } from './addon-types.js';

/** Bytes the addon holds for an activation [B, C, F, T] (channels padded to 16) or a [B, N] vector. */
export function nativeTensorBytes(shape: readonly number[]): number {
  if (shape.length === 2) return 4 * shape[0] * shape[1];
  const [b, c, f, t] = shape;
  const stored = c === 1 ? 1 : Math.ceil(c / 16) * 16;
  return 4 * b * stored * f * t;
}

export class NativeTensorResource extends TrackedResource implements DeviceTensor {
  readonly dtype = 'float32' as const;
  readonly shape: readonly number[];
  readonly native: NativeTensor;

  constructor(tracker: ResourceTracker, shape: readonly number[], native: NativeTensor) {
    super(tracker, 'tensor', nativeTensorBytes(shape));
    this.shape = Object.freeze([...shape]);
    this.native = native;
  }

  protected override releaseMemory(): void {
    this.native.dispose();
  }
}

export class NativeConvWeights extends TrackedResource implements PreparedConv2d {
  readonly native: NativePreparedConv2d;
  constructor(
    tracker: ResourceTracker,
    native: NativePreparedConv2d,
    bytes: number,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: 1 | 3,
    readonly stride: 1 | 2,
    readonly padding: 0 | 1,
  ) {
    super(tracker, 'preparedWeights', bytes);
    this.native = native;
  }

  protected override releaseMemory(): void {
    this.native.dispose();
  }
}

export class NativeLinearWeights extends TrackedResource implements PreparedLinear {
  readonly native: NativePreparedLinear;
  constructor(tracker: ResourceTracker, native: NativePreparedLinear, bytes: number, readonly inFeatures: number, readonly outFeatures: number) {
    super(tracker, 'preparedWeights', bytes);
    this.native = native;
  }

  protected override releaseMemory(): void {
    this.native.dispose();
  }
}

/** A compiled whole-graph plan; its planned buffers live in the addon until dispose. */
export class NativePlanResource extends TrackedResource {
  readonly native: NativePlan;
  constructor(tracker: ResourceTracker, native: NativePlan) {
    super(tracker, 'other', 0);
    this.native = native;
  }

  protected override releaseMemory(): void {
    this.native.dispose();
  }
}
