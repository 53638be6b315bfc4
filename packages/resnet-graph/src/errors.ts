/**
 * The errors of the graph, the backends and the registry. All extend `WspError` (from
 * `@wsp/weights`), so `SomeError.isInstance(e)` works across duplicated package copies, and each
 * has a stable `name` and `code`.
 */
import { WspError } from '@wsp/weights';
import type { WspErrorOptions } from '@wsp/weights';

export { WspError };
export type { WspErrorOptions };

type Options = Partial<WspErrorOptions>;

/** A tensor's shape or dtype is not what an op, the graph or the model expects. */
export class ShapeError extends WspError {
  static override readonly errorName: string = 'ShapeError';
  constructor(message: string, options: Options = {}) {
    super(message, { code: 'SHAPE_MISMATCH', ...options });
  }
}

export interface InputTooShortDetails {
  /** Frames (or, for a pooling op on its own, time steps) that were given. */
  frames: number;
  /** The smallest count that gives a finite statistic. */
  minimumFrames: number;
  pooling: string;
  /** What was too short; default "input". */
  subject?: string;
}

/**
 * Fewer frames than the chosen pooling needs: an unbiased standard deviation over a single pooled
 * time step is 0/0. Raised instead of returning NaN.
 */
export class InputTooShortError extends WspError {
  static override readonly errorName: string = 'InputTooShortError';
  readonly frames: number;
  readonly minimumFrames: number;
  readonly pooling: string;
  constructor(details: InputTooShortDetails, options: Options = {}) {
    const subject = details.subject ?? 'input';
    super(
      `${subject} has ${details.frames} frame${details.frames === 1 ? '' : 's'} but pooling '${details.pooling}' needs at least ${details.minimumFrames}`,
      { code: 'INPUT_TOO_SHORT', ...options },
    );
    this.frames = details.frames;
    this.minimumFrames = details.minimumFrames;
    this.pooling = details.pooling;
  }
}

/** Why one backend candidate was not used. */
export interface BackendSkipReason {
  name: string;
  reason: string;
}

/** No backend could be started; `reasons` says why each candidate was skipped. */
export class BackendUnavailableError extends WspError {
  static override readonly errorName: string = 'BackendUnavailableError';
  readonly reasons: readonly BackendSkipReason[];
  constructor(message: string, reasons: readonly BackendSkipReason[], options: Options = {}) {
    super(message, { code: 'BACKEND_UNAVAILABLE', ...options });
    this.reasons = reasons;
  }
}

/** A backend operation failed; `backend` names it and the message carries the backend's own. */
export class BackendError extends WspError {
  static override readonly errorName: string = 'BackendError';
  readonly backend: string;
  constructor(backend: string, message: string, options: Options = {}) {
    super(`backend '${backend}': ${message}`, { code: 'BACKEND_FAILED', ...options });
    this.backend = backend;
  }
}

/** A device tensor, prepared weight, session or backend was used after `dispose()`. */
export class DisposedError extends WspError {
  static override readonly errorName: string = 'DisposedError';
  constructor(what: string, options: Options = {}) {
    super(`${what} was used after dispose()`, { code: 'DISPOSED', ...options });
  }
}
