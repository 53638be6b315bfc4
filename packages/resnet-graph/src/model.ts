/** The model a session runs or an export writes, and the check that its tensors fit its config. */
import { modelSpec } from '@wsp/weights';
import type { TensorMap, WeSpeakerConfig } from '@wsp/weights';
import { ShapeError } from './errors.js';

/** The canonical weight set: `config.json` + MLX tensors (what `@wsp/weights` loads and generates). */
export interface EmbeddingModel {
  config: WeSpeakerConfig;
  tensors: TensorMap;
}

/** Every tensor of the spec, present and with the spec's shape; `ShapeError` naming the first that is not. */
export function checkModelTensors(model: EmbeddingModel): void {
  for (const spec of modelSpec(model.config)) {
    const t = model.tensors.get(spec.name);
    if (!t) throw new ShapeError(`model tensor '${spec.name}' is missing`, { code: 'WEIGHT_MISSING' });
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      throw new ShapeError(`model tensor '${spec.name}' has shape [${t.shape.join(', ')}], expected [${spec.shape.join(', ')}]`, {
        code: 'WEIGHT_SHAPE',
      });
    }
  }
}
