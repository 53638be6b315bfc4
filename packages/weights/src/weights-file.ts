import type { ConvLayout } from './layout.js';
import { WeightsError } from './errors.js';
import type { RandomAccess } from './random-access.js';
import { SafetensorsFile } from './safetensors-read.js';
import type { SourceTensor } from './tensor.js';
import type { TorchReadOptions } from './torch-read.js';
import { TorchCheckpoint } from './torch-read.js';

export type WeightsFormat = 'safetensors' | 'pytorch';

/** `torch.save`'s pre-1.6 format starts with a pickled magic number (LONG1 0x1950a86a20f9469cfc6c). */
const LEGACY_TORCH_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/**
 * The format from the first bytes: a zip signature means a `torch.save` archive, an 8-byte length
 * followed by "{" a safetensors file. When the bytes say nothing, the file extension decides (so
 * a damaged file gets that format's precise error); otherwise FORMAT_UNKNOWN.
 */
export function detectFormat(access: RandomAccess, file?: string): WeightsFormat {
  const head = access.read(0, Math.min(16, access.byteLength));
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)) return 'pytorch';
  if (head.length >= 9 && head[8] === 0x7b) return 'safetensors';
  if (head[0] === 0x80 && LEGACY_TORCH_MAGIC.every((b, i) => head[2 + i] === b)) {
    throw new WeightsError(
      'this checkpoint uses the legacy (pre-1.6) torch.save format; re-save it with a current PyTorch: torch.save(torch.load(path), path)',
      { code: 'FORMAT_LEGACY_TORCH', file },
    );
  }
  const extension = /\.([a-z]+)$/i.exec(file ?? '')?.[1]?.toLowerCase();
  if (extension === 'safetensors') return 'safetensors';
  if (extension && ['pt', 'pth', 'bin', 'ckpt'].includes(extension)) return 'pytorch';
  throw new WeightsError('not a weights file this package reads (expected safetensors or a torch.save zip archive)', {
    code: 'FORMAT_UNKNOWN',
    file,
  });
}

/** A weights file opened in either format: its tensors (values on demand) and what it says about itself. */
export interface OpenedWeights {
  format: WeightsFormat;
  byteLength: number;
  tensors: SourceTensor[];
  /** safetensors `__metadata__`. */
  metadata?: Record<string, string>;
  /** Layout declared in the metadata, when it declares one. */
  declaredLayout?: ConvLayout;
  /** Where a PyTorch checkpoint keeps its state dict ('' = the root, 'state_dict' for Lightning). */
  stateDictPath?: string;
}

export function openWeights(access: RandomAccess, options: { file?: string } & Pick<TorchReadOptions, 'verifyCrc'> = {}): OpenedWeights {
  const format = detectFormat(access, options.file);
  if (format === 'safetensors') {
    const st = new SafetensorsFile(access, options.file);
    const layout = st.metadata.layout?.toLowerCase();
    return {
      format,
      byteLength: access.byteLength,
      tensors: st.sourceTensors(),
      metadata: st.metadata,
      declaredLayout: layout === 'ohwi' || layout === 'oihw' ? layout : undefined,
    };
  }
  const checkpoint = new TorchCheckpoint(access, { file: options.file, verifyCrc: options.verifyCrc });
  return { format, byteLength: access.byteLength, tensors: checkpoint.sourceTensors(), stateDictPath: checkpoint.stateDict().path };
}
