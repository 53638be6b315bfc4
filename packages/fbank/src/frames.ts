/**
 * Frame counting and placement, as Kaldi (feature-window.cc) and torchaudio (_get_strided) do it.
 *
 * snipEdges true: frame m covers samples [m·shift, m·shift + size); only frames that fit count.
 * snipEdges false: there are round(N / shift) frames (exactly (N + shift/2) div shift), frame m is
 * centred on m·shift + shift/2, and samples outside [0, N) are taken by reflection (−1 → 0,
 * N → N − 1), repeatedly if a frame is longer than the input.
 */
export interface FrameGeometry {
  /** Samples per frame. */
  windowSize: number;
  /** Samples between the starts of two frames. */
  windowShift: number;
  snipEdges: boolean;
}

/** Number of frames an input of `numSamples` samples gives. */
export function numFrames(numSamples: number, g: FrameGeometry): number {
  if (g.snipEdges) return numSamples < g.windowSize ? 0 : 1 + Math.floor((numSamples - g.windowSize) / g.windowShift);
  return Math.floor((numSamples + Math.floor(g.windowShift / 2)) / g.windowShift);
}

/** Index of the first sample of frame `frame` (negative near the start when snipEdges is false). */
export function firstSampleOfFrame(frame: number, g: FrameGeometry): number {
  if (g.snipEdges) return frame * g.windowShift;
  return frame * g.windowShift + Math.floor(g.windowShift / 2) - Math.floor(g.windowSize / 2);
}

/**
 * Frames that can be computed from the first `numSamples` samples of a stream. Before the end is
 * known (snipEdges false) a frame is ready only once it lies wholly inside the samples seen, since
 * the reflection at the end needs the length.
 */
export function numFramesReady(numSamples: number, inputFinished: boolean, g: FrameGeometry): number {
  let m = numFrames(numSamples, g);
  if (g.snipEdges || inputFinished) return m;
  while (m > 0 && firstSampleOfFrame(m - 1, g) + g.windowSize > numSamples) m--;
  return m;
}

/** The sample index that Kaldi reads for position `index` of an input of `numSamples` samples. */
export function reflectIndex(index: number, numSamples: number): number {
  let s = index;
  while (s < 0 || s >= numSamples) s = s < 0 ? -s - 1 : 2 * numSamples - 1 - s;
  return s;
}
