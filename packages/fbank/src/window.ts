/**
 * Window functions as torchaudio's kaldi module builds them: all symmetric (denominator size - 1),
 * computed here in float64.
 */
export const WINDOW_TYPES = ['hamming', 'hanning', 'povey', 'rectangular', 'blackman'] as const;
export type WindowType = (typeof WINDOW_TYPES)[number];

export function isWindowType(value: unknown): value is WindowType {
  return typeof value === 'string' && (WINDOW_TYPES as readonly string[]).includes(value);
}

function cosineSum(size: number, a0: number, a1: number, a2: number): Float64Array {
  const w = new Float64Array(size);
  const step = (2 * Math.PI) / (size - 1);
  for (let i = 0; i < size; i++) w[i] = a0 - a1 * Math.cos(step * i) + a2 * Math.cos(2 * step * i);
  return w;
}

/** Symmetric Hann: 0.5 − 0.5·cos(2πi/(N−1)). */
export function hanningWindow(size: number): Float64Array {
  return cosineSum(size, 0.5, 0.5, 0);
}

/** Symmetric Hamming: 0.54 − 0.46·cos(2πi/(N−1)). */
export function hammingWindow(size: number): Float64Array {
  return cosineSum(size, 0.54, 0.46, 0);
}

/** Kaldi's default: the symmetric Hann window raised to the power 0.85 (zero at both ends). */
export function poveyWindow(size: number): Float64Array {
  return hanningWindow(size).map((v) => Math.pow(v, 0.85));
}

export function rectangularWindow(size: number): Float64Array {
  return new Float64Array(size).fill(1);
}

/** Kaldi's generalised Blackman: c − 0.5·cos(a·i) + (0.5 − c)·cos(2a·i), a = 2π/(N−1). */
export function blackmanWindow(size: number, coefficient = 0.42): Float64Array {
  return cosineSum(size, coefficient, 0.5, 0.5 - coefficient);
}

/** The window of a given type and size (size >= 2). */
export function featureWindow(type: WindowType, size: number, blackmanCoeff = 0.42): Float64Array {
  switch (type) {
    case 'hamming':
      return hammingWindow(size);
    case 'hanning':
      return hanningWindow(size);
    case 'povey':
      return poveyWindow(size);
    case 'rectangular':
      return rectangularWindow(size);
    case 'blackman':
      return blackmanWindow(size, blackmanCoeff);
  }
}
