/**
 * Bookkeeping every backend needs for the SPI's lifetime rules: counts for `memory()`, idempotent
 * `dispose()`, `DisposedError` on use after dispose, and refusal of objects from other backends.
 * Backends subclass `TrackedResource` for their tensors and prepared weights.
 */
import { BackendError, DisposedError } from '../errors.js';
import type { DeviceObject, MemoryStats } from '../spi.js';

export type ResourceKind = 'tensor' | 'preparedWeights' | 'other';

export class ResourceTracker {
  readonly backendName: string;
  readonly #live = new Set<TrackedResource>();
  #disposed = false;

  constructor(backendName: string) {
    this.backendName = backendName;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Throws `DisposedError` once the backend is disposed. */
  assertUsable(): void {
    if (this.#disposed) throw new DisposedError(`backend '${this.backendName}'`);
  }

  /** Called by `TrackedResource`'s constructor. */
  register(resource: TrackedResource): void {
    this.assertUsable();
    this.#live.add(resource);
  }

  /** Called by `TrackedResource.dispose()`. */
  release(resource: TrackedResource): void {
    this.#live.delete(resource);
  }

  memory(): MemoryStats {
    const stats: MemoryStats = { tensors: 0, preparedWeights: 0, bytes: 0 };
    for (const r of this.#live) {
      if (r.kind === 'tensor') stats.tensors++;
      else if (r.kind === 'preparedWeights') stats.preparedWeights++;
      stats.bytes += r.bytes;
    }
    return stats;
  }

  /**
   * Checks that `value` is a live object of class `type` created through this tracker and returns
   * it typed. `role` names the argument in the error ("conv2d input", "residual").
   */
  own<T extends TrackedResource>(value: unknown, type: abstract new (...args: never[]) => T, role: string): T {
    this.assertUsable();
    if (!(value instanceof type) || value.tracker !== this) {
      const owner = (value as Partial<DeviceObject> | null)?.backend;
      throw new BackendError(
        this.backendName,
        `${role} was not created by this backend instance${owner ? ` (it belongs to '${owner}')` : ''}`,
        { code: 'FOREIGN_OBJECT' },
      );
    }
    if (value.disposed) throw new DisposedError(role);
    return value;
  }

  /** Disposes every live object and refuses new ones (the backend's own `dispose()`). */
  disposeAll(): void {
    if (this.#disposed) return;
    for (const r of [...this.#live]) r.dispose();
    this.#disposed = true;
  }
}

export abstract class TrackedResource implements DeviceObject {
  readonly tracker: ResourceTracker;
  readonly kind: ResourceKind;
  /** Device bytes held; reported by `memory()`. */
  readonly bytes: number;
  #disposed = false;

  constructor(tracker: ResourceTracker, kind: ResourceKind, bytes: number) {
    this.tracker = tracker;
    this.kind = kind;
    this.bytes = bytes;
    tracker.register(this);
  }

  get backend(): string {
    return this.tracker.backendName;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.tracker.release(this);
    this.releaseMemory();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Frees the device memory; called once, by the first `dispose()`. */
  protected releaseMemory(): void {}
}

/**
 * A base for backends: owns the `ResourceTracker` and implements `disposed`, `memory()`,
 * `dispose()` and `[Symbol.dispose]()` with it. Subclasses add `capabilities`, upload/download,
 * weight preparation and the ops.
 */
export abstract class TrackedBackend {
  readonly name: string;
  protected readonly tracker: ResourceTracker;

  constructor(name: string) {
    this.name = name;
    this.tracker = new ResourceTracker(name);
  }

  get disposed(): boolean {
    return this.tracker.disposed;
  }

  memory(): MemoryStats {
    return this.tracker.memory();
  }

  dispose(): void {
    this.tracker.disposeAll();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
