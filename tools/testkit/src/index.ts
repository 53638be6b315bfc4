// Helpers for tests across the monorepo. Consumed as TypeScript source by vitest (never built or
// published), so tests in every package read goldens and compare numbers the same way.
export { fixturePath, readGoldenNpy, readGoldenJson, repoRoot } from './fixtures.js';
export { cosine, maxAbsDiff, meanAbsDiff, l2Normalize } from './compare.js';
export { pythonHas, runPython, REFERENCE_PYTHON } from './python.js';
export { checkGoldenFeatures, compareGoldenStage, embeddingAgreement, goldenModel, readResnetGoldens } from './resnet-goldens.js';
export type { EmbeddingAgreement, ResnetGoldenCase, ResnetGoldenStage, ResnetGoldens } from './resnet-goldens.js';
export { refusedEndpoint, sha256, startFakeHub, startModelHub } from './fake-hub.js';
export type { FakeHub, FakeHubOptions, Faults, HubFile, RecordedRequest } from './fake-hub.js';
export { monoWav } from './wav.js';
