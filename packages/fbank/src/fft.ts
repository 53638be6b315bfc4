/**
 * Complex FFTs on interleaved (re, im) Float64Arrays, written for the filterbank's use: one
 * transform of the same size per frame, input written by the caller straight into the order the
 * transform wants, tables computed once.
 *
 * Powers of two use an iterative radix-4 decimation in time (a radix-2 stage first when log2 of the
 * size is odd) on bit-reversed input. Other sizes use Bluestein's algorithm on a power-of-two
 * transform, so every size the options allow has a transform.
 *
 * The transforms are closures over their buffers and tables rather than methods reading them from
 * fields: V8 compiles a function that has a single closure with the constants of its scope folded
 * in (array addresses and lengths), which made the filterbank ~30% faster. Once a process has built
 * a second closure of the same function (a second configuration), V8 stops folding for that
 * function; the hot functions therefore copy what they use into locals before their loops, which
 * keeps that case within ~1.4x instead of ~2x. Correctness never depends on any of this; the
 * measurements are in docs/decisions/fb-02-fbank-performance.md. The spectrum, the log and the FFT
 * input writer follow the same pattern.
 */

export interface ComplexFft {
  /** Number of complex points. */
  readonly size: number;
  /**
   * The input: complex point n goes to input[inputIndex[n]] (real part) and the next slot (imaginary
   * part). `transform` never writes it, so slots the caller leaves alone keep their values.
   */
  readonly input: Float64Array;
  readonly inputIndex: Int32Array;
  /** The spectrum after `transform`, in natural order: X[k] at output[2k], output[2k + 1]. */
  readonly output: Float64Array;
  /** output = DFT(input), with the e^(−2πi·nk/size) sign convention. */
  readonly transform: () => void;
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && (n & (n - 1)) === 0;
}

/** The transform for `size` complex points (size >= 1). */
export function complexFft(size: number): ComplexFft {
  return isPowerOfTwo(size) ? radix4Fft(size) : bluesteinFft(size);
}

/** Bit reversal of the log2(size) low bits of every index, as interleaved offsets (2·reversed). */
function bitReversedOffsets(size: number): Int32Array {
  const bits = Math.round(Math.log2(size));
  const offsets = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    offsets[i] = 2 * r;
  }
  return offsets;
}

/**
 * Radix-4 DIT on bit-reversed input. A radix-4 butterfly with quarter size L merges two radix-2
 * stages (half sizes L and 2L): with w = e^(−2πi·j/4L) and inputs a, b, c, d at j, j + L, j + 2L,
 * j + 3L, B = w²·b, C = w·c, D = w³·d give a + B ± (C + D) at j, j + 2L and a − B ∓ i(C − D) at
 * j + L, j + 3L. Three complex products per four points, the twiddles read from one table.
 */
function radix4Fft(size: number): ComplexFft {
  const input = new Float64Array(2 * size);
  const output = new Float64Array(2 * size);
  const length = 2 * size;
  const radix2First = Math.round(Math.log2(size)) % 2 === 1;
  // Per radix-4 stage with twiddles (L = 4, 16, ... or 2, 8, ...): for j < L, w, w², w³ (re, im).
  const values: number[] = [];
  for (let quarter = radix2First ? 2 : 4; 4 * quarter <= size; quarter *= 4) {
    for (let j = 0; j < quarter; j++) {
      for (let power = 1; power <= 3; power++) {
        const angle = (-2 * Math.PI * j * power) / (4 * quarter);
        values.push(Math.cos(angle), Math.sin(angle));
      }
    }
  }
  const twiddles = Float64Array.from(values);

  /**
   * Twiddle-free first stage, input → output: radix 2 on neighbours, or radix 4 (L = 1) on groups
   * of four. Its last eight lines repeat the end of the butterfly in laterStages on purpose: a
   * shared helper (inlined by V8) cost 2-5% and, depending on warm-up, sometimes compiled to code
   * 45% slower (docs/decisions/fb-02-fbank-performance.md).
   */
  function firstStage(): void {
    const from = input;
    const to = output;
    const end = length;
    if (radix2First) {
      for (let i = 0; i < end; i += 4) {
        const ar = from[i];
        const ai = from[i + 1];
        const br = from[i + 2];
        const bi = from[i + 3];
        to[i] = ar + br;
        to[i + 1] = ai + bi;
        to[i + 2] = ar - br;
        to[i + 3] = ai - bi;
      }
      return;
    }
    for (let i = 0; i < end; i += 8) {
      const ar = from[i];
      const ai = from[i + 1];
      const br = from[i + 2];
      const bi = from[i + 3];
      const cr = from[i + 4];
      const ci = from[i + 5];
      const dr = from[i + 6];
      const di = from[i + 7];
      const sr = ar + br;
      const si = ai + bi;
      const tr = ar - br;
      const ti = ai - bi;
      const ur = cr + dr;
      const ui = ci + di;
      const vr = cr - dr;
      const vi = ci - di;
      to[i] = sr + ur;
      to[i + 1] = si + ui;
      to[i + 4] = sr - ur;
      to[i + 5] = si - ui;
      to[i + 2] = tr + vi;
      to[i + 3] = ti - vr;
      to[i + 6] = tr - vi;
      to[i + 7] = ti + vr;
    }
  }

  /**
   * The radix-4 stages with twiddles, in place on output. The butterflies that share twiddles run
   * in one inner loop, so each twiddle is read once per stage; `| 0` marks the index sums as int32,
   * which spares V8 an overflow check on each (measured ~10% faster together).
   */
  function laterStages(): void {
    const z = output;
    const table = twiddles;
    const end = length;
    const points = size;
    let t = 0;
    for (let quarter = radix2First ? 2 : 4; 4 * quarter <= points; t += 6 * quarter, quarter *= 4) {
      const q2 = 2 * quarter;
      const step = 4 * q2;
      for (let first = 0; first < q2; first += 2) {
        const at = (t + 3 * first) | 0;
        const w1r = table[at];
        const w1i = table[(at + 1) | 0];
        const w2r = table[(at + 2) | 0];
        const w2i = table[(at + 3) | 0];
        const w3r = table[(at + 4) | 0];
        const w3i = table[(at + 5) | 0];
        for (let j = first; j < end; j += step) {
          const j1 = (j + q2) | 0;
          const j2 = (j1 + q2) | 0;
          const j3 = (j2 + q2) | 0;
          const ar = z[j];
          const ai = z[(j + 1) | 0];
          let xr = z[j1];
          let xi = z[(j1 + 1) | 0];
          const br = xr * w2r - xi * w2i;
          const bi = xr * w2i + xi * w2r;
          xr = z[j2];
          xi = z[(j2 + 1) | 0];
          const cr = xr * w1r - xi * w1i;
          const ci = xr * w1i + xi * w1r;
          xr = z[j3];
          xi = z[(j3 + 1) | 0];
          const dr = xr * w3r - xi * w3i;
          const di = xr * w3i + xi * w3r;
          const sr = ar + br;
          const si = ai + bi;
          const tr = ar - br;
          const ti = ai - bi;
          const ur = cr + dr;
          const ui = ci + di;
          const vr = cr - dr;
          const vi = ci - di;
          z[j] = sr + ur;
          z[(j + 1) | 0] = si + ui;
          z[j2] = sr - ur;
          z[(j2 + 1) | 0] = si - ui;
          z[j1] = tr + vi;
          z[(j1 + 1) | 0] = ti - vr;
          z[j3] = tr - vi;
          z[(j3 + 1) | 0] = ti + vr;
        }
      }
    }
  }

  function transform(): void {
    if (size === 1) {
      output[0] = input[0];
      output[1] = input[1];
      return;
    }
    firstStage();
    laterStages();
  }

  return { size, input, inputIndex: bitReversedOffsets(size), output, transform };
}

