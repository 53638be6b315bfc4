// Registry entry of the native backend: `cpu`, priority 50 (above cpu-portable, below ascend).
import type { BackendRegistration } from '@wsp/resnet-graph';
import { nativeAvailability } from './backend.js';
import { NativeCpuBackend, nativeOptionsFrom } from './spi-backend.js';

export const NATIVE_BACKEND_NAME = 'cpu';
export const NATIVE_BACKEND_PRIORITY = 50;

/** Available when the addon loads; otherwise the reason names the failure and the fix. */
export const nativeRegistration: BackendRegistration = {
  priority: NATIVE_BACKEND_PRIORITY,
  description: 'native SIMD addon (AVX-512/AVX2/NEON, Winograd F(4x4,3x3)), thread pool, runs off the event loop',
  isAvailable: () => {
    const a = nativeAvailability();
    return a.available ? { available: true } : { available: false, reason: `${a.reason} ('cpu-portable' or 'auto' still work)` };
  },
  create: (options) => new NativeCpuBackend(nativeOptionsFrom(options)),
};
