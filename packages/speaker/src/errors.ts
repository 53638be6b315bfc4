/**
 * Typed errors of @wsp/speaker. All extend `WspError` from @wsp/weights, so `code` is a stable
 * machine-readable string and `file` (when known) prefixes the message.
 */
import { WspError } from '@wsp/weights';

/**
 * A problem with audio given to the package: `INVALID_SAMPLE_RATE`, `INVALID_OPTION`,
 * `UNSUPPORTED_RATE_PAIR`, `INVALID_SOURCE`, `NON_FINITE_SAMPLE`.
 */
export class AudioError extends WspError {
  static override readonly errorName: string = 'AudioError';
}

/**
 * Audio bytes that cannot be decoded. Codes: `EMPTY_FILE`, `FILE_READ_FAILED`, `FILE_TOO_LARGE`,
 * `UNSUPPORTED_FORMAT`, `DECODER_MISSING`, `DECODE_FAILED`, and for WAV `NOT_RIFF`,
 * `UNSUPPORTED_CONTAINER` (RIFX, RF64), `NOT_WAVE`, `TRUNCATED_HEADER`, `MISSING_FMT`,
 * `MISSING_DATA`, `INVALID_FMT`, `UNSUPPORTED_WAV_FORMAT`, `NON_FINITE_SAMPLE`, `INVALID_SOURCE`.
 */
export class AudioDecodeError extends AudioError {
  static override readonly errorName: string = 'AudioDecodeError';
}

/**
 * A vector that cannot be compared: `EMPTY_EMBEDDING`, `NON_FINITE_EMBEDDING`, `ZERO_EMBEDDING`
 * (no direction), `DIMENSION_MISMATCH`; or a score outside its range (`INVALID_SCORE`).
 */
export class EmbeddingError extends WspError {
  static override readonly errorName: string = 'EmbeddingError';
}

/**
 * Speaker registry misuse or a bad registry file (bad vectors throw `EmbeddingError`). Codes: `INVALID_NAME`, `UNKNOWN_SPEAKER`, `INVALID_THRESHOLD`, `INVALID_OPTION`, `CORRUPT_FILE`,
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

/**
 * A speaker model option out of range: `INVALID_OPTION` (shortInput, maxBatchSize, windowSec,
 * hopSec, ...).
 */
export class SpeakerModelError extends WspError {
  static override readonly errorName: string = 'SpeakerModelError';
}
