/** The speaker registry file of `wsp enroll` / `wsp identify`. */
import { access } from 'node:fs/promises';
import { SpeakerRegistry, createRegistry } from '@wsp/speaker';
import type { OptionSpec } from './args.js';
import { InputError } from './exit-codes.js';

export const REGISTRY_OPTION: Record<string, OptionSpec> = {
  registry: { type: 'string', value: 'FILE', description: 'Speaker registry JSON file (required)' },
};

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** The registry in `path`; a new empty one when the file does not exist and `create` is set. */
export async function openRegistry(path: string, create: boolean): Promise<SpeakerRegistry> {
  if (await exists(path)) return SpeakerRegistry.load(path);
  if (create) return createRegistry();
  throw new InputError(`${path}: no such registry file (enrol speakers first: wsp enroll --registry ${path} --name NAME <audio...>)`);
}

/** A registry built with another model cannot be compared with this one's embeddings. */
export function checkRegistryFits(registry: SpeakerRegistry, file: string, embeddingDim: number): void {
  if (registry.dimension !== undefined && registry.dimension !== embeddingDim) {
    throw new InputError(
      `${file}: the registry holds ${registry.dimension}-d voiceprints but this model gives ${embeddingDim}-d embeddings; use the model the speakers were enrolled with`,
    );
  }
}
