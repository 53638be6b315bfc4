/**
 * Exit codes, a contract for scripts: 0 success, 1 usage error, 2 bad input, 3 the environment
 * could not do it (no backend, download failed, a missing optional decoder, an internal error).
 */
import { BackendError, BackendUnavailableError, DisposedError } from '@wsp/resnet-graph';
import { ModelDownloadError } from '@wsp/speaker';
import { WspError } from '@wsp/weights';

export const EXIT = Object.freeze({ ok: 0, usage: 1, badInput: 2, environment: 3 });
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Wrong command line: unknown command or option, missing or malformed value. Exit 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A file or value given to the command is unusable (beyond the typed errors of the packages). Exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Typed errors that mean "this machine cannot do it" rather than "the input is bad". */
const ENVIRONMENT_ERRORS = [BackendUnavailableError, BackendError, ModelDownloadError, DisposedError];
const ENVIRONMENT_CODES = ['NODE_FS_UNAVAILABLE', 'DECODER_MISSING'];

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof InputError) return EXIT.badInput;
  if (WspError.isInstance(error)) {
    if (ENVIRONMENT_ERRORS.some((type) => type.isInstance(error))) return EXIT.environment;
    return ENVIRONMENT_CODES.includes((error as WspError).code) ? EXIT.environment : EXIT.badInput;
  }
  return EXIT.environment;
}
