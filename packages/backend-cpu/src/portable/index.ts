// The portable pure-TypeScript CPU backend: public API, no side effects (see ../register-portable.ts).
import type { BackendRegistration } from '@wsp/resnet-graph';
import { PortableCpuBackend } from './backend.js';
import type { PortableCpuBackendOptions } from './backend.js';

export { PortableCpuBackend };
export type { PortableCpuBackendOptions };

/** Registry name and priority of the portable backend (below `cpu` 50 and `ascend` 100). */
export const PORTABLE_BACKEND_NAME = 'cpu-portable';
export const PORTABLE_BACKEND_PRIORITY = 10;

export function createPortableCpuBackend(options: PortableCpuBackendOptions = {}): PortableCpuBackend {
  return new PortableCpuBackend(options);
}

/** Always available: it needs nothing but a JavaScript engine. */
export const portableRegistration: BackendRegistration = {
  priority: PORTABLE_BACKEND_PRIORITY,
  description: 'pure TypeScript, single thread; runs anywhere (Node, browsers)',
  isAvailable: () => ({ available: true }),
  create: () => new PortableCpuBackend(),
};
