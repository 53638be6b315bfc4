/**
 * Error classes shared by the @wsp packages.
 *
 * `instanceof` breaks when two copies of a package are installed, so every @wsp error carries a
 * marker under `Symbol.for('@wsp/error')`: the list of class names from the concrete class up to
 * `WspError`. `SomeError.isInstance(value)` checks that list, so it works across copies.
 * (@wsp/fbank, which must install alone, implements the same marker protocol itself.)
 */
const MARKER = Symbol.for('@wsp/error');

export interface WspErrorOptions {
  /** Stable machine-readable code, e.g. `SAFETENSORS_HEADER_TOO_LARGE`. */
  code: string;
  /** The file the problem was found in, when there is one; it prefixes the message. */
  file?: string;
  cause?: unknown;
}

export class WspError extends Error {
  static readonly errorName: string = 'WspError';
  readonly code: string;
  readonly file: string | undefined;

  constructor(message: string, options: WspErrorOptions) {
    super(options.file ? `${options.file}: ${message}` : message, { cause: options.cause });
    const chain: string[] = [];
    for (let c = new.target as unknown as typeof WspError; c && c.errorName; c = Object.getPrototypeOf(c)) {
      if (!chain.includes(c.errorName)) chain.push(c.errorName);
    }
    this.name = chain[0] ?? 'WspError';
    this.code = options.code;
    this.file = options.file;
    Object.defineProperty(this, MARKER, { value: chain, enumerable: false });
  }

  /** True when `value` is this error class (or a subclass), from any copy of the package. */
  static isInstance(value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const chain = (value as Record<symbol, unknown>)[MARKER];
    return Array.isArray(chain) && chain.includes(this.errorName);
  }
}

/** Any problem reading, validating, converting or writing weights and tensor files. */
export class WeightsError extends WspError {
  static override readonly errorName: string = 'WeightsError';
}
