// Errors of the Ascend backend, built on the shared classes of @wsp/resnet-graph so callers can
// catch BackendError / BackendUnavailableError for any backend, with CANN's details added.
import { BackendError, BackendUnavailableError, DisposedError, ShapeError } from '@wsp/resnet-graph';
import type { WspErrorOptions } from '@wsp/resnet-graph';
import { WspError } from '@wsp/weights';

export const BACKEND_NAME = 'ascend';

/** What CANN said about a failure. */
export interface CannDetails {
  /** The CANN function or aclnn operator (and phase) that failed. */
  api?: string;
  /** Its status code (aclError / aclnnStatus). */
  status?: number;
  /** The text of aclGetRecentErrMsg(), read in the failing thread right after the failure. */
  cannMessage?: string;
}

export type AscendErrorOptions = Partial<WspErrorOptions> & CannDetails;

function cannFields(o: CannDetails): { api: string | undefined; status: number | undefined; cannMessage: string | undefined } {
  return { api: o.api || undefined, status: o.status || undefined, cannMessage: o.cannMessage || undefined };
}

/** A failure on the device or in CANN (a BackendError of backend 'ascend'). */
export class AscendError extends BackendError {
  static override readonly errorName: string = 'AscendError';
  readonly api: string | undefined;
  readonly status: number | undefined;
  readonly cannMessage: string | undefined;

  constructor(message: string, options: AscendErrorOptions = {}) {
    super(BACKEND_NAME, message, { code: options.code ?? 'ASCEND_FAILED', file: options.file, cause: options.cause });
    ({ api: this.api, status: this.status, cannMessage: this.cannMessage } = cannFields(options));
  }
}

/** An aclnn operator rejected its arguments (phase 1) or failed to launch (phase 2). */
export class AscendOperatorError extends AscendError {
  static override readonly errorName: string = 'AscendOperatorError';
}

/** A runtime call failed, or a queued kernel failed (reported at the next synchronisation). */
export class AscendRuntimeError extends AscendError {
  static override readonly errorName: string = 'AscendRuntimeError';
}

/** Device (or page-locked host) memory is exhausted. */
export class AscendOutOfMemoryError extends AscendError {
  static override readonly errorName: string = 'AscendOutOfMemoryError';
}

/**
 * CANN, the driver or the device cannot be used. `code` says which part (the codes of
 * isAvailable()), the message what to do.
 */
export class AscendUnavailableError extends BackendUnavailableError {
  static override readonly errorName: string = 'AscendUnavailableError';
  readonly api: string | undefined;
  readonly status: number | undefined;
  readonly cannMessage: string | undefined;

  constructor(reason: string, options: AscendErrorOptions = {}) {
    super(`backend '${BACKEND_NAME}' is unavailable: ${reason}`, [{ name: BACKEND_NAME, reason }], {
      code: options.code ?? 'BACKEND_UNAVAILABLE',
      cause: options.cause,
    });
    ({ api: this.api, status: this.status, cannMessage: this.cannMessage } = cannFields(options));
  }
}

type NativeError = Error & { code?: unknown; api?: unknown; status?: unknown; cannMessage?: unknown };

/** Turns an error thrown by the addon (an Error with `code`, `api`, `status`, `cannMessage`) into a typed one. */
export function fromNativeError(e: unknown): Error {
  if (!(e instanceof Error)) return new AscendRuntimeError(String(e), { code: 'ASCEND_RUNTIME_FAILED' });
  if (WspError.isInstance(e)) return e;
  const n = e as NativeError;
  const details: AscendErrorOptions = {
    code: typeof n.code === 'string' ? n.code : undefined,
    api: typeof n.api === 'string' ? n.api : undefined,
    status: typeof n.status === 'number' ? n.status : undefined,
    cannMessage: typeof n.cannMessage === 'string' ? n.cannMessage : undefined,
    cause: e,
  };
  switch (n.code) {
    case 'ASCEND_UNAVAILABLE':
      return new AscendUnavailableError(e.message, details);
    case 'ASCEND_OUT_OF_MEMORY':
      return new AscendOutOfMemoryError(e.message, details);
    case 'ASCEND_OPERATOR_FAILED':
      return new AscendOperatorError(e.message, details);
    case 'ASCEND_RUNTIME_FAILED':
      return new AscendRuntimeError(e.message, details);
    case 'ASCEND_INVALID_ARGUMENT':
      return new ShapeError(e.message, { code: 'SHAPE_MISMATCH', cause: e });
    case 'ASCEND_DISPOSED':
      return new DisposedError(e.message.replace(/ was disposed$/, ''), { cause: e });
    default:
      return e;
  }
}

/** Calls `fn`, converting native failures into typed errors. */
export function native<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fromNativeError(e);
  }
}

/** Awaits `promise()`, converting native failures into typed errors. */
export async function nativeAsync<T>(promise: () => Promise<T>): Promise<T> {
  try {
    return await promise();
  } catch (e) {
    throw fromNativeError(e);
  }
}
