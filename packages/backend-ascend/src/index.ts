export { isAvailable, cannVersion } from './availability.js';
export type { AscendAvailability, UnavailableCode } from './availability.js';
export { AscendBackend, AscendConv2d, AscendLinear, AscendTensor, POOLING_VARIANTS } from './backend.js';
export type { AscendBackendOptions, AscendPrecision, PoolingVariant } from './backend.js';
export { AscendNetwork, compileNetwork, minimumFrames, pooledFrames } from './network.js';
export type { CompileNetworkOptions } from './network.js';
export { describeAscend } from './doctor.js';
export type { AscendDeviceInfo, AscendReport, DescribeOptions } from './doctor.js';
export {
  AscendArgumentError,
  AscendDisposedError,
  AscendError,
  AscendOperatorError,
  AscendOutOfMemoryError,
  AscendRuntimeError,
  AscendUnavailableError,
} from './errors.js';
export type { AscendErrorOptions } from './errors.js';
