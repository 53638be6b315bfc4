import { WspError } from '@wsp/weights';
import type { WspErrorOptions } from '@wsp/weights';

export interface AscendErrorOptions extends WspErrorOptions {
  /** The CANN function or aclnn operator that failed. */
  api?: string;
  /** Its status code (aclError / aclnnStatus). */
  status?: number;
  /** The text of aclGetRecentErrMsg() read right after the failure. */
  cannMessage?: string;
}

/** Any failure of the Ascend backend. */
export class AscendError extends WspError {
  static override readonly errorName: string = 'AscendError';
  readonly api: string | undefined;
  readonly status: number | undefined;
  readonly cannMessage: string | undefined;

  constructor(message: string, options: AscendErrorOptions) {
    super(message, options);
    this.api = options.api || undefined;
    this.status = options.status || undefined;
    this.cannMessage = options.cannMessage || undefined;
  }
}

/** CANN, the driver or the device cannot be used; `code` says which part and the message what to do. */
export class AscendUnavailableError extends AscendError {
  static override readonly errorName: string = 'AscendUnavailableError';
}

/** An aclnn operator rejected its arguments or failed to launch. */
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

/** A tensor, weights or shape that this backend cannot take. */
export class AscendArgumentError extends AscendError {
  static override readonly errorName: string = 'AscendArgumentError';
}

/** The backend, a tensor or a compiled network was used after dispose(). */
export class AscendDisposedError extends AscendError {
  static override readonly errorName: string = 'AscendDisposedError';
}

const byNativeCode: Record<string, new (message: string, options: AscendErrorOptions) => AscendError> = {
  ASCEND_UNAVAILABLE: AscendUnavailableError,
  ASCEND_OUT_OF_MEMORY: AscendOutOfMemoryError,
  ASCEND_OPERATOR_FAILED: AscendOperatorError,
  ASCEND_RUNTIME_FAILED: AscendRuntimeError,
  ASCEND_INVALID_ARGUMENT: AscendArgumentError,
  ASCEND_DISPOSED: AscendDisposedError,
};

/** Turns an error thrown by the addon (an Error with `code`, `api`, `status`, `cannMessage`) into a typed error. */
export function fromNativeError(e: unknown): Error {
  if (!(e instanceof Error)) return new AscendRuntimeError(String(e), { code: 'ASCEND_RUNTIME_FAILED' });
  if (WspError.isInstance(e)) return e;
  const fields = e as Error & { code?: unknown; api?: unknown; status?: unknown; cannMessage?: unknown };
  const code = typeof fields.code === 'string' ? fields.code : '';
  const Ctor = byNativeCode[code];
  if (!Ctor) return e;
  return new Ctor(e.message, {
    code,
    api: typeof fields.api === 'string' ? fields.api : undefined,
    status: typeof fields.status === 'number' ? fields.status : undefined,
    cannMessage: typeof fields.cannMessage === 'string' ? fields.cannMessage : undefined,
  });
}

/** Calls `fn`, converting native failures into typed errors. */
export function native<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fromNativeError(e);
  }
}

/** Awaits `promise`, converting native failures into typed errors. */
export async function nativeAsync<T>(promise: () => Promise<T>): Promise<T> {
  try {
    return await promise();
  } catch (e) {
    throw fromNativeError(e);
  }
}
