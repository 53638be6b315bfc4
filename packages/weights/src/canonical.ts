import type { NdArray } from 'ndarray';
import type { WeSpeakerConfig } from './config.js';
import { RESNET34_LM_CONFIG, parseConfig } from './config.js';
import type { DType } from './dtype.js';
import { isFloatDType } from './dtype.js';
import { WeightsError } from './errors.js';
import { fuseBatchNorm } from './fuse.js';
import type { ConvLayout } from './layout.js';
import { oihwToOhwi } from './layout.js';
import { modelSpec } from './spec.js';
import type { SourceTensor, TensorMap } from './tensor.js';

/**
 * Turns the tensors of any supported source into the canonical set (MLX names, BatchNorm fused,
 * `[O, kH, kW, I]` convolutions, float32), in two steps:
 *  1. `planCanonical` looks only at names, shapes and dtypes: it finds the name prefix, the naming
 *     (MLX fused, or WeSpeaker/pyannote with BatchNorm), the convolution layout and the config,
 *     then checks the file against the expected tensors and reports every discrepancy at once.
 *  2. `applyCanonicalPlan` reads the values and fuses/transposes as planned.
 * Inspection runs step 1 only, so it reads no tensor data.
 */

/** `mlx`: fused convs with biases, `embedding.*`. `wespeaker`: convs + BatchNorm, `seg_1.*`, `shortcut.{0,1}`. */
export type Naming = 'mlx' | 'wespeaker';

export interface TensorDescriptor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface ValidationReport {
  ok: boolean;
  /** Expected tensors the file lacks (names as they would appear in the file). */
  missing: string[];
  /** Tensors of the file the model has no place for. */
  unexpected: string[];
  misshaped: { name: string; expected: number[]; actual: number[] }[];
  /** Tensors whose element type is not a float type. */
  wrongDtype: { name: string; dtype: DType }[];
  /** Tensors deliberately skipped: `num_batches_tracked`, `projection.*` (the training-only ArcMargin head). */
  ignored: string[];
}

export type ConfigSource = 'config.json' | 'options' | 'inferred';

export interface CanonicalPlan {
  config: WeSpeakerConfig;
  configSource: ConfigSource;
  /** Stripped from every name, e.g. `resnet.` in pyannote checkpoints. */
  prefix: string;
  naming: Naming;
  layout: ConvLayout;
  validation: ValidationReport;
  /** Human-readable remarks (how the config was inferred, ...). */
  notes: string[];
  /** Per canonical tensor, how to build it. */
  steps: CanonicalStep[];
}

type CanonicalStep =
  | { kind: 'conv'; name: string; weight: string; bias?: string; batchNorm?: { weight: string; bias: string; mean: string; variance: string } }
  | { kind: 'copy'; name: string; source: string };

interface Expected {
  shape: number[];
  optional?: boolean;
}

const PREFIXES = ['', 'resnet.', 'module.', 'module.resnet.', 'model.', 'model.resnet.'];
const ROOTS = /^(conv1\.|bn1\.|layer\d+\.|seg_1\.|embedding\.|projection\.)/;
const WESPEAKER_MARKERS = /(^bn1\.|\.bn\d\.|\.shortcut\.\d\.|^seg_1\.)/;
const isIgnored = (rest: string) => rest.endsWith('.num_batches_tracked') || rest.startsWith('projection.');

export interface PlanOptions {
  /** The config from config.json or the caller; inferred from the shapes when absent. */
  config?: WeSpeakerConfig;
  configSource?: Exclude<ConfigSource, 'inferred'>;
  /** Layout declared by the file (safetensors `__metadata__.layout`); else detected from shapes. */
  layout?: ConvLayout;
  file?: string;
}

