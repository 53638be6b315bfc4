// @wsp/resnet-graph/testing: the float64 oracle, a reference backend built on it, deterministic
// test inputs, and the conformance suite every backend runs. Test-time code: it allocates freely.
export { refConv2d, refEmbed, refFromHost, refL2Normalize, refLinear, refStatsPool } from './oracle.js';
export type { RefConvOptions, RefEmbedOptions, RefEmbedResult, RefTensor } from './oracle.js';
export { ReferenceBackend } from './reference-backend.js';
export { randomTensor, syntheticFeatures } from './random.js';
export { TOLERANCES, tolerancesFor } from './tolerances.js';
export type { Tolerances } from './tolerances.js';
export { ConformanceError, cosine, expectClose, expectEmbeddingsClose } from './compare.js';
export { conformanceTestNames, describeBackendConformance } from './conformance/index.js';
export type { ConformanceOptions, TestApi } from './conformance/index.js';
