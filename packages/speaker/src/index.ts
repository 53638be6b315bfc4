// Public API of @wsp/speaker: a list of exports, one module per job. The model-independent half
// (audio, registry, download) lives here; the embedding model is added next to it.
export { AudioError, AudioDecodeError, EmbeddingError, RegistryError, ModelDownloadError } from './errors.js';
export type { AudioEncoding, AudioFormat, DecodedAudio } from './audio/types.js';
export { decodeWav, looksLikeWav, SUPPORTED_WAV_ENCODINGS } from './audio/wav.js';
export type { WavDecodeOptions } from './audio/wav.js';
export { mixToMono } from './audio/mixdown.js';
export { createResampler, resample } from './audio/resample.js';
export type { ResampleOptions, Resampler } from './audio/resample.js';
export { decodeAudio, SUPPORTED_AUDIO_FORMATS } from './audio/decode.js';
export type { AudioSource, DecodeAudioOptions } from './audio/decode.js';
export { loadAudio } from './audio/index.js';
export type { LoadAudioOptions, LoadedAudio, RawAudio } from './audio/index.js';
export { similarity, cosineToScore, scoreToCosine } from './similarity.js';
export type { EmbeddingLike } from './similarity.js';
export { SpeakerRegistry, createRegistry, REGISTRY_FORMAT, REGISTRY_FORMAT_VERSION } from './registry.js';
export type { IdentifyOptions, RegistryJson, RegistryOptions, SpeakerMatch, SpeakerSummary, VerifyResult } from './registry.js';
export { downloadModel, defaultModelCacheDir, DEFAULT_MODEL_REPO, DEFAULT_MODEL_FILES } from './download.js';
export type { DownloadModelOptions, DownloadProgress, DownloadResult, DownloadedFile } from './download.js';

// The embedding model: load, embed (single, batch, long audio, precomputed features), verify.
export { SpeakerModelError } from './errors.js';
export { loadSpeakerModel } from './model/load-model.js';
export type { LoadSpeakerModelOptions } from './model/load-model.js';
export { SpeakerModel } from './model/speaker-model.js';
export type {
  EmbedBatchOptions,
  EmbedLongOptions,
  EmbedOptions,
  EmbeddingResult,
  LongEmbedding,
  LongWindow,
  ProgressEvent,
  ShortInputPolicy,
  VerifyOptions,
} from './model/speaker-model.js';
export { MODEL_SAMPLE_RATE } from './model/audio-input.js';
export type { AudioInput, AudioInputOptions } from './model/audio-input.js';
export { computeFeatures, FRAME_GEOMETRY } from './model/features.js';
export type { AudioInfo, FeatureOptions, SpeakerFeatures } from './model/features.js';
export type { FeatureMatrix, FeaturesInput, ShapedFeatures } from './model/feature-input.js';
export { loadOptionalBackends, OPTIONAL_BACKEND_PACKAGES } from './model/backends.js';
export type { OptionalBackendStatus } from './model/backends.js';
export { ensureDemoModel, DEMO_MODEL_NOTICE } from './model/demo-model.js';
export type { DemoModelOptions } from './model/demo-model.js';
