/**
 * Streaming filterbank in the shape of Kaldi's OnlineFeatureInterface (and kaldi-native-fbank):
 * feed chunks of any size, read frames by absolute index, pop old frames to bound memory.
 *
 * Frames are computed as soon as their samples are in (with snipEdges false the last few wait for
 * `inputFinished()`, since the reflection at the end needs the length), by the same kernel and in
 * the same order as `fbank`, so they are bit-identical to the batch output for any chunking
 * (dither included: its noise is drawn frame by frame in order).
 *
 * Memory: the samples still needed (at most about two frames plus the largest chunk) and the frames
 * not yet popped.
 */
import { fail } from './errors.js';
import type { FbankResult } from './fbank.js';
import { FrameComputer } from './frame.js';
import type { SampleArray } from './frame-input.js';
import { firstSampleOfFrame, numFramesReady } from './frames.js';
import { checkSamples } from './input.js';
import { resolveFbankOptions } from './options.js';
import type { FbankOptions, FbankPresetName, ResolvedFbankOptions } from './options.js';

export class OnlineFbank {
  /** The options in force, with the derived sizes. */
  readonly options: ResolvedFbankOptions;
  private readonly computer: FrameComputer;
  private finished = false;

  // Samples: samples[i] holds absolute sample sampleBase + i, for i < sampleCount.
  private samples = new Float64Array(0);
  private sampleBase = 0;
  private sampleCount = 0;

  // Frames: row frameHead + r of `frames` holds absolute frame frameBase + r, for r < frameCount.
  private frames = new Float32Array(0);
  private frameHead = 0;
  private frameBase = 0;
  private frameCount = 0;

  constructor(options?: FbankOptions | FbankPresetName) {
    const o = resolveFbankOptions(options);
    if (o.subtractMean) fail('INVALID_OPTION', 'subtractMean needs the whole input; use fbank(), or applyCmn() on the frames you collect');
    if (o.minDuration !== 0) fail('INVALID_OPTION', 'minDuration applies to whole inputs only; use fbank() for it');
    this.options = o;
    this.computer = new FrameComputer(o);
  }

  /** Values per frame. */
  get numBins(): number {
    return this.options.numBins;
  }

  /** Frames computed so far, counting popped ones: the valid indices are numFramesPopped .. numFramesReady − 1. */
  get numFramesReady(): number {
    return this.frameBase + this.frameCount;
  }

  /** Frames removed by `pop`; the first index `getFrame` still accepts. */
  get numFramesPopped(): number {
    return this.frameBase;
  }

