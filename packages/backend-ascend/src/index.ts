// @wsp/backend-ascend: Huawei Ascend NPU execution through CANN aclnn. Importing it registers the
// 'ascend' backend with @wsp/resnet-graph (the addon and CANN are only loaded when first used).
import './register.js';

export { isAvailable, cannVersion } from './availability.js';
export type { AscendAvailability, UnavailableCode } from './availability.js';
export { AscendBackend, AscendConv2d, AscendLinear, AscendTensor } from './backend.js';
export type { AscendBackendOptions, AscendPrecision } from './backend.js';
export { AscendCompiledGraph } from './compiled.js';
export { POOLING_VARIANTS } from './pooling.js';
export { ASCEND_BACKEND_NAME, ASCEND_BACKEND_PRIORITY, ascendRegistration } from './registration.js';
export { describeAscend } from './doctor.js';
export type { AscendDeviceInfo, AscendReport, DescribeOptions } from './doctor.js';
export { AscendError, AscendOperatorError, AscendOutOfMemoryError, AscendRuntimeError, AscendUnavailableError } from './errors.js';
export type { AscendErrorOptions, CannDetails } from './errors.js';
export type { NativeShapeInfo as CompiledShapeInfo } from './native.js';
