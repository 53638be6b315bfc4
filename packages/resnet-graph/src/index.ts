// @wsp/resnet-graph: the layer graph, the backend interface (SPI), the registry and the executor.
// The oracle and the conformance suite live in the `@wsp/resnet-graph/testing` entry.
export {
  WspError,
  ShapeError,
  InputTooShortError,
  BackendUnavailableError,
  BackendError,
  DisposedError,
} from './errors.js';
export type { WspErrorOptions, InputTooShortDetails, BackendSkipReason } from './errors.js';

export { BACKEND_SPEC_VERSION, PRECISIONS, L2_NORM_EPSILON } from './spi.js';
export type {
  Backend,
  BackendCapabilities,
  BackendSpecVersion,
  CompiledGraph,
  Conv2dWeights,
  ConvEpilogue,
  DeviceObject,
  DeviceTensor,
  HostTensor,
  LinearWeights,
  MemoryStats,
  PoolingVariant,
  Precision,
  PreparedConv2d,
  PreparedLinear,
  PreparedWeights,
} from './spi.js';

export { POOLING_VARIANTS, POOLING_VARIANT_NAMES, isPoolingVariant, minimumPooledFrames } from './pooling.js';
export type { PoolingDefinition } from './pooling.js';

export { GRAPH_INPUT, buildGraph, nodeInputs } from './graph.js';
export type {
  Conv2dNode,
  GraphNode,
  GraphOptions,
  GraphStage,
  L2NormalizeNode,
  LinearNode,
  ResNetGraph,
  StatsPoolNode,
} from './graph.js';
export { checkInputSize, convOutputLength, inferShapes, minimumFrames, pooledFrames } from './shapes.js';
export type { GraphShapes } from './shapes.js';
export { graphCost } from './cost.js';
export type { GraphCost, NodeCost } from './cost.js';
export { planBuffers } from './planner.js';
export type { BufferPlan, PlanOptions, ValuePlan } from './planner.js';
export { graphToMermaid, graphToText } from './dump.js';
export type { DumpOptions } from './dump.js';

export { concatBatch, featuresToInputView, sliceBatch, toContiguous, validateFeatures } from './host.js';
export { runOpByOp } from './executor.js';
export type { OpByOpResult } from './executor.js';
export { createInferenceSession } from './session.js';
export type { ExecutionMode, InferenceSession, RunWithActivationsResult, SessionOptions } from './session.js';
export { checkModelTensors } from './model.js';
export type { EmbeddingModel } from './model.js';

export { ONNX_DEFAULT_OPSET, ONNX_OPSET_MAX, ONNX_OPSET_MIN, exportOnnx } from './onnx/export.js';
export type { OnnxExportOptions } from './onnx/export.js';
export { ONNX_METADATA_VERSION } from './onnx/metadata.js';

export { backendShapeProblem, listBackends, registerBackend, resolveBackend, unregisterBackend } from './registry.js';
export type {
  Availability,
  BackendChoice,
  BackendCreateOptions,
  BackendInfo,
  BackendRegistration,
  ResolvedBackend,
} from './registry.js';

// Helpers for backend authors: argument checks and lifetime bookkeeping.
export { ResourceTracker, TrackedBackend, TrackedResource } from './backend-kit/resources.js';
export type { ResourceKind } from './backend-kit/resources.js';
export {
  validateConv2d,
  validateConvWeights,
  validateHostTensor,
  validateL2Normalize,
  validateLinear,
  validateLinearWeights,
  validateStatsPool,
  validateUpload,
} from './backend-kit/validate.js';
export type { ConvParameters } from './backend-kit/validate.js';
