/**
 * Typed errors of @wsp/speaker. All extend `WspError` from @wsp/weights, so `code` is a stable
 * machine-readable string and `file` (when known) prefixes the message.
 */
import { WspError } from '@wsp/weights';

/** A problem with audio given to the package: bad arguments, rates, sample values. */
export class AudioError extends WspError {
  static override readonly errorName: string = 'AudioError';
}

/**
 * Audio bytes that cannot be decoded. Codes: `EMPTY_FILE`, `FILE_READ_FAILED`, `FILE_TOO_LARGE`,
 * `UNSUPPORTED_FORMAT`, `DECODER_MISSING`, `DECODE_FAILED`, and for WAV `NOT_RIFF`,
 * `UNSUPPORTED_CONTAINER` (RIFX, RF64), `NOT_WAVE`, `TRUNCATED_HEADER`, `MISSING_FMT`,
 * `MISSING_DATA`, `INVALID_FMT`, `UNSUPPORTED_WAV_FORMAT`, `NON_FINITE_SAMPLE`.
 */
export class AudioDecodeError extends AudioError {
  static override readonly errorName: string = 'AudioDecodeError';
}

/**
 * Speaker registry misuse or a bad registry file. Codes: `INVALID_NAME`, `INVALID_EMBEDDING`,
 * `DIMENSION_MISMATCH`, `UNKNOWN_SPEAKER`, `INVALID_THRESHOLD`, `INVALID_OPTION`, `CORRUPT_FILE`,
 * `UNSUPPORTED_VERSION`, `SAVE_FAILED`, `LOAD_FAILED`.
 */
export class RegistryError extends WspError {
  static override readonly errorName: string = 'RegistryError';
}

/**
 * The model could not be downloaded. Codes: `OFFLINE`, `NOT_FOUND`, `HTTP_ERROR`, `SIZE_MISMATCH`,
 * `HASH_MISMATCH`, `WRITE_FAILED`, `ABORTED`, `INVALID_OPTION`. The message always says what to
 * download, from where, and where to put it.
 */
export class ModelDownloadError extends WspError {
  static override readonly errorName: string = 'ModelDownloadError';
}