export function planCanonical(tensors: readonly TensorDescriptor[], options: PlanOptions = {}): CanonicalPlan {
  const prefix = detectPrefix(tensors.map((t) => t.name));
  const byRest = new Map<string, TensorDescriptor>();
  const outside: string[] = [];
  const ignored: string[] = [];
  for (const t of tensors) {
    if (!t.name.startsWith(prefix)) outside.push(t.name);
    else if (isIgnored(t.name.slice(prefix.length))) ignored.push(t.name);
    else byRest.set(t.name.slice(prefix.length), t);
  }
  const naming: Naming = [...byRest.keys()].some((n) => WESPEAKER_MARKERS.test(n)) ? 'wespeaker' : 'mlx';
  const notes: string[] = [];
  let config = options.config;
  let configSource: ConfigSource = options.configSource ?? 'options';
  if (!config) {
    config = inferConfig(byRest, naming, notes, options.file);
    configSource = 'inferred';
  }
  const steps = canonicalSteps(config, naming);
  const layout = options.layout ?? detectLayout(config, steps, byRest, naming);
  const expected = expectedSources(config, steps, layout);

  const validation: ValidationReport = { ok: true, missing: [], unexpected: [...outside], misshaped: [], wrongDtype: [], ignored };
  for (const [rest, t] of byRest) {
    const e = expected.get(rest);
    if (!e) validation.unexpected.push(t.name);
    else if (!sameShape(e.shape, t.shape)) validation.misshaped.push({ name: t.name, expected: e.shape, actual: [...t.shape] });
    else if (!isFloatDType(t.dtype)) validation.wrongDtype.push({ name: t.name, dtype: t.dtype });
  }
  for (const [rest, e] of expected) if (!e.optional && !byRest.has(rest)) validation.missing.push(prefix + rest);
  validation.ok = validation.missing.length + validation.unexpected.length + validation.misshaped.length + validation.wrongDtype.length === 0;
  return { config, configSource, prefix, naming, layout, validation, notes, steps: withPresentBiases(steps, byRest) };
}

/** One `WeightsError` (code WEIGHTS_MISMATCH) listing every problem of a failed validation. */
export function validationError(plan: CanonicalPlan, file?: string): WeightsError {
  const v = plan.validation;
  const parts: string[] = [];
  if (v.missing.length) parts.push(`missing: ${v.missing.join(', ')}`);
  if (v.unexpected.length) parts.push(`unexpected: ${v.unexpected.join(', ')}`);
  if (v.misshaped.length) {
    parts.push(`wrong shape: ${v.misshaped.map((m) => `${m.name} is [${m.actual.join(', ')}], expected [${m.expected.join(', ')}]`).join('; ')}`);
  }
  if (v.wrongDtype.length) parts.push(`not floating point: ${v.wrongDtype.map((w) => `${w.name} (${w.dtype})`).join(', ')}`);
  const layers = plan.config.layers.join(', ');
  const channels = plan.config.channels.join(', ');
  return new WeightsError(
    `the weights do not match the WeSpeaker ResNet (layers [${layers}], channels [${channels}], ${plan.naming} naming, ${plan.layout} convolutions; config ${plan.configSource}) — ${parts.join(' | ')}`,
    { code: 'WEIGHTS_MISMATCH', file },
  );
}

/** Reads, fuses and transposes the source tensors as planned; the plan must have validated. */
export function applyCanonicalPlan(plan: CanonicalPlan, sources: ReadonlyMap<string, SourceTensor>): TensorMap {
  const get = (rest: string): NdArray<Float32Array> => sources.get(plan.prefix + rest)!.float32();
  const out: TensorMap = new Map();
  for (const step of plan.steps) {
    if (step.kind === 'copy') {
      out.set(step.name, get(step.source));
      continue;
    }
    let weight = get(step.weight);
    let bias = step.bias ? get(step.bias) : undefined;
    if (step.batchNorm) {
      const bn = step.batchNorm;
      let runningMean = get(bn.mean).data;
      // A conv bias before the BatchNorm shifts the mean it subtracts (WeSpeaker convs have none).
      if (bias) runningMean = runningMean.map((m, o) => Math.fround(m - bias!.data[o]));
      const fused = fuseBatchNorm(weight, { weight: get(bn.weight).data, bias: get(bn.bias).data, runningMean, runningVar: get(bn.variance).data });
      weight = fused.weight;
      bias = fused.bias;
    }
    if (plan.layout === 'oihw') weight = oihwToOhwi(weight);
    out.set(`${step.name}.weight`, weight);
    out.set(`${step.name}.bias`, bias!);
  }
  return out;
}