/**
 * Any-size DFT as a circular convolution with a chirp (Bluestein): X[k] = c̄[k]·Σ x[n]·c̄[n]·c[k − n]
 * with c[n] = e^(iπn²/L), computed with power-of-two transforms of size m >= 2L − 1.
 */
function bluesteinFft(size: number): ComplexFft {
  const input = new Float64Array(2 * size);
  const output = new Float64Array(2 * size);
  let m = 1;
  while (m < 2 * size - 1) m *= 2;
  const inner = radix4Fft(m);
  const work = inner.input;
  const index = inner.inputIndex;
  const spectrum = inner.output;
  // e^(−iπk²/L) for k < L; k² reduced mod 2L keeps the angle accurate for large k.
  const chirp = new Float64Array(2 * size);
  for (let k = 0; k < size; k++) {
    const angle = (Math.PI * ((k * k) % (2 * size))) / size;
    chirp[2 * k] = Math.cos(angle);
    chirp[2 * k + 1] = -Math.sin(angle);
  }
  // The DFT of the conjugate chirp laid out circularly, divided by m (the inverse transform's scale).
  for (let k = 0; k < size; k++) {
    for (const at of k === 0 ? [0] : [k, m - k]) {
      work[index[at]] = chirp[2 * k];
      work[index[at] + 1] = -chirp[2 * k + 1];
    }
  }
  inner.transform();
  const chirpSpectrum = spectrum.map((v) => v / m);

  function transform(): void {
    // The second pass below writes every slot: clear the zero padding of the first.
    for (let k = size; k < m; k++) work[index[k]] = work[index[k] + 1] = 0;
    for (let k = 0; k < size; k++) {
      const re = input[2 * k];
      const im = input[2 * k + 1];
      const at = index[k];
      work[at] = re * chirp[2 * k] - im * chirp[2 * k + 1];
      work[at + 1] = re * chirp[2 * k + 1] + im * chirp[2 * k];
    }
    inner.transform();
    // The inverse transform as conj(DFT(conj(·))): write the conjugate of the product.
    for (let k = 0, at = 0; k < m; k++, at += 2) {
      const re = spectrum[at];
      const im = spectrum[at + 1];
      const to = index[k];
      work[to] = re * chirpSpectrum[at] - im * chirpSpectrum[at + 1];
      work[to + 1] = -(re * chirpSpectrum[at + 1] + im * chirpSpectrum[at]);
    }
    inner.transform();
    for (let k = 0; k < size; k++) {
      const re = spectrum[2 * k];
      const im = -spectrum[2 * k + 1];
      output[2 * k] = re * chirp[2 * k] - im * chirp[2 * k + 1];
      output[2 * k + 1] = re * chirp[2 * k + 1] + im * chirp[2 * k];
    }
  }

  return { size, input, inputIndex: Int32Array.from({ length: size }, (_, n) => 2 * n), output, transform };
}
