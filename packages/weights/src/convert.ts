import type { ConfigSource, Naming } from './canonical.js';
import type { WeSpeakerConfig } from './config.js';
import type { StorageDType } from './dtype.js';
import { WeightsError } from './errors.js';
import type { ConvLayout } from './layout.js';
import { convertLayout } from './layout.js';
import type { WeightsSource } from './load.js';
import { loadWeSpeakerWeights } from './load.js';
import { writeFileBytes } from './node-io.js';
import { encodeSafetensors } from './safetensors-write.js';
import type { TensorMap } from './tensor.js';
import { encodeTorchStateDict } from './torch-write.js';
import type { WeightsFormat } from './weights-file.js';

export interface EncodeWeightsOptions {
  format: WeightsFormat;
  /** Conv layout written: default 'oihw' for PyTorch, 'ohwi' (MLX) for safetensors. */
  layout?: ConvLayout;
  /** Element type written: F32 (default), F16 or BF16. */
  dtype?: StorageDType;
}

/**
 * Serialises a canonical tensor set (MLX names and layout, as `loadWeSpeakerWeights` returns)
 * as safetensors (with `__metadata__` layout/format) or as a PyTorch state-dict archive that
 * `torch.load(path, weights_only=True)` reads (the Python port's convert_weights.py output:
 * MLX names, OIHW convs).
 */
export function encodeWeights(tensors: TensorMap, options: EncodeWeightsOptions): Uint8Array {
  const layout = options.layout ?? (options.format === 'pytorch' ? 'oihw' : 'ohwi');
  const moved = convertLayout(tensors, 'ohwi', layout);
  if (options.format === 'pytorch') return encodeTorchStateDict(moved, { dtype: options.dtype });
  const metadata = { format: layout === 'oihw' ? 'pt' : 'mlx', layout, producer: '@wsp/weights' };
  return encodeSafetensors(moved, metadata, { dtype: options.dtype });
}

/** `.safetensors` -> safetensors; `.bin`, `.pt`, `.pth` -> PyTorch; anything else is an error. */
export function outputFormatFor(path: string): WeightsFormat {
  if (/\.safetensors$/i.test(path)) return 'safetensors';
  if (/\.(bin|pt|pth)$/i.test(path)) return 'pytorch';
  throw new WeightsError('cannot tell the output format from the file name: use .safetensors, .bin, .pt or .pth (or pass format)', {
    code: 'CONVERT_FORMAT_UNKNOWN',
    file: path,
  });
}

export interface ConvertOptions {
  /** Model directory, weights file, or bytes (see `loadWeSpeakerWeights`). */
  input: WeightsSource;
  /** File to write; its extension picks the format unless `format` is given. */
  output: string;
  format?: WeightsFormat;
  layout?: ConvLayout;
  dtype?: StorageDType;
  config?: WeSpeakerConfig;
}

export interface ConversionSummary {
  input: string;
  output: string;
  source: { format: WeightsFormat; naming: Naming; layout: ConvLayout; batchNormFused: boolean };
  format: WeightsFormat;
  layout: ConvLayout;
  dtype: StorageDType;
  tensorCount: number;
  parameterCount: number;
  bytesWritten: number;
  config: WeSpeakerConfig;
  configSource: ConfigSource;
  notes: string[];
}

/**
 * Loads any supported source, canonicalises it, and writes it in the requested format and layout
 * (what `wsp convert` runs). Node only for the output path.
 */
export async function convertWeights(options: ConvertOptions): Promise<ConversionSummary> {
  const format = options.format ?? outputFormatFor(options.output);
  const layout = options.layout ?? (format === 'pytorch' ? 'oihw' : 'ohwi');
  const dtype = options.dtype ?? 'F32';
  const loaded = await loadWeSpeakerWeights(options.input, { config: options.config });
  const bytes = encodeWeights(loaded.tensors, { format, layout, dtype });
  await writeFileBytes(options.output, bytes);
  return {
    input: typeof options.input === 'string' ? options.input : (loaded.file ?? '<bytes>'),
    output: options.output,
    source: { format: loaded.format, naming: loaded.source.naming, layout: loaded.source.layout, batchNormFused: loaded.source.batchNormFused },
    format,
    layout,
    dtype,
    tensorCount: loaded.tensors.size,
    parameterCount: [...loaded.tensors.values()].reduce((n, t) => n + t.size, 0),
    bytesWritten: bytes.byteLength,
    config: loaded.config,
    configSource: loaded.configSource,
    notes: loaded.notes,
  };
}
