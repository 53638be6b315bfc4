// Errors
export { WspError, WeightsError } from './errors.js';
export type { WspErrorOptions } from './errors.js';

// Model description: config, block structure, expected tensors
export { RESNET34_LM_CONFIG, parseConfig, pooledFrequencyBins, tinyConfig } from './config.js';
export type { WeSpeakerConfig } from './config.js';
export { architecture } from './architecture.js';
export type { ArchitectureSpec, BlockSpec } from './architecture.js';
export { modelSpec, parameterCount } from './spec.js';
export type { TensorRole, TensorSpec } from './spec.js';

// Tensors, element types, layouts, fusion
export { contiguousCopy, float32Tensor, gatherStrided, isContiguous } from './tensor.js';
export type { NdArray, SourceTensor, TensorMap } from './tensor.js';
export { ITEM_SIZE, decodeFloat32, float16ToFloat32, float32ToBFloat16Bits, float32ToFloat16Bits } from './dtype.js';
export type { DType, FloatDType, StorageDType } from './dtype.js';
export { convertLayout, ohwiToOihw, oihwToOhwi } from './layout.js';
export type { ConvLayout } from './layout.js';
export { BATCH_NORM_EPSILON, fuseBatchNorm } from './fuse.js';
export type { BatchNormParams } from './fuse.js';

// Loading any source into the canonical set, inspection, conversion
export { loadWeSpeakerWeights, loadWeSpeakerWeightsFromBytes, resolveWeightsPath } from './load.js';
export type { LoadOptions, LoadedWeights, WeightsSource } from './load.js';
export { inspectWeights, inspectWeightsBytes } from './inspect.js';
export type { WeightsInspection } from './inspect.js';
export { convertWeights, encodeWeights, outputFormatFor } from './convert.js';
export type { ConversionSummary, ConvertOptions, EncodeWeightsOptions } from './convert.js';
export { applyCanonicalPlan, planCanonical, validationError } from './canonical.js';
export type { CanonicalPlan, ConfigSource, Naming, PlanOptions, TensorDescriptor, ValidationReport } from './canonical.js';
export { detectFormat, openWeights } from './weights-file.js';
export type { OpenedWeights, WeightsFormat } from './weights-file.js';

// Formats, one level down
export { MAX_SAFETENSORS_HEADER_BYTES, SafetensorsFile, openSafetensors, parseSafetensorsHeader, readSafetensors } from './safetensors-read.js';
export type { NativeTensor, SafetensorsHeader, SafetensorsTensorInfo } from './safetensors-read.js';
export { openTorchCheckpointFile, readSafetensorsFile } from './files.js';
export { encodeSafetensors } from './safetensors-write.js';
export type { SafetensorsWriteOptions } from './safetensors-write.js';
export { TorchCheckpoint, TorchTensorRef, openTorchCheckpoint, readTorchStateDict } from './torch-read.js';
export type { TorchReadOptions, TorchStorageRef } from './torch-read.js';
export { encodeTorchStateDict } from './torch-write.js';
export type { TorchWriteOptions } from './torch-write.js';
export { PickleGlobal, PickleObject, parsePickle } from './pickle.js';
export type { PickleLimits, PickleOptions } from './pickle.js';
export { ZipArchive, openZip } from './zip-read.js';
export type { ZipEntry, ZipLimits } from './zip-read.js';
export { encodeZip } from './zip-write.js';
export type { ZipInputEntry } from './zip-write.js';
export { crc32 } from './crc32.js';
export { bytesAccess } from './random-access.js';
export type { RandomAccess } from './random-access.js';
export { decodeNpy, encodeNpy } from './npy.js';
export type { NpyArray, NpyDtype } from './npy.js';

// Synthetic model for tests and benchmarks; model directories on disk
export { seededRandom } from './random.js';
export type { SeededRandom } from './random.js';
export { generateSyntheticModel } from './synthetic.js';
export type { SyntheticModel, SyntheticModelOptions } from './synthetic.js';
export { writeModelDirectory } from './model-dir.js';
