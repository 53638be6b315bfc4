// The native SIMD path of @wsp/backend-cpu (subpath export `@wsp/backend-cpu/native`; no side effects).
export { NativeCpuBackend, nativeOptionsFrom } from './spi-backend.js';
export type { NativeCpuBackendOptions } from './spi-backend.js';
export { NATIVE_BACKEND_NAME, NATIVE_BACKEND_PRIORITY, nativeRegistration } from './registration.js';
export { compileNetwork, createNativeCpu, nativeAvailability, nativeIsas, NativeInputError, NativeUnavailableError } from './backend.js';
export type { CompileNetworkOptions, NativeNetwork } from './backend.js';
export { explainLoadError, loadNativeAddon, NAPI_VERSION } from './load.js';
export type { NativeLoadResult } from './load.js';
export type {
  NativeBackendHandle,
  NativeBackendOptions,
  NativeIsa,
  NativePlan,
  NativePlanOp,
  NativePooling,
  NativePreparedConv2d,
  NativePreparedLinear,
  NativeTensor,
} from './addon-types.js';
