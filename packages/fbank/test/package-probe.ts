// A small program that exercises the public API and returns numbers to compare. It is serialised
// with Function#toString and run inside consumers (an installed tarball, a browser bundle), so it
// must not reference anything outside its own body but the `api` argument.
import type * as Api from '../src/index.js';

export interface ProbeResult {
  numFrames: number;
  numBins: number;
  firstRow: number[];
  cmnLastRow: number[];
  streamedEqualsBatch: boolean;
  errorCode: string;
  isFbankError: boolean;
}

export function probe(api: typeof Api): ProbeResult {
  const samples = new Float32Array(16000);
  for (let i = 0; i < samples.length; i++) samples[i] = 0.3 * Math.sin(i * 0.05) + 0.1 * Math.sin(i * 0.71) * Math.cos(i * 0.003);
  const batch = api.fbank(samples, 'wespeaker');
  const cmn = api.applyCmn(batch);
  const online = new api.OnlineFbank(api.WESPEAKER_PRESET);
  for (let i = 0; i < samples.length; i += 160) online.acceptWaveform(samples.subarray(i, i + 160));
  online.inputFinished();
  const streamed = online.pop();
  let same = streamed.data.length === batch.data.length;
  for (let i = 0; same && i < batch.data.length; i++) same = streamed.data[i] === batch.data[i];
  let errorCode = '';
  let isFbankError = false;
  try {
    api.fbank(new Float32Array(10), 'wespeaker');
  } catch (e) {
    errorCode = (e as { code: string }).code;
    isFbankError = api.FbankError.isInstance(e);
  }
  return {
    numFrames: batch.numFrames,
    numBins: batch.numBins,
    firstRow: Array.from(batch.data.subarray(0, batch.numBins)),
    cmnLastRow: Array.from(cmn.data.subarray(cmn.data.length - cmn.numBins)),
    streamedEqualsBatch: same,
    errorCode,
    isFbankError,
  };
}
