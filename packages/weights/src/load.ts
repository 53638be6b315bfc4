import type { CanonicalPlan, ConfigSource, Naming } from './canonical.js';
import { applyCanonicalPlan, planCanonical, validationError } from './canonical.js';
import type { WeSpeakerConfig } from './config.js';
import { parseConfig } from './config.js';
import { WeightsError } from './errors.js';
import type { ConvLayout } from './layout.js';
import { DEFAULT_MAX_FILE_BYTES, joinPath, listDirectory, pathKind, readFileBytes } from './node-io.js';
import { bytesAccess, toBytes } from './random-access.js';
import type { TensorMap } from './tensor.js';
import type { OpenedWeights, WeightsFormat } from './weights-file.js';
import { openWeights } from './weights-file.js';

/** A model directory or weights file path (Node), or the bytes of a weights file (anywhere). */
export type WeightsSource = string | Uint8Array | ArrayBuffer;

export interface LoadOptions {
  /** Use this config instead of config.json / inference. */
  config?: WeSpeakerConfig;
  /** Check the CRC-32 of PyTorch archive entries (default true). */
  verifyCrc?: boolean;
  /** Largest file read from a path (default 2 GiB - 1). */
  maxFileBytes?: number;
}

export interface LoadedWeights {
  config: WeSpeakerConfig;
  /** Where the config came from: the directory's config.json, the options, or the tensor shapes. */
  configSource: ConfigSource;
  /** Canonical tensors: MLX names, `[O, kH, kW, I]` convs, `[out, in]` linear, contiguous float32, in spec order. */
  tensors: TensorMap;
  format: WeightsFormat;
  /** The weights file read, when a path was given. */
  file?: string;
  /** What the source looked like before canonicalisation. */
  source: { naming: Naming; layout: ConvLayout; batchNormFused: boolean; prefix: string; stateDictPath?: string };
  /** Tensors skipped on purpose (num_batches_tracked, projection.*). */
  ignored: string[];
  notes: string[];
}

/** Weights file names looked for in a model directory, most preferred first. */
const PREFERRED_WEIGHTS = ['model.safetensors', 'pytorch_model.bin', 'avg_model.pt', 'model.pt', 'pytorch_model.pt'];
const WEIGHTS_EXTENSIONS = /\.(safetensors|bin|pt|pth|ckpt)$/i;

export interface ResolvedPath {
  weightsFile: string;
  config?: WeSpeakerConfig;
  configFile?: string;
}

/** A directory -> its weights file and parsed config.json (when present); a file -> itself. */
export async function resolveWeightsPath(path: string): Promise<ResolvedPath> {
  const kind = await pathKind(path);
  if (kind === 'missing') throw new WeightsError('no such file or directory', { code: 'FILE_READ_FAILED', file: path });
  if (kind === 'file') return { weightsFile: path };
  const names = await listDirectory(path);
  const preferred = PREFERRED_WEIGHTS.find((n) => names.includes(n));
  const candidates = names.filter((n) => WEIGHTS_EXTENSIONS.test(n)).sort();
  const chosen = preferred ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (!chosen) {
    const why = candidates.length === 0 ? 'it holds no weights file' : `it holds several weights files (${candidates.join(', ')}); pass one of them`;
    throw new WeightsError(`not a model directory: ${why} (looked for ${PREFERRED_WEIGHTS.join(', ')} or one *.safetensors/*.bin/*.pt/*.pth/*.ckpt)`, {
      code: 'MODEL_DIR_INVALID',
      file: path,
    });
  }
  const resolved: ResolvedPath = { weightsFile: joinPath(path, chosen) };
  if (names.includes('config.json')) {
    const configFile = joinPath(path, 'config.json');
    const text = new TextDecoder().decode(await readFileBytes(configFile, 1 << 20));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new WeightsError(`config.json is not valid JSON: ${(e as Error).message}`, { code: 'CONFIG_INVALID', file: configFile });
    }
    resolved.config = parseConfig(json, configFile);
    resolved.configFile = configFile;
  }
  return resolved;
}

/**
 * Loads WeSpeaker ResNet weights from any supported source into the canonical tensor set.
 *
 * `source`: a model directory (config.json + model.safetensors / pytorch_model.bin / avg_model.pt),
 * a weights file path, or the bytes of a weights file. Formats: safetensors (MLX layout, PyTorch
 * layout, any float dtype) and `torch.save` archives (WeSpeaker `avg_model.pt`, the pyannote
 * Lightning `pytorch_model.bin`, our own PyTorch output). BatchNorm is fused when the source has
 * it; names are mapped to MLX names; convs are transposed to `[O, kH, kW, I]`.
 *
 * Without config.json (or `options.config`) the config is inferred from the shapes and
 * `configSource` says 'inferred'. Any mismatch with the expected tensors is one `WeightsError`
 * (code WEIGHTS_MISMATCH) listing every missing, unexpected and mis-shaped tensor.
 *
 * Tensors read from bytes you pass may be views of those bytes (no copy): do not reuse the buffer.
 */
export async function loadWeSpeakerWeights(source: WeightsSource, options: LoadOptions = {}): Promise<LoadedWeights> {
  if (typeof source !== 'string') return loadWeSpeakerWeightsFromBytes(toBytes(source), options);
  const resolved = await resolveWeightsPath(source);
  const bytes = await readFileBytes(resolved.weightsFile, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  return loadOpened(openWeights(bytesAccess(bytes), { file: resolved.weightsFile, verifyCrc: options.verifyCrc }), {
    ...options,
    file: resolved.weightsFile,
    config: options.config ?? resolved.config,
    configSource: options.config ? 'options' : resolved.config ? 'config.json' : undefined,
  });
}

/** The synchronous, bytes-only form of `loadWeSpeakerWeights` (works in browsers). */
export function loadWeSpeakerWeightsFromBytes(bytes: Uint8Array | ArrayBuffer, options: LoadOptions & { file?: string } = {}): LoadedWeights {
  const opened = openWeights(bytesAccess(toBytes(bytes)), { file: options.file, verifyCrc: options.verifyCrc });
  return loadOpened(opened, { ...options, configSource: options.config ? 'options' : undefined });
}

function loadOpened(
  opened: OpenedWeights,
  options: { config?: WeSpeakerConfig; configSource?: 'config.json' | 'options'; file?: string },
): LoadedWeights {
  const plan: CanonicalPlan = planCanonical(opened.tensors, {
    config: options.config,
    configSource: options.configSource,
    layout: opened.declaredLayout,
    file: options.file,
  });
  if (!plan.validation.ok) throw validationError(plan, options.file);
  const tensors = applyCanonicalPlan(plan, new Map(opened.tensors.map((t) => [t.name, t])));
  return {
    config: plan.config,
    configSource: plan.configSource,
    tensors,
    format: opened.format,
    file: options.file,
    source: {
      naming: plan.naming,
      layout: plan.layout,
      batchNormFused: plan.naming === 'mlx',
      prefix: plan.prefix,
      stateDictPath: opened.stateDictPath,
    },
    ignored: plan.validation.ignored,
    notes: plan.notes,
  };
}