function detectPrefix(names: readonly string[]): string {
  let best = '';
  let bestScore = -1;
  for (const prefix of PREFIXES) {
    const score = names.filter((n) => n.startsWith(prefix) && ROOTS.test(n.slice(prefix.length))).length;
    if (score > bestScore) [best, bestScore] = [prefix, score];
  }
  return best;
}

/** The canonical tensors of the config and the source names each is built from. */
function canonicalSteps(config: WeSpeakerConfig, naming: Naming): CanonicalStep[] {
  const steps: CanonicalStep[] = [];
  for (const spec of modelSpec(config)) {
    if (spec.role === 'linear-weight') {
      steps.push({ kind: 'copy', name: 'embedding.weight', source: naming === 'mlx' ? 'embedding.weight' : 'seg_1.weight' });
      steps.push({ kind: 'copy', name: 'embedding.bias', source: naming === 'mlx' ? 'embedding.bias' : 'seg_1.bias' });
    } else if (spec.role === 'conv-weight') {
      const name = spec.name.slice(0, -'.weight'.length);
      if (naming === 'mlx') {
        steps.push({ kind: 'conv', name, weight: `${name}.weight`, bias: `${name}.bias` });
      } else {
        const [conv, bn] = wespeakerNames(name);
        const batchNorm = { weight: `${bn}.weight`, bias: `${bn}.bias`, mean: `${bn}.running_mean`, variance: `${bn}.running_var` };
        steps.push({ kind: 'conv', name, weight: `${conv}.weight`, bias: `${conv}.bias`, batchNorm });
      }
    }
  }
  return steps;
}

/** `conv1` -> conv1 + bn1; `layer1.0.conv2` -> + `layer1.0.bn2`; `layer2.0.shortcut` -> `shortcut.0` + `shortcut.1`. */
function wespeakerNames(canonical: string): [string, string] {
  if (canonical.endsWith('.shortcut')) return [`${canonical}.0`, `${canonical}.1`];
  return [canonical, canonical.replace(/conv(\d)$/, 'bn$1')];
}

/** Expected source names and shapes; unfused conv biases are optional. */
function expectedSources(config: WeSpeakerConfig, steps: readonly CanonicalStep[], layout: ConvLayout): Map<string, Expected> {
  const shapes = new Map(modelSpec(config).map((s) => [s.name, s.shape]));
  const expected = new Map<string, Expected>();
  for (const step of steps) {
    if (step.kind === 'copy') {
      expected.set(step.source, { shape: shapes.get(step.name)! });
      continue;
    }
    const [o, kh, kw, i] = shapes.get(`${step.name}.weight`)!;
    expected.set(step.weight, { shape: layout === 'ohwi' ? [o, kh, kw, i] : [o, i, kh, kw] });
    if (step.bias) expected.set(step.bias, { shape: [o], optional: step.batchNorm !== undefined });
    if (step.batchNorm) for (const n of Object.values(step.batchNorm)) expected.set(n, { shape: [o] });
  }
  return expected;
}

/** Drops the optional conv biases the file does not have. */
function withPresentBiases(steps: CanonicalStep[], byRest: ReadonlyMap<string, TensorDescriptor>): CanonicalStep[] {
  return steps.map((s) => (s.kind === 'conv' && s.batchNorm && s.bias && !byRest.has(s.bias) ? { ...s, bias: undefined } : s));
}

