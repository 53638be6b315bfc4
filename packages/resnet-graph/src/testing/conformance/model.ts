/** End-to-end embeddings through `createInferenceSession` against the oracle, with leak checks. */
import { RESNET34_LM_CONFIG, generateSyntheticModel, tinyConfig } from '@wsp/weights';
import type { WeSpeakerConfig } from '@wsp/weights';
import { POOLING_VARIANT_NAMES } from '../../pooling.js';
import { createInferenceSession } from '../../session.js';
import type { ExecutionMode } from '../../session.js';
import type { PoolingVariant } from '../../spi.js';
import { check, expectClose, expectEmbeddingsClose } from '../compare.js';
import { refEmbed } from '../oracle.js';
import { syntheticFeatures } from '../random.js';
import type { ConformanceCase, ConformanceContext } from './context.js';
import { expectHostTensor, expectSameMemory } from './context.js';

interface EmbedCase {
  config: () => WeSpeakerConfig;
  modelSeed: number;
  batch: number;
  frames: number;
  pooling: PoolingVariant;
  normalize: boolean;
}

/** Execution modes to try: both when the backend can compile, else op by op only. */
function modes(ctx: ConformanceContext): ExecutionMode[] {
  return typeof ctx.backend.compile === 'function' ? ['compiled', 'op-by-op'] : ['op-by-op'];
}

async function checkEmbedding(ctx: ConformanceContext, label: string, c: EmbedCase): Promise<void> {
  const { backend, tolerances } = ctx;
  if (!backend.capabilities.poolingVariants.includes(c.pooling)) return;
  const model = generateSyntheticModel(c.config(), { seed: c.modelSeed });
  const features = syntheticFeatures(c.batch, c.frames, model.config.n_mels, ctx.seed + c.frames);
  const expected = refEmbed(model, features, { pooling: c.pooling, normalize: c.normalize }).embedding;
  const baseline = backend.memory();
  for (const execution of modes(ctx)) {
    const what = `${label} [${execution}]`;
    const session = createInferenceSession(backend, model, { pooling: c.pooling, normalize: c.normalize, execution });
    try {
      check(session.execution === execution, `${what}: session runs ${session.execution}`);
      const afterPrepare = backend.memory();
      const y = await session.run(features);
      const afterRun = backend.memory();
      check(afterRun.tensors === afterPrepare.tensors, `${what}: ${afterRun.tensors - afterPrepare.tensors} device tensors left after an inference`);
      expectHostTensor(what, y, [c.batch, model.config.embedding_dim]);
      if (c.normalize) {
        expectEmbeddingsClose(what, y.data, expected.data, model.config.embedding_dim, tolerances.cosine, tolerances.maxAbs);
      } else {
        expectClose(what, y.data, expected.data, tolerances.maxAbs);
      }
      // A second run allocates nothing new: caches are filled by the first one.
      await session.run(features);
      expectSameMemory(`${what}, second inference`, afterRun, backend.memory());
    } finally {
      session.dispose();
    }
    expectSameMemory(`${what}, after session.dispose()`, baseline, backend.memory());
  }
}

function embedCase(title: string, c: EmbedCase): ConformanceCase {
  return {
    name: `end-to-end: ${title}`,
    async run(ctx) {
      await checkEmbedding(ctx, this.name, c);
    },
  };
}

const tiny = () => tinyConfig();

export function modelCases(fullModel: boolean): ConformanceCase[] {
  const cases = POOLING_VARIANT_NAMES.map((pooling) =>
    embedCase(`tiny model, ${pooling} pooling, batch 3, odd frames`, { config: tiny, modelSeed: 11, batch: 3, frames: 37, pooling, normalize: true }),
  );
  cases.push(
    embedCase('tiny model at the minimum frames (9)', { config: tiny, modelSeed: 12, batch: 2, frames: 9, pooling: 'pyannote', normalize: true }),
    embedCase('tiny model, mlx pooling on a single frame', { config: tiny, modelSeed: 13, batch: 1, frames: 1, pooling: 'mlx', normalize: true }),
    embedCase('tiny model, unnormalised embedding', { config: tiny, modelSeed: 14, batch: 2, frames: 24, pooling: 'pyannote', normalize: false }),
    embedCase('tiny model, 5 stages and 64 mel bins', {
      config: () => tinyConfig({ n_mels: 64, layers: [1, 2, 1, 1, 1], channels: [4, 4, 8, 8, 12] }),
      modelSeed: 15,
      batch: 2,
      frames: 33,
      pooling: 'wespeaker',
      normalize: true,
    }),
  );
  if (fullModel) {
    cases.push(
      embedCase('full-size ResNet34-LM model, batch 2', {
        config: () => RESNET34_LM_CONFIG,
        modelSeed: 1,
        batch: 2,
        frames: 17,
        pooling: 'pyannote',
        normalize: true,
      }),
    );
  }
  return cases;
}
