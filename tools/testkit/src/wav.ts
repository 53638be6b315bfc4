// The smallest valid mono WAV files, for tests that hand audio to a program as a file: 16-bit PCM
// from Int16Array samples, IEEE float (format 3) from Float32Array samples. Layouts no encoder
// writes (odd chunk order, lying sizes) belong in @wsp/speaker's own wav-builder.
export function monoWav(samples: Int16Array | Float32Array, sampleRate = 16000): Uint8Array {
  const float = samples instanceof Float32Array;
  const bytesPerSample = float ? 4 : 2;
  const dataBytes = samples.length * bytesPerSample;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, float ? 3 : 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true);
  view.setUint16(32, bytesPerSample, true);
  view.setUint16(34, 8 * bytesPerSample, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  samples.forEach((x, i) => (float ? view.setFloat32(44 + 4 * i, x, true) : view.setInt16(44 + 2 * i, x, true)));
  return out;
}