/**
 * The layout under which more present conv weights have their expected shape; on a tie (e.g. all
 * kernels 1×1 with one input channel, or nothing present) the naming decides: PyTorch names imply OIHW.
 */
function detectLayout(config: WeSpeakerConfig, steps: readonly CanonicalStep[], byRest: ReadonlyMap<string, TensorDescriptor>, naming: Naming): ConvLayout {
  const matches = (layout: ConvLayout) => {
    const expected = expectedSources(config, steps, layout);
    return steps.filter((s) => s.kind === 'conv' && byRest.has(s.weight) && sameShape(expected.get(s.weight)!.shape, byRest.get(s.weight)!.shape)).length;
  };
  const ohwi = matches('ohwi');
  const oihw = matches('oihw');
  if (ohwi !== oihw) return ohwi > oihw ? 'ohwi' : 'oihw';
  return naming === 'wespeaker' ? 'oihw' : 'ohwi';
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The config implied by the tensor shapes: stages and blocks from the `layerS.B.` names, channels
 * from each stage's first conv, the embedding size and frequency bins from the linear layer.
 */
function inferConfig(byRest: ReadonlyMap<string, TensorDescriptor>, naming: Naming, notes: string[], file?: string): WeSpeakerConfig {
  const fail = (why: string): never => {
    throw new WeightsError(`cannot infer the model configuration from the tensors (${why}); provide config.json`, {
      code: 'WEIGHTS_CONFIG_UNKNOWN',
      file,
    });
  };
  const blocks = new Map<number, number>();
  for (const name of byRest.keys()) {
    const m = /^layer(\d+)\.(\d+)\./.exec(name);
    if (m) blocks.set(Number(m[1]), Math.max(blocks.get(Number(m[1])) ?? 0, Number(m[2]) + 1));
  }
  const stageCount = blocks.size;
  if (stageCount === 0) fail('no layerN.B.* tensors');
  const layers: number[] = [];
  const channels: number[] = [];
  for (let s = 1; s <= stageCount; s++) {
    if (!blocks.has(s)) fail(`no layer${s}.* tensors although there are ${stageCount} stages`);
    layers.push(blocks.get(s)!);
    const firstConv = byRest.get(`layer${s}.0.conv1.weight`);
    if (!firstConv || firstConv.shape.length !== 4) fail(`layer${s}.0.conv1.weight is missing or not 4-D`);
    channels.push(firstConv!.shape[0]);
  }
  const linear = byRest.get(naming === 'mlx' ? 'embedding.weight' : 'seg_1.weight');
  if (!linear || linear.shape.length !== 2) fail(`${naming === 'mlx' ? 'embedding' : 'seg_1'}.weight is missing or not 2-D`);
  const [embeddingDim, poolingDim] = linear!.shape;
  const lastChannels = channels[channels.length - 1];
  const bins = poolingDim / (2 * lastChannels);
  if (!Number.isInteger(bins) || bins < 1) fail(`the linear layer's ${poolingDim} inputs are not 2 × ${lastChannels} channels × some frequency bins`);
  const factor = 2 ** (stageCount - 1);
  const nMels = bins * factor;
  notes.push(
    `config inferred from the tensor shapes: layers [${layers.join(', ')}], channels [${channels.join(', ')}], embedding_dim ${embeddingDim}, ` +
      `n_mels ${nMels}` +
      (factor > 1 ? ` (any n_mels from ${nMels - factor + 1} to ${nMels} gives these shapes; WeSpeaker uses 80)` : ''),
  );
  const isResNet34 = sameShape(layers, RESNET34_LM_CONFIG.layers) && sameShape(channels, RESNET34_LM_CONFIG.channels);
  const modelType = isResNet34 ? RESNET34_LM_CONFIG.model_type : 'wespeaker-resnet';
  return parseConfig({ model_type: modelType, n_mels: nMels, embedding_dim: embeddingDim, layers, channels }, file);
}