  /** Samples accepted so far. */
  get numSamplesAccepted(): number {
    return this.sampleBase + this.sampleCount;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Bytes held by the sample and frame buffers (their capacity), to check that memory stays bounded. */
  get retainedBytes(): number {
    return this.samples.byteLength + this.frames.byteLength;
  }

  /** Appends samples (any length, including 0) and computes every frame that became ready. */
  acceptWaveform(chunk: Float32Array | Float64Array): void {
    if (this.finished) fail('INVALID_STATE', 'acceptWaveform after inputFinished(); create a new OnlineFbank for a new stream');
    checkSamples(chunk, 'chunk');
    this.appendSamples(chunk);
    this.computeReadyFrames();
  }

  /** Marks the end of the input; with snipEdges false this computes the last frames (reflected at the end). */
  inputFinished(): void {
    if (this.finished) return;
    this.finished = true;
    this.computeReadyFrames();
  }

  /**
   * Frame `index` (absolute, from 0) as a new Float32Array, or written into `out` when given.
   * Throws FRAME_OUT_OF_RANGE for a popped frame or one that is not ready.
   */
  getFrame(index: number, out?: Float32Array): Float32Array {
    this.checkAvailable(index);
    const dim = this.numBins;
    const row = (this.frameHead + index - this.frameBase) * dim;
    const view = this.frames.subarray(row, row + dim);
    if (out === undefined) return view.slice();
    if (!(out instanceof Float32Array) || out.length < dim) fail('INVALID_INPUT', `out must be a Float32Array of at least ${dim} values`);
    out.set(view);
    return out;
  }

  /**
   * Removes the oldest `count` available frames (default: all that are ready) and returns them as
   * a result; later frames keep their absolute indices.
   */
  pop(count?: number): FbankResult {
    const n = count ?? this.frameCount;
    if (!Number.isInteger(n) || n < 0) fail('INVALID_INPUT', `pop(count): count must be a non-negative integer, got ${count}`);
    if (n > this.frameCount) {
      fail('FRAME_OUT_OF_RANGE', `pop(${n}): only ${this.frameCount} frames are available (indices ${this.frameBase} .. ${this.numFramesReady - 1})`);
    }
    const dim = this.numBins;
    const data = this.frames.slice(this.frameHead * dim, (this.frameHead + n) * dim);
    this.frameHead += n;
    this.frameBase += n;
    this.frameCount -= n;
    return { data, numFrames: n, numBins: dim };
  }

  private checkAvailable(index: number): void {
    if (!Number.isInteger(index)) fail('FRAME_OUT_OF_RANGE', `frame index must be an integer, got ${index}`);
    if (index < this.frameBase) fail('FRAME_OUT_OF_RANGE', `frame ${index} was popped already (the first available frame is ${this.frameBase})`);
    if (index >= this.numFramesReady) {
      fail('FRAME_OUT_OF_RANGE', `frame ${index} is not ready (${this.numFramesReady} frames ready${this.finished ? ', input finished' : ''})`);
    }
  }

  private appendSamples(chunk: SampleArray): void {
    const needed = this.sampleCount + chunk.length;
    if (needed > this.samples.length) {
      // Drop samples no future frame reads, then grow if that is not enough.
      this.dropConsumedSamples();
      const stillNeeded = this.sampleCount + chunk.length;
      if (stillNeeded > this.samples.length) {
        // Room for several frames, so that dropping consumed samples (a copy) is rare with small chunks.
        const grown = new Float64Array(Math.max(2 * stillNeeded, 8 * this.options.windowSize));
        grown.set(this.samples.subarray(0, this.sampleCount));
        this.samples = grown;
      }
    }
    this.samples.set(chunk, this.sampleCount);
    this.sampleCount += chunk.length;
  }

  private dropConsumedSamples(): void {
    const o = this.options;
    // The next frame reads from its first sample on, or (reflected at the end) at most one window
    // before it; the reflection at the start reads only the first window of the input.
    const keepFrom = Math.max(0, firstSampleOfFrame(this.numFramesReady, o) - o.windowSize);
    const drop = Math.min(keepFrom - this.sampleBase, this.sampleCount);
    if (drop <= 0) return;
    this.samples.copyWithin(0, drop, this.sampleCount);
    this.sampleBase += drop;
    this.sampleCount -= drop;
  }

  private computeReadyFrames(): void {
    const o = this.options;
    const total = this.sampleBase + this.sampleCount;
    const ready = numFramesReady(total, this.finished, o);
    const dim = o.numBins;
    for (let m = this.numFramesReady; m < ready; m++) {
      this.reserveFrameRow();
      const start = firstSampleOfFrame(m, o);
      const row = (this.frameHead + this.frameCount) * dim;
      if (start >= 0 && start + o.windowSize <= total) this.computer.computeAt(this.samples, start - this.sampleBase, this.frames, row);
      else this.computer.computeReflected(this.samples, this.sampleBase, start, total, this.frames, row);
      this.frameCount++;
    }
  }

  /** Makes room for one more row: moves the live rows to the front when popped rows left room, else grows. */
  private reserveFrameRow(): void {
    const dim = this.options.numBins;
    const rows = this.frames.length / dim;
    if (this.frameHead + this.frameCount < rows) return;
    const live = this.frames.subarray(this.frameHead * dim, (this.frameHead + this.frameCount) * dim);
    if (2 * (this.frameCount + 1) <= rows) {
      this.frames.copyWithin(0, this.frameHead * dim, (this.frameHead + this.frameCount) * dim);
    } else {
      const grown = new Float32Array(Math.max(16, 2 * (this.frameCount + 1)) * dim);
      grown.set(live);
      this.frames = grown;
    }
    this.frameHead = 0;
  }
}
