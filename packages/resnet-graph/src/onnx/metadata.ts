/**
 * The model metadata (`metadata_props`) an exported model carries: the front-end contract a
 * runtime must honour to feed it (sample rate, features, normalisation) and what the graph
 * computes (pooling, L2), so the .onnx file alone says how to use it — the way sherpa-onnx's
 * speaker models record `sample_rate`, `output_dim` and friends.
 */
import type { WeSpeakerConfig } from '@wsp/weights';
import { POOLING_VARIANTS } from '../pooling.js';
import type { PoolingVariant } from '../spi.js';

/** Version of the layout of the `wsp.*` keys (bumped when a key changes meaning). */
export const ONNX_METADATA_VERSION = '1';

/** The Kaldi fbank the weights were trained on (model-spec §3), as the `wespeaker` preset of @wsp/fbank. */
const FBANK_DESCRIPTION =
  'Kaldi fbank as torchaudio.compliance.kaldi.fbank: waveform x 32768, 400/160-sample frames (25/10 ms), snip edges, ' +
  'dither 0, per-frame DC removal, pre-emphasis 0.97, symmetric Hamming, 512-point FFT power, mel triangles ' +
  '1127 ln(1+f/700) 20 Hz..Nyquist, natural log floored at float32 epsilon';

export interface MetadataInput {
  config: WeSpeakerConfig;
  pooling: PoolingVariant;
  normalize: boolean;
  minimumFrames: number;
  inputName: string;
  outputName: string;
}

/** Metadata entries, in a stable order. `extra` entries are added last and win on a clash. */
export function exportMetadata(m: MetadataInput, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const variant = POOLING_VARIANTS[m.pooling];
  return {
    // The keys sherpa-onnx reads from its speaker-embedding models.
    framework: 'wespeaker',
    model_type: m.config.model_type,
    sample_rate: String(m.config.sample_rate),
    output_dim: String(m.config.embedding_dim),
    // 0 = samples in int16 range (x 32768) before the fbank, as WeSpeaker models expect.
    normalize_samples: '0',
    feature_normalize_type: 'mean',
    language: 'English',
    comment: `WeSpeaker ResNet (layers [${m.config.layers.join(',')}], channels [${m.config.channels.join(',')}]) exported by @wsp/resnet-graph`,
    // The full contract, under our own prefix.
    'wsp.metadata_version': ONNX_METADATA_VERSION,
    'wsp.input': `${m.inputName}: float32 [batch, frames, ${m.config.n_mels}] log-mel features, utterance-mean normalised`,
    'wsp.output': `${m.outputName}: float32 [batch, ${m.config.embedding_dim}] speaker embeddings${m.normalize ? ', L2-normalised' : ''}`,
    'wsp.sample_rate': String(m.config.sample_rate),
    'wsp.n_mels': String(m.config.n_mels),
    'wsp.fbank_preset': 'wespeaker',
    'wsp.fbank': FBANK_DESCRIPTION,
    'wsp.cmn': 'utterance-mean',
    'wsp.pooling': m.pooling,
    'wsp.pooling_std': `${variant.unbiased ? 'unbiased (T-1)' : 'biased (T)'}, epsilon ${variant.epsilon}`,
    'wsp.normalize': String(m.normalize),
    'wsp.embedding_dim': String(m.config.embedding_dim),
    'wsp.minimum_frames': String(m.minimumFrames),
    'wsp.config': JSON.stringify(m.config),
    ...extra,
  };
}
