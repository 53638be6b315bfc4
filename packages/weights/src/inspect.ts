import type { ConfigSource, Naming, ValidationReport } from './canonical.js';
import { planCanonical, validationError } from './canonical.js';
import type { WeSpeakerConfig } from './config.js';
import type { DType } from './dtype.js';
import { WeightsError } from './errors.js';
import type { ConvLayout } from './layout.js';
import type { WeightsSource } from './load.js';
import { resolveWeightsPath } from './load.js';
import { withFileAccess } from './node-io.js';
import type { RandomAccess } from './random-access.js';
import { bytesAccess, toBytes } from './random-access.js';
import { modelSpec, parameterCount } from './spec.js';
import type { WeightsFormat } from './weights-file.js';
import { openWeights } from './weights-file.js';

/** What `wsp inspect` prints: the file as it is, and how it maps onto the model. */
export interface WeightsInspection {
  file?: string;
  format: WeightsFormat;
  byteLength: number;
  /** safetensors `__metadata__`. */
  metadata?: Record<string, string>;
  /** PyTorch: where the state dict sits in the checkpoint ('' = root, 'state_dict' for Lightning). */
  stateDictPath?: string;
  /** Every tensor of the file (of the state dict for PyTorch), under its own name, in file order. */
  tensors: { name: string; dtype: DType; shape: number[]; parameters: number }[];
  tensorCount: number;
  /** Sum of the elements of all tensors listed. */
  parameterCount: number;
  /** Tensor count per element type. */
  dtypes: Partial<Record<DType, number>>;
  /** How the tensors map onto the model (absent when not even a config could be derived). */
  model?: {
    config: WeSpeakerConfig;
    configSource: ConfigSource;
    naming: Naming;
    layout: ConvLayout;
    batchNormFused: boolean;
    prefix: string;
    /** Parameters of the canonical (fused) model for this config: 6,630,080 for ResNet34-LM. */
    parameterCount: number;
  };
  validation: ValidationReport & { message?: string };
  notes: string[];
}

/**
 * Reads a weights file's header (safetensors) or pickle (PyTorch) without reading tensor data,
 * and validates it against the model. `source` as for `loadWeSpeakerWeights`. Parse errors
 * throw; a file that parses but does not fit the model gives `validation.ok === false`.
 */
export async function inspectWeights(source: WeightsSource, options: { config?: WeSpeakerConfig } = {}): Promise<WeightsInspection> {
  if (typeof source !== 'string') return inspectWeightsBytes(toBytes(source), options);
  const resolved = await resolveWeightsPath(source);
  return withFileAccess(resolved.weightsFile, (access) =>
    inspectAccess(access, resolved.weightsFile, options.config ?? resolved.config, options.config ? 'options' : resolved.config ? 'config.json' : undefined),
  );
}

/** The bytes-only form of `inspectWeights` (works in browsers). */
export function inspectWeightsBytes(bytes: Uint8Array | ArrayBuffer, options: { config?: WeSpeakerConfig; file?: string } = {}): WeightsInspection {
  return inspectAccess(bytesAccess(toBytes(bytes)), options.file, options.config, options.config ? 'options' : undefined);
}

function inspectAccess(
  access: RandomAccess,
  file: string | undefined,
  config: WeSpeakerConfig | undefined,
  configSource: 'options' | 'config.json' | undefined,
): WeightsInspection {
  const opened = openWeights(access, { file });
  const tensors = opened.tensors.map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: [...t.shape],
    parameters: t.shape.reduce((a, b) => a * b, 1),
  }));
  const dtypes: Partial<Record<DType, number>> = {};
  for (const t of tensors) dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
  const report: WeightsInspection = {
    file,
    format: opened.format,
    byteLength: opened.byteLength,
    metadata: opened.metadata,
    stateDictPath: opened.stateDictPath,
    tensors,
    tensorCount: tensors.length,
    parameterCount: tensors.reduce((n, t) => n + t.parameters, 0),
    dtypes,
    validation: { ok: false, missing: [], unexpected: [], misshaped: [], wrongDtype: [], ignored: [] },
    notes: [],
  };
  try {
    const plan = planCanonical(opened.tensors, { config, configSource, layout: opened.declaredLayout, file });
    report.model = {
      config: plan.config,
      configSource: plan.configSource,
      naming: plan.naming,
      layout: plan.layout,
      batchNormFused: plan.naming === 'mlx',
      prefix: plan.prefix,
      parameterCount: parameterCount(modelSpec(plan.config)),
    };
    report.validation = plan.validation.ok ? plan.validation : { ...plan.validation, message: validationError(plan, file).message };
    report.notes = plan.notes;
  } catch (e) {
    if (!WeightsError.isInstance(e) || (e as WeightsError).code !== 'WEIGHTS_CONFIG_UNKNOWN') throw e;
    report.validation.message = (e as WeightsError).message;
  }
  return report;
}
